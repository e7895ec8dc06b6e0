/**
 * Picks and initialises the TensorFlow.js backend.
 *
 *   initBackend(preferred?, options?) -> { name, fallbacks: [{ name, reason }] }
 *
 * Order tried: `preferred` first (when given), then the environment's default order:
 *   browser / worker: webgpu -> webgl -> wasm -> cpu
 *   Node:             wasm -> cpu
 * Backend packages are loaded with dynamic import(), so this module runs unchanged in a
 * dedicated worker, on a page and in Node. On WASM the kernels tfjs lacks for training are
 * registered (wasm-kernels.ts), so training never needs the CPU backend. In Node the WASM
 * package finds its own .wasm binaries; a bundled page or worker passes `options.wasmPaths` (a URL
 * prefix or a file map as setWasmPaths accepts; src/platform/browser/wasm-files.ts resolves them
 * through Vite), so this module needs neither Node nor DOM APIs.
 */
import * as tf from '@tensorflow/tfjs-core';
import './gradients';
import { registerWasmTrainingKernels } from './wasm-kernels';
import { registerWebGPUTrainingKernels } from '../kernels/webgpu-training-kernels';

export type BackendName = 'webgpu' | 'webgl' | 'wasm' | 'cpu';

export const BACKEND_NAMES: readonly BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];

export interface BackendInfo {
  name: BackendName;
  /** Backends tried before `name` and why each was not used. */
  fallbacks: { name: BackendName; reason: string }[];
  /** WebGPU only: the limits of the device the backend runs on (as requested from the adapter). */
  limits?: GpuLimits;
}

/** The WebGPU device limits that decide whether a model and batch fit (train/preflight.ts). */
export interface GpuLimits {
  /** Largest single storage binding (bytes): no one tensor may exceed it (tfjs never splits). */
  maxStorageBufferBindingSize: number;
  /** Largest buffer (bytes). */
  maxBufferSize: number;
  /** Workgroup memory per workgroup (bytes). */
  maxComputeWorkgroupStorageSize: number;
  maxStorageBuffersPerShaderStage: number;
  maxComputeWorkgroupsPerDimension: number;
  maxComputeInvocationsPerWorkgroup: number;
  /** GPUAdapterInfo fields joined ("vendor / architecture / device / description"). */
  adapter: string;
}

let gpuLimitsSeen: GpuLimits | undefined;

/** The WebGPU device limits once initBackend('webgpu') succeeded (else undefined). */
export function gpuLimits(): GpuLimits | undefined {
  return gpuLimitsSeen;
}

const LIMIT_NAMES = [
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxComputeWorkgroupStorageSize',
  'maxStorageBuffersPerShaderStage',
  'maxComputeWorkgroupsPerDimension',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
] as const;

let webgpuFactoryReplaced = false;

/**
 * Registers the 'webgpu' backend factory again (before its first use), asking the adapter for
 * its largest storage binding, buffer, workgroup storage and storage-buffers-per-stage limits
 * (tfjs's own factory leaves the last at the spec default of 8), and recording what the
 * device got for the pre-flight memory check.
 */
async function replaceWebGPUFactory(): Promise<void> {
  // engine.registry holds initialised backends (tf.findBackend would initialise one).
  if (webgpuFactoryReplaced || (tf.engine() as unknown as { registry: Record<string, unknown> }).registry.webgpu) return;
  const { WebGPUBackend } = await import('@tensorflow/tfjs-backend-webgpu');
  tf.removeBackend('webgpu');
  tf.registerBackend('webgpu', async () => {
    const gpu = (globalThis as unknown as { navigator: { gpu: GPU } }).navigator.gpu;
    const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
    if (!adapter) throw new Error('navigator.gpu.requestAdapter() returned no adapter');
    const requiredLimits: Record<string, number> = {};
    for (const n of LIMIT_NAMES) requiredLimits[n] = adapter.limits[n];
    const requiredFeatures: GPUFeatureName[] = adapter.features.has('timestamp-query') ? ['timestamp-query'] : [];
    const device = await adapter.requestDevice({ requiredLimits, requiredFeatures });
    const info = adapter.info;
    gpuLimitsSeen = {
      maxStorageBufferBindingSize: device.limits.maxStorageBufferBindingSize,
      maxBufferSize: device.limits.maxBufferSize,
      maxComputeWorkgroupStorageSize: device.limits.maxComputeWorkgroupStorageSize,
      maxStorageBuffersPerShaderStage: device.limits.maxStorageBuffersPerShaderStage,
      maxComputeWorkgroupsPerDimension: device.limits.maxComputeWorkgroupsPerDimension,
      maxComputeInvocationsPerWorkgroup: device.limits.maxComputeInvocationsPerWorkgroup,
      adapter: info ? [info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(' / ') : '',
    };
    return new WebGPUBackend(device, info);
  }, 3);
  webgpuFactoryReplaced = true;
}

export interface InitBackendOptions {
  /** WASM binaries: a URL/path prefix ending in '/', or a map file name -> URL. */
  wasmPaths?: string | Record<string, string>;
}

export function isNode(): boolean {
  return !!(globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node;
}

export function defaultBackendOrder(): BackendName[] {
  return isNode() ? ['wasm', 'cpu'] : ['webgpu', 'webgl', 'wasm', 'cpu'];
}

let current: BackendInfo | undefined;

export async function initBackend(preferred?: BackendName, options: InitBackendOptions = {}): Promise<BackendInfo> {
  if (preferred !== undefined && !BACKEND_NAMES.includes(preferred)) {
    throw new Error(`unknown backend '${String(preferred)}' (expected one of ${BACKEND_NAMES.join(', ')})`);
  }
  const order = defaultBackendOrder();
  const tryOrder = preferred ? [preferred, ...order.filter((b) => b !== preferred)] : order;
  if (current && current.name === tryOrder[0] && tf.getBackend() === current.name) return current;
  const fallbacks: BackendInfo['fallbacks'] = [];
  for (const name of tryOrder) {
    try {
      await loadBackendPackage(name, options);
      const ok = await tf.setBackend(name);
      if (!ok) throw new Error(`tf.setBackend('${name}') returned false`);
      await tf.ready();
      if (name === 'wasm') registerWasmTrainingKernels();
      if (name === 'webgpu') registerWebGPUTrainingKernels();
      current = name === 'webgpu' && gpuLimitsSeen ? { name, fallbacks, limits: gpuLimitsSeen } : { name, fallbacks };
      return current;
    } catch (e) {
      fallbacks.push({ name, reason: (e as Error)?.message ?? String(e) });
    }
  }
  throw new Error(`no TensorFlow.js backend could be initialised: ${fallbacks.map((f) => `${f.name}: ${f.reason}`).join('; ')}`);
}

async function loadBackendPackage(name: BackendName, options: InitBackendOptions): Promise<void> {
  switch (name) {
    case 'cpu':
      await import('@tensorflow/tfjs-backend-cpu');
      return;
    case 'webgl':
      if (isNode()) throw new Error('WebGL is not available in Node');
      await import('@tensorflow/tfjs-backend-webgl');
      return;
    case 'webgpu': {
      const nav = (globalThis as { navigator?: { gpu?: unknown } }).navigator;
      if (!nav?.gpu) throw new Error('navigator.gpu is missing (WebGPU not supported here)');
      await import('@tensorflow/tfjs-backend-webgpu');
      await replaceWebGPUFactory();
      return;
    }
    case 'wasm': {
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      if (options.wasmPaths !== undefined) wasm.setWasmPaths(options.wasmPaths as string);
      return;
    }
  }
}
