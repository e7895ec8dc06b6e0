/**
 * Global gradient norm in one reduction pass, and the step's on-device decision.
 *
 *   Σg²_i = Σ_j g_i[j]²                      per gradient tensor i      (sum-squares kernel)
 *   total = Σ_i Σg²_i;  ‖g‖ = √total
 *   finite = loss and total finite;  ok = finite ∧ ¬halted;  halted ← halted ∨ ¬finite
 *   clip  = c / max(‖g‖, c)                 (bert-adam: tf.clip_by_global_norm)
 *         = min(1, c / (‖g‖ + 1e-6))        (adamw: torch clip_grad_norm_);   1 when clipping is off
 *   t ← t + ok;  b1ᵗ ← b1ᵗ·β1^ok;  b2ᵗ ← b2ᵗ·β2^ok        (AdamW's bias corrections, no pow)
 *
 * Kernels (WGSL, run with gpu-dispatch.ts on tfjs's device):
 *   sum-squares: up to K gradient tensors per dispatch (K = storage bindings − 1, at most 15); each tensor
 *     gets P workgroups of 256 threads reading it once with a grid stride; workgroup w of tensor
 *     i writes its partial sum to partials[i·P + w] (a tree reduction in workgroup memory; a
 *     workgroup past the tensor's end writes 0 at once: a [128] bias keeps 1 of its 64 busy).
 *   finalize (one workgroup): Σg²_i = Σ_w partials[i·P + w] (fixed order: deterministic), then
 *     total, ‖g‖, ok, clip, the step scalars and the report [loss, ‖g‖, applied, Σg²_0..N−1].
 * Every gradient element is read once; the dispatch count is ⌈N / K⌉ + 1.
 *
 * `halted` is sticky: after a non-finite step no later step applies until the host clears it
 * (Trainer.clearHalt), so steps submitted before the host saw the bad one cannot move the last
 * good weights.
 *
 * Step scalars (`scal`, read by adam.ts): [ok, clip, lrEff = ok·lr, stepSize, √(1 − β2ᵗ)] where
 * stepSize = lrEff for bert-adam and lrEff / (1 − β1ᵗ) for adamw.
 *
 * Fallback (wasm, cpu, webgl): the same formulas composed from tfjs ops in train/optimizer.ts.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { dispatchWgsl, maxStorageBindings, type WebGPUBackendLike } from './gpu-dispatch';

/** Workgroups (partial sums) per tensor. */
export const NORM_PARTIALS = 64;
/** Device state layout: [t, halted, β1ᵗ, β2ᵗ]. */
export const STATE_SIZE = 4;
/** Step scalars layout: [ok, clip, lrEff, stepSize, sqrtBc2, 0, 0, 0]. */
export const SCALARS_SIZE = 8;

const finiteFn = /* wgsl */ `
fn finite(x: f32) -> bool { return (bitcast<u32>(x) & 0x7f800000u) != 0x7f800000u; }`;

/** WGSL of the sum-squares kernel for k tensors per dispatch. */
export function sumSquaresCode(k: number): string {
  const P = NORM_PARTIALS;
  const decls = Array.from({ length: k }, (_, j) => `@group(0) @binding(${j + 1}) var<storage, read> g${j}: array<f32>;`).join('\n');
  const sizes = Array.from({ length: k }, (_, j) => `n${j}: u32,`).join(' ');
  const parts = Array.from({ length: k }, (_, j) => `
fn part${j}(w: u32, lid: u32) -> f32 {
  var s = 0.0;
  for (var i = w * 256u + lid; i < u.n${j}; i = i + ${P * 256}u) { let x = g${j}[i]; s = s + x * x; }
  return s;
}`).join('\n');
  const cases = Array.from({ length: k }, (_, j) => `case ${j}u: { s = part${j}(wg.x, lid); }`).join(' ');
  const sizeOf = Array.from({ length: k }, (_, j) => `case ${j}u: { n = u.n${j}; }`).join(' ');
  return /* wgsl */ `
struct Uniforms { slot0: u32, ${sizes} };
@group(0) @binding(0) var<storage, read_write> partials: array<f32>;
${decls}
@group(0) @binding(${k + 1}) var<uniform> u: Uniforms;
var<workgroup> acc: array<f32, 256>;
${parts}
@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  var n = 0u;
  switch wg.y { ${sizeOf} default: {} }
  if (wg.x * 256u >= n) {
    // no element of this tensor for this workgroup (small tensors: biases, LayerNorm): its partial
    // is 0, written without the tree reduction (uniform per workgroup: no barrier is skipped)
    if (lid == 0u) { partials[(u.slot0 + wg.y) * ${P}u + wg.x] = 0.0; }
    return;
  }
  var s = 0.0;
  switch wg.y { ${cases} default: {} }
  acc[lid] = s;
  workgroupBarrier();
  for (var h = 128u; h > 0u; h = h >> 1u) {
    if (lid < h) { acc[lid] = acc[lid] + acc[lid + h]; }
    workgroupBarrier();
  }
  if (lid == 0u) { partials[(u.slot0 + wg.y) * ${P}u + wg.x] = acc[0]; }
}`;
}

