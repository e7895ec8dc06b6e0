/**
 * Bias and LayerNorm-parameter gradients: the sum over leading axes.
 *
 *   out[c] = Σ_r x[r, c]        x viewed as [R, C], R = ∏ shape[0..j−1], C = ∏ shape[j..]
 *
 * tfjs's gradients produce these as Sum over axes [0..j−1]: a dense layer's bias (dy [B·S, out]
 * -> [out]), LayerNorm's γ and β ([B·S, H] -> [H]), the position embeddings ([B, S, H] -> [S, H]).
 * tfjs-backend-webgpu 4.22 reduces only over the innermost axis, so it first transposes x
 * (a full copy) and then reduces. This kernel reads x once, in place: workgroups of 32 columns
 * × 8 row lanes (adjacent threads read adjacent columns), each lane sums every 8th row in
 * order, then the 8 lanes are added in workgroup memory. One dispatch, ⌈C/32⌉ workgroups,
 * deterministic.
 * Registered in place of the backend's Sum (webgpu-kernels.ts) for float32 reductions over
 * leading axes; every other Sum goes to tfjs's own kernel.
 *
 * Fallback (wasm, cpu): tf.sum. Parity: e2e/kernels-train.spec.ts against ones[1, R]·x on WebGPU.
 */
import * as tf from '@tensorflow/tfjs-core';
import { dispatchWgsl, newOutput, type WebGPUBackendLike } from './gpu-dispatch';

export const COLUMN_SUM_CODE = /* wgsl */ `
struct Uniforms { rows: u32, cols: u32, pad0: u32, pad1: u32 };
@group(0) @binding(0) var<storage, read_write> out: array<f32>;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<uniform> u: Uniforms;
var<workgroup> lanes: array<f32, 256>;
@compute @workgroup_size(32, 8, 1)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let c = wg.x * 32u + lid.x;
  var s = 0.0;
  if (c < u.cols) {
    for (var r = lid.y; r < u.rows; r = r + 8u) { s = s + x[r * u.cols + c]; }
  }
  lanes[lid.y * 32u + lid.x] = s;
  workgroupBarrier();
  if (lid.y == 0u && c < u.cols) {
    var t = 0.0;
    for (var k = 0u; k < 8u; k = k + 1u) { t = t + lanes[k * 32u + lid.x]; }
    out[c] = t;
  }
}`;

/** j when `axes` are exactly the leading axes [0..j−1] of a rank-r tensor (j < r), else 0. */
export function leadingAxes(axes: number | number[], rank: number): number {
  const list = (Array.isArray(axes) ? axes : [axes]).map((a) => (a < 0 ? a + rank : a)).sort((a, b) => a - b);
  if (!list.length || list.length >= rank) return 0;
  return list.every((a, i) => a === i) ? list.length : 0;
}

/** Σ over the first j axes on the WebGPU backend: shape x.shape[j..] (keepDims: 1s in front). */
export function columnSumWebGPU(backend: WebGPUBackendLike, x: tf.TensorInfo, j: number, keepDims = false): tf.TensorInfo {
  const rows = x.shape.slice(0, j).reduce((a, b) => a * b, 1);
  const rest = x.shape.slice(j);
  const cols = rest.reduce((a, b) => a * b, 1);
  const out = newOutput(backend, keepDims ? [...x.shape.slice(0, j).map(() => 1), ...rest] : rest);
  dispatchWgsl(backend, {
    name: 'TabtuneColumnSum', code: COLUMN_SUM_CODE,
    bindings: [{ tensor: out, write: true }, { tensor: x }],
    uniforms: [{ type: 'uint32', value: rows }, { type: 'uint32', value: cols }],
    workgroups: [Math.ceil(cols / 32)],
  });
  return out;
}

/** Σ over axis 0 of x [R, C] -> [C]: the WebGPU kernel when registered, else tfjs's composed Sum. */
export function columnSum(x: tf.Tensor2D): tf.Tensor1D {
  return tf.sum(x, 0) as tf.Tensor1D;
}
