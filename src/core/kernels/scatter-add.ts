/**
 * Embedding gradient: scatter-add of rows into a dense table.
 *
 *   out[v, :] = Σ_{i : ids[i] = v} x[i, :]        x [N, C], ids [N] int32, out [V, C]
 *
 * This is tfjs's UnsortedSegmentSum (the gradient of tf.gather, i.e. of every embedding lookup)
 * for 1-D segment ids. tfjs-backend-webgpu 4.22 computes it as transpose(x), fill [C, V],
 * atomic add, transpose back [C, V] -> [V, C]: two passes over the whole [V, C] table plus a
 * transposed one. Here, on the WebGPU backend:
 *   - V > SMALL_TABLE (word embeddings): a zero fill of [V, C] (one write pass), then one
 *     thread per element of x adds into out with a compare-exchange loop on the float's bits
 *     (WGSL has no float atomics). 2 dispatches; the table is written once. The order of the
 *     additions into one row is not fixed, so repeated runs may differ in the last bits.
 *   - V ≤ SMALL_TABLE (token types, 2 rows): one thread per output element sums its rows
 *     over all N ids in order (no atomics, no contention, deterministic). 1 dispatch.
 * Registered in place of the backend's UnsortedSegmentSum (webgpu-kernels.ts) so every gather
 * gradient takes it; other shapes (ids of rank > 1, non-float32) go to tfjs's own kernel.
 *
 * Fallback (wasm, cpu): tf.unsortedSegmentSum (backend/wasm-kernels.ts on WASM).
 * Parity: e2e/kernels-train.spec.ts against oneHot(ids)ᵀ·x on WebGPU.
 */
import * as tf from '@tensorflow/tfjs-core';
import { dispatchWgsl, gridFor, newOutput, type WebGPUBackendLike } from './gpu-dispatch';

/** Tables with at most this many rows use the deterministic owner-computes kernel. */
export const SMALL_TABLE = 64;

export const FILL_ZERO_CODE = /* wgsl */ `
struct Uniforms { n: u32, pad0: u32, pad1: u32, pad2: u32 };
@group(0) @binding(0) var<storage, read_write> out: array<u32>;
@group(0) @binding(1) var<uniform> u: Uniforms;
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  for (var i = gid.x; i < u.n; i = i + nwg.x * 256u) { out[i] = 0u; }
}`;

export const SCATTER_ADD_CODE = /* wgsl */ `
struct Uniforms { n: u32, cols: u32, rows: u32, pad0: u32 };
@group(0) @binding(0) var<storage, read_write> out: array<atomic<u32>>;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> ids: array<i32>;
@group(0) @binding(3) var<uniform> u: Uniforms;
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  for (var i = gid.x; i < u.n; i = i + nwg.x * 256u) {
    let r = i / u.cols;
    let c = i - r * u.cols;
    let s = ids[r];
    if (s < 0 || u32(s) >= u.rows) { continue; } // out-of-range ids are dropped, as TensorFlow does
    let value = x[i];
    let j = u32(s) * u.cols + c;
    var old = atomicLoad(&out[j]);
    loop {
      let res = atomicCompareExchangeWeak(&out[j], old, bitcast<u32>(bitcast<f32>(old) + value));
      if (res.exchanged) { break; }
      old = res.old_value;
    }
  }
}`;

export const SEGMENT_OWNER_CODE = /* wgsl */ `
struct Uniforms { n: u32, cols: u32, count: u32, pad0: u32 };
@group(0) @binding(0) var<storage, read_write> out: array<f32>;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> ids: array<i32>;
@group(0) @binding(3) var<uniform> u: Uniforms;
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  for (var o = gid.x; o < u.n; o = o + nwg.x * 256u) {
    let v = i32(o / u.cols);
    let c = o - u32(v) * u.cols;
    var s = 0.0;
    for (var r = 0u; r < u.count; r = r + 1u) {
      if (ids[r] == v) { s = s + x[r * u.cols + c]; }
    }
    out[o] = s;
  }
}`;

/** True when the WebGPU kernel handles this call (else tfjs's own kernel runs). */
export function scatterAddApplies(x: tf.TensorInfo, ids: tf.TensorInfo): boolean {
  return x.dtype === 'float32' && ids.dtype === 'int32' && ids.shape.length === 1 && x.shape.length >= 1 && x.shape[0] === ids.shape[0];
}

/** The kernel on the WebGPU backend: [V, ...x.shape[1:]] from x [N, ...] and ids [N]. */
export function scatterAddWebGPU(backend: WebGPUBackendLike, x: tf.TensorInfo, ids: tf.TensorInfo, numRows: number): tf.TensorInfo {
  const N = ids.shape[0];
  const cols = x.shape.slice(1).reduce((a, b) => a * b, 1);
  const out = newOutput(backend, [numRows, ...x.shape.slice(1)]);
  const total = numRows * cols;
  if (numRows <= SMALL_TABLE) {
    dispatchWgsl(backend, {
      name: 'TabtuneSegmentSumSmall', code: SEGMENT_OWNER_CODE,
      bindings: [{ tensor: out, write: true }, { tensor: x }, { tensor: ids }],
      uniforms: [{ type: 'uint32', value: total }, { type: 'uint32', value: cols }, { type: 'uint32', value: N }],
      workgroups: [gridFor(total, 256)],
    });
    return out;
  }
  dispatchWgsl(backend, {
    name: 'TabtuneFillZero', code: FILL_ZERO_CODE,
    bindings: [{ tensor: out, write: true }],
    uniforms: [{ type: 'uint32', value: total }],
    workgroups: [gridFor(total, 256)],
  });
  dispatchWgsl(backend, {
    name: 'TabtuneScatterAdd', code: SCATTER_ADD_CODE,
    bindings: [{ tensor: out, write: true }, { tensor: x }, { tensor: ids }],
    uniforms: [{ type: 'uint32', value: N * cols }, { type: 'uint32', value: cols }, { type: 'uint32', value: numRows }],
    workgroups: [gridFor(N * cols, 256)],
  });
  return out;
}

/** out [V, C] = Σ rows of x by id: the WebGPU kernel when registered, else tfjs's composed kernel. */
export function scatterAdd(x: tf.Tensor2D, ids: tf.Tensor1D, numRows: number): tf.Tensor2D {
  return tf.unsortedSegmentSum(x, ids, numRows) as tf.Tensor2D;
}