export const FINALIZE_CODE = /* wgsl */ `
struct Uniforms { n: u32, mode: u32, clipOn: u32, pad0: u32, lr: f32, clipNorm: f32, b1: f32, b2: f32 };
@group(0) @binding(0) var<storage, read> partials: array<f32>;
@group(0) @binding(1) var<storage, read> loss: array<f32>;
@group(0) @binding(2) var<storage, read_write> state: array<f32>;
@group(0) @binding(3) var<storage, read_write> report: array<f32>;
@group(0) @binding(4) var<storage, read_write> scal: array<f32>;
@group(0) @binding(5) var<uniform> u: Uniforms;
${finiteFn}
@compute @workgroup_size(256)
fn main(@builtin(local_invocation_index) lid: u32) {
  for (var i = lid; i < u.n; i = i + 256u) {
    var s = 0.0;
    for (var w = 0u; w < ${NORM_PARTIALS}u; w = w + 1u) { s = s + partials[i * ${NORM_PARTIALS}u + w]; }
    report[3u + i] = s;
  }
  storageBarrier();
  workgroupBarrier();
  if (lid != 0u) { return; }
  let l = loss[0];
  var total = 0.0;
  for (var i = 0u; i < u.n; i = i + 1u) { total = total + report[3u + i]; }
  let isFinite = finite(l) && finite(total);
  let ok = isFinite && state[1] == 0.0;
  if (!isFinite) { state[1] = 1.0; }
  if (ok) {
    state[0] = state[0] + 1.0;
    state[2] = state[2] * u.b1;
    state[3] = state[3] * u.b2;
  }
  let norm = sqrt(total);
  var clip = 1.0;
  if (u.clipOn != 0u && ok) {
    if (u.mode == 0u) { clip = u.clipNorm / max(norm, u.clipNorm); }
    else { clip = min(1.0, u.clipNorm / (norm + 1e-6)); }
  }
  let lrEff = select(0.0, u.lr, ok);
  var stepSize = lrEff;
  var sqrtBc2 = 1.0;
  if (u.mode == 1u && ok) {
    stepSize = lrEff / (1.0 - state[2]);
    sqrtBc2 = sqrt(1.0 - state[3]);
  }
  report[0] = l;
  report[1] = norm;
  report[2] = select(0.0, 1.0, ok);
  scal[0] = select(0.0, 1.0, ok);
  scal[1] = clip;
  scal[2] = lrEff;
  scal[3] = stepSize;
  scal[4] = sqrtBc2;
}`;

export interface NormBuffers {
  /** [N · NORM_PARTIALS] scratch. */
  partials: tf.TensorInfo;
  /** [STATE_SIZE] t, halted, β1ᵗ, β2ᵗ (persistent). */
  state: tf.TensorInfo;
  /** [SCALARS_SIZE] this step's scalars for the update kernel. */
  scal: tf.TensorInfo;
}

export interface NormHyper {
  mode: 'bert-adam' | 'adamw';
  learningRate: number;
  /** 0 or ∞: no clipping. */
  maxGradNorm: number;
  beta1: number;
  beta2: number;
}

/** Enqueues the norm pass and the finalize kernel; `report` [3 + N] receives loss, ‖g‖, applied, Σg² per tensor. */
export function enqueueGlobalNorm(backend: WebGPUBackendLike, grads: readonly tf.TensorInfo[], loss: tf.TensorInfo, bufs: NormBuffers, report: tf.TensorInfo, h: NormHyper): void {
  const k = Math.max(1, Math.min(15, maxStorageBindings(backend) - 1));
  for (let s = 0; s < grads.length; s += k) {
    const chunk = grads.slice(s, s + k);
    dispatchWgsl(backend, {
      name: 'TabtuneSumSquares',
      code: sumSquaresCode(chunk.length),
      bindings: [{ tensor: bufs.partials, write: true }, ...chunk.map((g) => ({ tensor: g }))],
      uniforms: [{ type: 'uint32', value: s }, ...chunk.map((g) => ({ type: 'uint32' as const, value: g.shape.reduce((a, b) => a * b, 1) }))],
      workgroups: [NORM_PARTIALS, chunk.length],
    });
  }
  const c = h.maxGradNorm;
  const clipOn = c > 0 && Number.isFinite(c);
  dispatchWgsl(backend, {
    name: 'TabtuneNormFinalize',
    code: FINALIZE_CODE,
    bindings: [{ tensor: bufs.partials }, { tensor: loss }, { tensor: bufs.state, write: true }, { tensor: report, write: true }, { tensor: bufs.scal, write: true }],
    uniforms: [
      { type: 'uint32', value: grads.length },
      { type: 'uint32', value: h.mode === 'bert-adam' ? 0 : 1 },
      { type: 'uint32', value: clipOn ? 1 : 0 },
      { type: 'uint32', value: 0 },
      { type: 'float32', value: h.learningRate },
      { type: 'float32', value: clipOn ? c : 0 },
      { type: 'float32', value: h.beta1 },
      { type: 'float32', value: h.beta2 },
    ],
    workgroups: [1],
  });
}
