/**
 * Embedding gradient: scatter-add of rows into a dense table, deterministic.
 *
 *   out[v, :] = Σ_{i : ids[i] = v} x[i, :]        x [N, C], ids [N] int32, out [V, C]
 *   the rows of one id are added in ascending position order, from 0 (as the CPU and WASM
 *   kernels add them), so the result is the same bits on every run: a resumed run is bit for
 *   bit the uninterrupted one.
 *
 * This is tfjs's UnsortedSegmentSum (the gradient of tf.gather, i.e. of every embedding lookup)
 * for 1-D segment ids. tfjs-backend-webgpu 4.22 computes it as transpose(x), fill [C, V],
 * atomic add, transpose back [C, V] -> [V, C]: two passes over the whole [V, C] table plus a
 * transposed one, and atomic float adds whose order (hence last bits) varies run to run.
 * Here, on the WebGPU backend:
 *   - V > SMALL_TABLE (word embeddings), 2 dispatches, no atomics:
 *       "link": the zero fill of [V, C] (one write pass) and, per position i, next[i] = the
 *               next position with the same id (or −1) and head[i] = no earlier position has
 *               it (a scan of the N ids: N² integer compares, all threads reading the same id
 *               at a time; 1 M for batch 8 × seq 128);
 *       "sum":  one thread per (head position, column) walks its id's chain in position order,
 *               adds the rows and writes the table row once.
 *     Every x value is read once and every touched table element written once.
 *   - V ≤ SMALL_TABLE (token types, 2 rows): one thread per output element sums its rows
 *     over all N ids in order (no atomics, no contention, deterministic). 1 dispatch.
 * Registered in place of the backend's UnsortedSegmentSum (webgpu-kernels.ts) so every gather
 * gradient takes it; other shapes (ids of rank > 1, non-float32) go to tfjs's own kernel.
 *
 * Fallback (wasm, cpu): tf.unsortedSegmentSum (backend/wasm-kernels.ts on WASM).
 * Parity: e2e/kernels-train.spec.ts against oneHot(ids)ᵀ·x on WebGPU, bit for bit against the
 * host's in-order sum, and run twice on the same inputs.
 */
import * as tf from '@tensorflow/tfjs-core';
import { dispatchWgsl, gridFor, newOutput, type WebGPUBackendLike } from './gpu-dispatch';

/** Tables with at most this many rows use the deterministic owner-computes kernel. */
export const SMALL_TABLE = 64;

export const LINK_CODE = /* wgsl */ `
struct Uniforms { total: u32, count: u32, rows: u32, pad0: u32 };
@group(0) @binding(0) var<storage, read_write> out: array<f32>;
@group(0) @binding(1) var<storage, read_write> links: array<i32>;
@group(0) @binding(2) var<storage, read> ids: array<i32>;
@group(0) @binding(3) var<uniform> u: Uniforms;
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let stride = nwg.x * 256u;
  for (var o = gid.x; o < u.total; o = o + stride) { out[o] = 0.0; }
  // links[i] = next position with ids[i] (−1: none); links[N + i] = 1 when i is its id's first position
  for (var i = gid.x; i < u.count; i = i + stride) {
    let s = ids[i];
    var next = -1;
    var head = 1;
    if (s < 0 || u32(s) >= u.rows) { head = 0; } // out-of-range ids are dropped, as TensorFlow does
    for (var j = 0u; j < u.count; j = j + 1u) {
      if (ids[j] == s) {
        if (j < i) { head = 0; }
        if (j > i && next < 0) { next = i32(j); }
      }
    }
    links[i] = next;
    links[u.count + i] = head;
  }
}`;

export const CHAIN_SUM_CODE = /* wgsl */ `
struct Uniforms { n: u32, cols: u32, count: u32, pad0: u32 };
@group(0) @binding(0) var<storage, read_write> out: array<f32>;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> ids: array<i32>;
@group(0) @binding(3) var<storage, read> links: array<i32>;
@group(0) @binding(4) var<uniform> u: Uniforms;
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  for (var t = gid.x; t < u.n; t = t + nwg.x * 256u) {
    let i = t / u.cols;
    let c = t - i * u.cols;
    if (links[u.count + i] == 0) { continue; }
    var s = 0.0;
    var j = i32(i);
    loop {
      s = s + x[u32(j) * u.cols + c];
      j = links[j];
      if (j < 0) { break; }
    }
    out[u32(ids[i]) * u.cols + c] = s;
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
  const links = newOutput(backend, [2 * N], 'int32');
  dispatchWgsl(backend, {
    name: 'TabtuneScatterAddLink', code: LINK_CODE,
    bindings: [{ tensor: out, write: true }, { tensor: links, write: true }, { tensor: ids }],
    uniforms: [{ type: 'uint32', value: total }, { type: 'uint32', value: N }, { type: 'uint32', value: numRows }],
    workgroups: [gridFor(Math.max(total, N), 256)],
  });
  dispatchWgsl(backend, {
    name: 'TabtuneScatterAddSum', code: CHAIN_SUM_CODE,
    bindings: [{ tensor: out, write: true }, { tensor: x }, { tensor: ids }, { tensor: links }],
    uniforms: [{ type: 'uint32', value: N * cols }, { type: 'uint32', value: cols }, { type: 'uint32', value: N }],
    workgroups: [gridFor(N * cols, 256)],
  });
  (backend as unknown as { disposeData(id: unknown): void }).disposeData(links.dataId); // released once the queue ran it
  return out;
}

/** out [V, C] = Σ rows of x by id: the WebGPU kernel when registered, else tfjs's composed kernel. */
export function scatterAdd(x: tf.Tensor2D, ids: tf.Tensor1D, numRows: number): tf.Tensor2D {
  return tf.unsortedSegmentSum(x, ids, numRows) as tf.Tensor2D;
}
