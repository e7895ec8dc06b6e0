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
 *   sum-squares: up to K gradient tensors per dispatch (K = storage bindings − 1, at most 15);
 *     tensor j gets W_j = min(⌈⌈n_j/4⌉ / (64·16)⌉, 32) workgroups of 64 threads, one after the
 *     other (no idle workgroups: a [128] bias takes one); thread t of the tensor's 64·W_j reads
 *     the vec4 (4 consecutive values; value by value, lanes past n as 0, when n is not a
 *     multiple of 4) t, t + 64·W_j, ... in order, sums their squares in 4 lanes and writes
 *     x + y + z + w to partials[i·P + t] (i the tensor's index in the step, P = NORM_PARTIALS).
 *     No workgroup barrier: on SwiftShader (a CPU) a workgroup that synchronises is costly; the
 *     previous kernel (64 workgroups of 256 threads per tensor, most of them idle, each with a
 *     tree reduction) took 631 ms for BERT-Tiny's 41 gradients, this one 34 ms (both at load ~8).
 *   finalize (one workgroup): Σg²_i = Σ_t partials[i·P + t] over the tensor's 64·W_i partials
 *     (fixed order: deterministic; W_i from the uniform size table), then total, ‖g‖, ok,
 *     clip, the step scalars and the report [loss, ‖g‖, applied, Σg²_0..N−1].
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

/** Threads of a sum-squares workgroup; vec4 per thread before a tensor gets one more workgroup; most workgroups per tensor. */
const NORM_THREADS = 64;
const NORM_VEC4_PER_THREAD = 16;
const NORM_MAX_WORKGROUPS = 32;
/** Partial-sum slots per tensor (one per thread of its sum-squares workgroups, at most). */
export const NORM_PARTIALS = NORM_THREADS * NORM_MAX_WORKGROUPS;

/** Sum-squares workgroups of a tensor of n values. */
export function normWorkgroups(n: number): number {
  return Math.max(1, Math.min(NORM_MAX_WORKGROUPS, Math.ceil(Math.ceil(n / 4) / (NORM_THREADS * NORM_VEC4_PER_THREAD))));
}
/** Device state layout: [t, halted, β1ᵗ, β2ᵗ]. */
export const STATE_SIZE = 4;
/** Step scalars layout: [ok, clip, lrEff, stepSize, sqrtBc2, 0, 0, 0]. */
export const SCALARS_SIZE = 8;

const finiteFn = /* wgsl */ `
fn finite(x: f32) -> bool { return (bitcast<u32>(x) & 0x7f800000u) != 0x7f800000u; }`;

/** WGSL of the sum-squares kernel for tensors whose length is (true) or is not a multiple of 4. */
export function sumSquaresCode(vec4: readonly boolean[]): string {
  const k = vec4.length;
  const decls = vec4.map((v, j) => `@group(0) @binding(${j + 1}) var<storage, read> g${j}: array<${v ? 'vec4<f32>' : 'f32'}>;`).join('\n');
  const fields = Array.from({ length: k }, (_, j) => `n${j}: u32, wg${j}: u32, first${j}: u32,`).join(' ');
  const parts = vec4.map((v, j) => `
fn part${j}(t: u32) -> f32 {
  let n4 = (u.n${j} + 3u) / 4u;
  let stride = u.wg${j} * ${NORM_THREADS}u;
  var s = vec4<f32>(0.0);
  for (var i = t; i < n4; i = i + stride) {
    ${v ? `let x = g${j}[i];` : `var x = vec4<f32>(0.0);
    for (var c = 0u; c < 4u; c = c + 1u) { if (4u * i + c < u.n${j}) { x[c] = g${j}[4u * i + c]; } }`}
    s = s + x * x;
  }
  return s.x + s.y + s.z + s.w;
}`).join('\n');
  // tensor j takes workgroups [first_j, first_j + wg_j); its thread t writes slot t of its row
  const pick = Array.from({ length: k }, (_, j) => `${j ? ' else ' : ''}if (w < u.first${j} + u.wg${j}) { partials[(u.slot0 + ${j}u) * ${NORM_PARTIALS}u + t(w - u.first${j}, lid)] = part${j}(t(w - u.first${j}, lid)); }`).join('');
  return /* wgsl */ `
struct Uniforms { slot0: u32, ${fields} };
@group(0) @binding(0) var<storage, read_write> partials: array<f32>;
${decls}
@group(0) @binding(${k + 1}) var<uniform> u: Uniforms;
${parts}
fn t(block: u32, lid: u32) -> u32 { return block * ${NORM_THREADS}u + lid; }
@compute @workgroup_size(${NORM_THREADS})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let w = wg.x;
  ${pick}
}`;
}

/** WGSL of the finalize kernel for n tensors (their sum-squares workgroup counts in the uniforms). */
export function finalizeCode(n: number): string {
  const rows = Math.max(1, Math.ceil(n / 4));
  return /* wgsl */ `
struct Uniforms { n: u32, mode: u32, clipOn: u32, pad0: u32, lr: f32, clipNorm: f32, b1: f32, b2: f32, wg: array<vec4<u32>, ${rows}> };
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
    let used = u.wg[i / 4u][i % 4u] * ${NORM_THREADS}u;
    var s = 0.0;
    for (var t = 0u; t < used; t = t + 1u) { s = s + partials[i * ${NORM_PARTIALS}u + t]; }
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
}

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
  const size = (g: tf.TensorInfo) => g.shape.reduce((a, b) => a * b, 1);
  const partialsSize = size(bufs.partials);
  if (partialsSize < grads.length * NORM_PARTIALS) throw new Error(`internal: ${partialsSize} norm partials for ${grads.length} tensors (need ${NORM_PARTIALS} each)`);
  const wgs = grads.map((g) => normWorkgroups(size(g)));
  const k = Math.max(1, Math.min(15, maxStorageBindings(backend) - 1));
  for (let s = 0; s < grads.length; s += k) {
    const chunk = grads.slice(s, s + k);
    let total = 0;
    const fields = chunk.flatMap((g, j) => {
      const first = total;
      total += wgs[s + j];
      return [
        { type: 'uint32' as const, value: size(g) },
        { type: 'uint32' as const, value: wgs[s + j] },
        { type: 'uint32' as const, value: first },
      ];
    });
    dispatchWgsl(backend, {
      name: 'TabtuneSumSquares',
      code: sumSquaresCode(chunk.map((g) => size(g) % 4 === 0)),
      bindings: [{ tensor: bufs.partials, write: true }, ...chunk.map((g) => ({ tensor: g }))],
      uniforms: [{ type: 'uint32', value: s }, ...fields],
      workgroups: [total],
    });
  }
  const c = h.maxGradNorm;
  const clipOn = c > 0 && Number.isFinite(c);
  const table = Array.from({ length: Math.max(1, Math.ceil(grads.length / 4)) * 4 }, (_, i) => ({ type: 'uint32' as const, value: wgs[i] ?? 0 }));
  dispatchWgsl(backend, {
    name: 'TabtuneNormFinalize',
    code: finalizeCode(grads.length),
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
      ...table,
    ],
    workgroups: [1],
  });
}
