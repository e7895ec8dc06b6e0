/**
 * The optimizer update as one WGSL kernel per weight tensor: p, m and v updated in place, in
 * one read and one write of each (no concat, no split, no temporaries).
 *
 *   ĝ = g · clip
 *   m ← β1·m + (1−β1)·ĝ;   v ← β2·v + (1−β2)·ĝ²
 *   bert-adam: p ← p − lrEff · ( m / (√v + ε) + wd·p )                   (no bias correction)
 *   adamw:     p ← p·(1 − lrEff·wd);  p ← p − stepSize · m / (√v / √(1−β2ᵗ) + ε)
 * wd is 0 for tensors without decay (LayerNorm, biases). clip, lrEff, stepSize and √(1−β2ᵗ)
 * come from the step scalars the finalize kernel wrote on the device (global-norm.ts); when
 * that step is not applied (ok = 0) the kernel returns before touching anything, so a skipped
 * step leaves p, m and v bit-for-bit as they were, with no read-back.
 *
 * Grid: min(⌈n/256⌉, 4096) workgroups of 256 threads, grid-stride loop (BERT-base's word
 * embeddings, 23.4M elements, exceed one dimension's 65,535 workgroups otherwise).
 *
 * Fallback (wasm, cpu, webgl): the composed chain of tfjs ops in train/optimizer.ts, same
 * formulas; the WebGPU parity test (e2e/kernels-train.spec.ts) compares the two.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { dispatchWgsl, gridFor, type WebGPUBackendLike } from './gpu-dispatch';

export const ADAM_CODE = /* wgsl */ `
struct Uniforms { n: u32, mode: u32, pad0: u32, pad1: u32, b1: f32, oneMinusB1: f32, b2: f32, oneMinusB2: f32, eps: f32, wd: f32 };
@group(0) @binding(0) var<storage, read_write> p: array<f32>;
@group(0) @binding(1) var<storage, read_write> m: array<f32>;
@group(0) @binding(2) var<storage, read_write> v: array<f32>;
@group(0) @binding(3) var<storage, read> g: array<f32>;
@group(0) @binding(4) var<storage, read> scal: array<f32>;
@group(0) @binding(5) var<uniform> u: Uniforms;
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  if (scal[0] == 0.0) { return; }
  let clip = scal[1];
  let lr = scal[2];
  let stepSize = scal[3];
  let sqrtBc2 = scal[4];
  let stride = nwg.x * 256u;
  for (var i = gid.x; i < u.n; i = i + stride) {
    let gc = g[i] * clip;
    let m1 = u.b1 * m[i] + u.oneMinusB1 * gc;
    let v1 = u.b2 * v[i] + u.oneMinusB2 * gc * gc;
    m[i] = m1;
    v[i] = v1;
    var w = p[i];
    if (u.mode == 0u) {
      w = w - lr * (m1 / (sqrt(v1) + u.eps) + u.wd * w);
    } else {
      w = w * (1.0 - lr * u.wd);
      w = w - stepSize * (m1 / (sqrt(v1) / sqrtBc2 + u.eps));
    }
    p[i] = w;
  }
}`;

export interface AdamHyper {
  mode: 'bert-adam' | 'adamw';
  beta1: number;
  beta2: number;
  epsilon: number;
  /** This tensor's weight decay (0 when it does not decay). */
  weightDecay: number;
}

/** Enqueues one in-place update of (p, m, v) from g with the device step scalars `scal`. */
export function enqueueAdam(backend: WebGPUBackendLike, p: tf.TensorInfo, m: tf.TensorInfo, v: tf.TensorInfo, g: tf.TensorInfo, scal: tf.TensorInfo, h: AdamHyper): void {
  const n = p.shape.reduce((a, b) => a * b, 1);
  dispatchWgsl(backend, {
    name: 'TabtuneAdam',
    code: ADAM_CODE,
    bindings: [{ tensor: p, write: true }, { tensor: m, write: true }, { tensor: v, write: true }, { tensor: g }, { tensor: scal }],
    uniforms: [
      { type: 'uint32', value: n },
      { type: 'uint32', value: h.mode === 'bert-adam' ? 0 : 1 },
      { type: 'uint32', value: 0 },
      { type: 'uint32', value: 0 },
      { type: 'float32', value: h.beta1 },
      { type: 'float32', value: 1 - h.beta1 },
      { type: 'float32', value: h.beta2 },
      { type: 'float32', value: 1 - h.beta2 },
      { type: 'float32', value: h.epsilon },
      { type: 'float32', value: h.weightDecay },
    ],
    workgroups: [gridFor(n, 256)],
  });
}
