/**
 * Backend selection for a session: core's initBackend (webgpu -> webgl -> wasm -> cpu in a
 * browser; wasm -> cpu in Node) for a session, reported once as a `backend` event with why each better backend
 * was not used, and a watch on WebGPU's device.lost so a lost GPU ends the run with a clear error.
 */
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, type BackendInfo, type BackendName, type InitBackendOptions } from '../backend/init';

export interface BackendState {
  info: BackendInfo;
  /** Set when the GPU device was lost (the backend is unusable until the worker restarts). */
  lost: string | null;
  /**
   * Resolves with the message once the GPU device is lost (never on other backends). A read on a
   * lost device can fail (AbortError from mapAsync) a moment before device.lost resolves: a run
   * that fails waits briefly on this before telling a lost GPU from another failure.
   */
  whenLost: Promise<string>;
}

/** How long a failed run waits for device.lost before calling the failure something else. */
export const DEVICE_LOST_GRACE_MS = 1500;

/** The lost-device message, or null if the device was not lost within `ms`. */
export async function lostWithin(state: BackendState | null, ms = DEVICE_LOST_GRACE_MS): Promise<string | null> {
  if (!state || state.info.name !== 'webgpu') return null;
  if (state.lost) return state.lost;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), ms)));
  try {
    return await Promise.race([state.whenLost, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

interface GpuDeviceLike {
  lost?: Promise<{ message?: string; reason?: string }>;
}

export async function ensureBackend(preferred: BackendName | undefined, onLost: (message: string) => void, options: InitBackendOptions = {}): Promise<BackendState> {
  const info = await initBackend(preferred, options);
  let markLost: (message: string) => void = () => undefined;
  const whenLost = new Promise<string>((resolve) => (markLost = resolve));
  const state: BackendState = { info, lost: null, whenLost };
  if (info.name === 'webgpu') {
    const device = (tf.backend() as unknown as { device?: GpuDeviceLike }).device;
    void device?.lost?.then((l) => {
      state.lost = `the GPU was lost (the WebGPU device reported "${l.reason ?? 'unknown'}"${l.message ? `: ${l.message}` : ''})`;
      markLost(state.lost);
      onLost(state.lost);
    });
  }
  return state;
}

export function backendEventFields(info: BackendInfo): { name: BackendName; tried: Array<{ name: BackendName; reason: string }>; adapter?: string; softwareRenderer?: boolean } {
  const adapter = info.limits?.adapter || undefined;
  return {
    name: info.name, tried: info.fallbacks.map((f) => ({ name: f.name, reason: f.reason })),
    ...(adapter ? { adapter, softwareRenderer: isSoftwareRenderer(adapter) } : {}),
  };
}

/**
 * True when the WebGPU adapter is a CPU emulation (GPUAdapterInfo vendor / architecture /
 * description): SwiftShader (Chromium's fallback, vendor "google", architecture "swiftshader"),
 * or Mesa's llvmpipe / lavapipe, or Microsoft's Basic Render Driver (WARP).
 */
export function isSoftwareRenderer(adapter: string): boolean {
  return /swiftshader|llvmpipe|lavapipe|softpipe|basic render|microsoft basic|warp/i.test(adapter);
}
