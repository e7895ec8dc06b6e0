/**
 * The optimizer update in WGSL: p, m and v of each weight tensor updated in place, in one read
 * and one write of each (no concat, no split, no temporaries); up to 4 tensors per dispatch
 * (workgroup row y updates tensor y: each tensor is its own set of bindings, so the tensors stay
 * separate buffers and nothing is packed).
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
 * Grid: min(⌈n_max/256⌉, 4096) × k workgroups of 256 threads, grid-stride loop (BERT-base's
 * word embeddings, 23.4M elements, exceed one dimension's 65,535 workgroups otherwise).
 *
 * Fallback (wasm, cpu, webgl): the composed chain of tfjs ops in train/optimizer.ts, same
 * formulas; the WebGPU parity test (e2e/kernels-train.spec.ts) compares the two.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { dispatchWgsl, gridFor, maxStorageBindings, type WebGPUBackendLike } from './gpu-dispatch';

/** WGSL of the update for k tensors per dispatch: workgroup row y updates tensor y. */
export function adamCode(k: number): string {
  const decls = Array.from({ length: k }, (_, j) => {
    const b = 1 + 4 * j;
    return `@group(0) @binding(${b}) var<storage, read_write> p${j}: array<f32>;
@group(0) @binding(${b + 1}) var<storage, read_write> m${j}: array<f32>;
@group(0) @binding(${b + 2}) var<storage, read_write> v${j}: array<f32>;
@group(0) @binding(${b + 3}) var<storage, read> g${j}: array<f32>;`;
  }).join('\n');
  const fields = Array.from({ length: k }, (_, j) => `n${j}: u32, wd${j}: f32,`).join(' ');
  const bodies = Array.from({ length: k }, (_, j) => `
fn update${j}(start: u32, stride: u32, clip: f32, lr: f32, stepSize: f32, sqrtBc2: f32) {
  for (var i = start; i < u.n${j}; i = i + stride) {
    let gc = g${j}[i] * clip;
    let mNew = u.b1 * m${j}[i] + u.oneMinusB1 * gc;
    let vNew = u.b2 * v${j}[i] + u.oneMinusB2 * gc * gc;
    m${j}[i] = mNew;
    v${j}[i] = vNew;
    var w = p${j}[i];
    if (u.mode == 0u) {
      w = w - lr * (mNew / (sqrt(vNew) + u.eps) + u.wd${j} * w);
    } else {
      w = w * (1.0 - lr * u.wd${j});
      w = w - stepSize * (mNew / (sqrt(vNew) / sqrtBc2 + u.eps));
    }
    p${j}[i] = w;
  }
}`).join('\n');
  const cases = Array.from({ length: k }, (_, j) => `case ${j}u: { update${j}(start, stride, clip, lr, stepSize, sqrtBc2); }`).join(' ');
  return /* wgsl */ `
struct Uniforms { mode: u32, b1: f32, oneMinusB1: f32, b2: f32, oneMinusB2: f32, eps: f32, ${fields} };
@group(0) @binding(0) var<storage, read> scal: array<f32>;
${decls}
@group(0) @binding(${1 + 4 * k}) var<uniform> u: Uniforms;
${bodies}
@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32, @builtin(num_workgroups) nwg: vec3<u32>) {
  if (scal[0] == 0.0) { return; }
  let clip = scal[1];
  let lr = scal[2];
  let stepSize = scal[3];
  let sqrtBc2 = scal[4];
  let start = wg.x * 256u + lid;
  let stride = nwg.x * 256u;
  switch wg.y { ${cases} default: {} }
}`;
}

export interface AdamHyper {
  mode: 'bert-adam' | 'adamw';
  beta1: number;
  beta2: number;
  epsilon: number;
}

export interface AdamTensor {
  p: tf.TensorInfo;
  m: tf.TensorInfo;
  v: tf.TensorInfo;
  g: tf.TensorInfo;
  /** This tensor's weight decay (0 when it does not decay). */
  weightDecay: number;
}

/**
 * Enqueues the in-place update of every (p, m, v) from its g with the device step scalars
 * `scal`: as many tensors per dispatch as the device's storage bindings allow
 * (⌊(maxStorageBuffersPerShaderStage − 1) / 4⌋, at most 4).
 */
export function enqueueAdam(backend: WebGPUBackendLike, tensors: readonly AdamTensor[], scal: tf.TensorInfo, h: AdamHyper): void {
  const k = Math.max(1, Math.min(4, Math.floor((maxStorageBindings(backend) - 1) / 4)));
  for (let s = 0; s < tensors.length; s += k) {
    const chunk = tensors.slice(s, s + k);
    const sizes = chunk.map((t) => t.p.shape.reduce((a, b) => a * b, 1));
    dispatchWgsl(backend, {
      name: 'TabtuneAdam',
      code: adamCode(chunk.length),
      bindings: [{ tensor: scal }, ...chunk.flatMap((t) => [{ tensor: t.p, write: true }, { tensor: t.m, write: true }, { tensor: t.v, write: true }, { tensor: t.g }])],
      uniforms: [
        { type: 'uint32', value: h.mode === 'bert-adam' ? 0 : 1 },
        { type: 'float32', value: h.beta1 },
        { type: 'float32', value: 1 - h.beta1 },
        { type: 'float32', value: h.beta2 },
        { type: 'float32', value: 1 - h.beta2 },
        { type: 'float32', value: h.epsilon },
        ...chunk.flatMap((t, j) => [{ type: 'uint32' as const, value: sizes[j] }, { type: 'float32' as const, value: t.weightDecay }]),
      ],
      workgroups: [gridFor(Math.max(...sizes), 256), chunk.length],
    });
  }
}
