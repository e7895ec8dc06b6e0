import { describe, expect, it } from 'vitest';
import { backendEventFields, isSoftwareRenderer } from './backend';

describe('software renderer detection (GPUAdapterInfo vendor / architecture / description)', () => {
  it('recognises SwiftShader, llvmpipe and WARP, not real GPUs', () => {
    expect(isSoftwareRenderer('google / swiftshader / Google SwiftShader')).toBe(true);
    expect(isSoftwareRenderer('mesa / llvmpipe')).toBe(true);
    expect(isSoftwareRenderer('microsoft / Microsoft Basic Render Driver')).toBe(true);
    expect(isSoftwareRenderer('nvidia / ampere / NVIDIA GeForce RTX 3060')).toBe(false);
    expect(isSoftwareRenderer('apple / metal-3 / Apple M2')).toBe(false);
  });
  it('puts the adapter and the flag in the backend event', () => {
    const limits = { maxStorageBufferBindingSize: 1, maxBufferSize: 1, maxComputeWorkgroupStorageSize: 1, maxStorageBuffersPerShaderStage: 8, maxComputeWorkgroupsPerDimension: 1, maxComputeInvocationsPerWorkgroup: 1, adapter: 'google / swiftshader' };
    expect(backendEventFields({ name: 'webgpu', fallbacks: [], limits })).toEqual({ name: 'webgpu', tried: [], adapter: 'google / swiftshader', softwareRenderer: true });
    expect(backendEventFields({ name: 'wasm', fallbacks: [{ name: 'webgpu', reason: 'no navigator.gpu' }] })).toEqual({ name: 'wasm', tried: [{ name: 'webgpu', reason: 'no navigator.gpu' }] });
  });
});
