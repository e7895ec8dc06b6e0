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

export type BackendName = 'webgpu' | 'webgl' | 'wasm' | 'cpu';

export const BACKEND_NAMES: readonly BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];

export interface BackendInfo {
  name: BackendName;
  /** Backends tried before `name` and why each was not used. */
  fallbacks: { name: BackendName; reason: string }[];
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
      current = { name, fallbacks };
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
      return;
    }
    case 'wasm': {
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      if (options.wasmPaths !== undefined) wasm.setWasmPaths(options.wasmPaths as string);
      return;
    }
  }
}
