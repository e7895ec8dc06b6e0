/**
 * The optimizer update in WGSL: p, m and v of each weight tensor updated in place, in one read
 * and one write of each (no concat, no split, no temporaries), several tensors per dispatch.
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
 * Slots in slabs: the Adam moments are not one buffer per tensor but a few large "slabs"
 * (`packAdamSlots`): tensor i's m is slab[mSlab_i][mOff_i .. mOff_i + n_i), its v likewise,
 * m and v of one tensor side by side, every slot starting at a multiple of 4 values (a slot of
 * n values takes ⌈n/4⌉·4; the padding stays 0). A dispatch binds the step scalars, the slabs its
 * tensors use, and p and g of each tensor (2 storage bindings per tensor instead of 4), and reads
 * every tensor's size and offsets from its uniforms (the offset table). With one slab (every
 * model up to ~BERT-large on a 1 GiB binding limit) that is ⌊(bindings − 2) / 2⌋ tensors per
 * dispatch: 4 on 10 storage bindings (SwiftShader), 3 on WebGPU's default 8. Slabs are at most
 * the device's largest storage binding, so no buffer exceeds WebGPU's limits.
 *
 * Four values per load: the slabs are read and written as vec4 (4 consecutive values), and so
 * are p and g when n is a multiple of 4 (every BERT weight); a tensor of other length (a
 * 2-label classifier's bias) loads its p and g value by value into a vec4, the lanes past n
 * as 0, and stores only the lanes below n. The arithmetic is lane-wise, the same float
 * operations in the same order as one value at a time.
 *
 * Grid: no idle workgroups. Tensor j of a dispatch gets ⌈⌈n_j/4⌉ / (64·16)⌉ workgroups of 64
 * threads, one after the other (its first workgroup is a uniform); workgroup w takes the 1024
 * vec4 (4096 values) block w − first_j of its tensor, each thread 16 vec4 spaced 64 apart
 * (adjacent threads, adjacent vec4). Past 65,535 workgroups the grid wraps into y (BERT-base's
 * word embeddings take 5,723). Was: min(⌈n_max/256⌉, 4096) × k workgroups of 256 threads with
 * a grid stride, most of them idle next to the word embeddings: BERT-Tiny's 11 update dispatches
 * took 670 ms on SwiftShader, now 159 ms (both at load ~8).
 *
 * Fallback (wasm, cpu, webgl): the composed chain of tfjs ops in train/optimizer.ts, same
 * formulas; the WebGPU parity test (e2e/kernels-train.spec.ts) compares the two.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { dispatchWgsl, maxStorageBindings, type WebGPUBackendLike } from './gpu-dispatch';

/** Where one tensor's moments live: slab index and element offset of m and of v. */
export interface SlotPlace {
  n: number;
  mSlab: number;
  mOff: number;
  vSlab: number;
  vOff: number;
}

export interface SlotLayout {
  /** Element count of each slab. */
  slabSizes: number[];
  /** One entry per tensor, in the given order. */
  places: SlotPlace[];
}

/** Values one moment slot takes in a slab: n rounded up to a multiple of 4 (vec4 access). */
export function slotSize(n: number): number {
  return Math.ceil(n / 4) * 4;
}

/**
 * Packs the m and v of tensors of `sizes` elements into slabs of at most `limit` elements, in
 * order (m then v of tensor 0, then of tensor 1, ...), each slot `slotSize(n)` values from a
 * multiple of 4; a slab is closed when the next moment does not fit. A single moment larger
 * than `limit` cannot be bound at all: an error.
 */
export function packAdamSlots(sizes: readonly number[], limit: number): SlotLayout {
  const slabSizes: number[] = [];
  const places: SlotPlace[] = [];
  const put = (n: number, what: string): [number, number] => {
    const size = slotSize(n);
    if (size > limit) throw new Error(`the Adam ${what} of ${n} values exceeds the device's largest storage binding (${limit} float32 values)`);
    if (!slabSizes.length || slabSizes[slabSizes.length - 1] + size > limit) slabSizes.push(0);
    const s = slabSizes.length - 1;
    const off = slabSizes[s];
    slabSizes[s] += size;
    return [s, off];
  };
  sizes.forEach((n, i) => {
    const [mSlab, mOff] = put(n, `m of tensor ${i}`);
    const [vSlab, vOff] = put(n, `v of tensor ${i}`);
    places.push({ n, mSlab, mOff, vSlab, vOff });
  });
  return { slabSizes, places };
}

/** One dispatch: tensors `tensors` (indices into the layout), slabs it binds (global indices). */
export interface AdamChunk {
  tensors: number[];
  slabs: number[];
}

/**
 * Splits the tensors (in order) into dispatches of at most `maxTensors` tensors whose bindings
 * (1 for the step scalars + the slabs used + 2 per tensor) fit `bindings`.
 */
export function adamChunks(layout: SlotLayout, bindings: number, maxTensors = 8): AdamChunk[] {
  const chunks: AdamChunk[] = [];
  let cur: AdamChunk = { tensors: [], slabs: [] };
  const cost = (c: AdamChunk) => 1 + c.slabs.length + 2 * c.tensors.length;
  layout.places.forEach((p, i) => {
    const slabs = [...new Set([...cur.slabs, p.mSlab, p.vSlab])];
    const next = { tensors: [...cur.tensors, i], slabs };
    if (cur.tensors.length && (cur.tensors.length >= maxTensors || cost(next) > bindings)) {
      chunks.push(cur);
      cur = { tensors: [i], slabs: [...new Set([p.mSlab, p.vSlab])] };
    } else {
      cur = next;
    }
  });
  if (cur.tensors.length) chunks.push(cur);
  for (const c of chunks) if (cost(c) > bindings) throw new Error(`one Adam tensor needs ${cost(c)} storage bindings; the device has ${bindings}`);
  return chunks;
}

/** Threads per workgroup and vec4 per thread of the update kernel: 4096 values per workgroup. */
export const ADAM_THREADS = 64;
export const ADAM_VEC4_PER_THREAD = 16;
const BLOCK_VEC4 = ADAM_THREADS * ADAM_VEC4_PER_THREAD;

/** Workgroups of the update for a tensor of n values. */
export function adamWorkgroups(n: number): number {
  return Math.max(1, Math.ceil(Math.ceil(n / 4) / BLOCK_VEC4));
}

/** Per tensor of a dispatch: [local slab of m, local slab of v] and whether n is a multiple of 4. */
export interface AdamTensorCode {
  slabs: readonly [number, number];
  vec4: boolean;
}

/**
 * WGSL of one dispatch (the slab pattern and the vec4 flags are baked in; sizes, offsets and
 * each tensor's first workgroup come from the uniforms, so one pipeline serves every step).
 * Bindings: 0 scal, 1..q slabs, then p_j, g_j; the uniforms last. Offsets om/ov are in vec4.
 */
export function adamCode(tensors: readonly AdamTensorCode[], slabCount: number): string {
  const k = tensors.length;
  const slabDecls = Array.from({ length: slabCount }, (_, s) => `@group(0) @binding(${1 + s}) var<storage, read_write> mv${s}: array<vec4<f32>>;`).join('\n');
  const decls = tensors.map((t, j) => {
    const b = 1 + slabCount + 2 * j;
    const type = t.vec4 ? 'vec4<f32>' : 'f32';
    return `@group(0) @binding(${b}) var<storage, read_write> p${j}: array<${type}>;
@group(0) @binding(${b + 1}) var<storage, read> g${j}: array<${type}>;`;
  }).join('\n');
  const fields = Array.from({ length: k }, (_, j) => `n${j}: u32, om${j}: u32, ov${j}: u32, wd${j}: f32, first${j}: u32,`).join(' ');
  const bodies = tensors.map((t, j) => {
    const [ms, vs] = t.slabs;
    // p and g as vec4: directly, or value by value (lanes past n read as 0, never stored)
    const load = t.vec4
      ? `let gv = g${j}[i];
    var w = p${j}[i];`
      : `var gv = vec4<f32>(0.0);
    var w = vec4<f32>(0.0);
    for (var c = 0u; c < 4u; c = c + 1u) {
      let e = 4u * i + c;
      if (e < u.n${j}) { gv[c] = g${j}[e]; w[c] = p${j}[e]; }
    }`;
    const store = t.vec4
      ? `p${j}[i] = w;`
      : `for (var c = 0u; c < 4u; c = c + 1u) {
      let e = 4u * i + c;
      if (e < u.n${j}) { p${j}[e] = w[c]; }
    }`;
    return `
fn update${j}(block: u32, lid: u32, clip: f32, lr: f32, stepSize: f32, sqrtBc2: f32) {
  let n4 = (u.n${j} + 3u) / 4u;
  let om = u.om${j};
  let ov = u.ov${j};
  for (var r = 0u; r < ${ADAM_VEC4_PER_THREAD}u; r = r + 1u) {
    let i = block * ${BLOCK_VEC4}u + r * ${ADAM_THREADS}u + lid;
    if (i >= n4) { break; }
    ${load}
    let gc = gv * clip;
    let mNew = u.b1 * mv${ms}[om + i] + u.oneMinusB1 * gc;
    let vNew = u.b2 * mv${vs}[ov + i] + u.oneMinusB2 * gc * gc;
    mv${ms}[om + i] = mNew;
    mv${vs}[ov + i] = vNew;
    if (u.mode == 0u) {
      w = w - lr * (mNew / (sqrt(vNew) + u.eps) + u.wd${j} * w);
    } else {
      w = w * (1.0 - lr * u.wd${j});
      w = w - stepSize * (mNew / (sqrt(vNew) / sqrtBc2 + u.eps));
    }
    ${store}
  }
}`;
  }).join('\n');
  // tensor j takes workgroups [first_j, first_{j+1}); `end` after the last
  const pick = Array.from({ length: k }, (_, j) => `${j ? ' else ' : ''}if (w < ${j + 1 < k ? `u.first${j + 1}` : 'u.end'}) { update${j}(w - u.first${j}, lid, clip, lr, stepSize, sqrtBc2); }`).join('');
  return /* wgsl */ `
struct Uniforms { mode: u32, b1: f32, oneMinusB1: f32, b2: f32, oneMinusB2: f32, eps: f32, end: u32, ${fields} };
@group(0) @binding(0) var<storage, read> scal: array<f32>;
${slabDecls}
${decls}
@group(0) @binding(${1 + slabCount + 2 * k}) var<uniform> u: Uniforms;
${bodies}
@compute @workgroup_size(${ADAM_THREADS})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32, @builtin(num_workgroups) nwg: vec3<u32>) {
  if (scal[0] == 0.0) { return; }
  let clip = scal[1];
  let lr = scal[2];
  let stepSize = scal[3];
  let sqrtBc2 = scal[4];
  let w = wg.y * nwg.x + wg.x;
  ${pick}
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
  g: tf.TensorInfo;
  /** This tensor's weight decay (0 when it does not decay). */
  weightDecay: number;
}

/**
 * Enqueues the in-place update of every p (and its moments in `slabs`, placed by `layout`)
 * from its g with the device step scalars `scal`, as many tensors per dispatch as the device's
 * storage bindings allow (adamChunks).
 */
export function enqueueAdam(backend: WebGPUBackendLike, tensors: readonly AdamTensor[], layout: SlotLayout, slabs: readonly tf.TensorInfo[], scal: tf.TensorInfo, h: AdamHyper): void {
  if (tensors.length !== layout.places.length) throw new Error(`internal: ${tensors.length} tensors for a layout of ${layout.places.length}`);
  for (const chunk of adamChunks(layout, maxStorageBindings(backend))) {
    const local = (s: number) => chunk.slabs.indexOf(s);
    const places = chunk.tensors.map((i) => layout.places[i]);
    const first: number[] = [];
    let total = 0;
    for (const p of places) {
      first.push(total);
      total += adamWorkgroups(p.n);
    }
    const x = Math.min(total, 65535);
    dispatchWgsl(backend, {
      name: 'TabtuneAdam',
      code: adamCode(places.map((p) => ({ slabs: [local(p.mSlab), local(p.vSlab)] as const, vec4: p.n % 4 === 0 })), chunk.slabs.length),
      bindings: [{ tensor: scal }, ...chunk.slabs.map((s) => ({ tensor: slabs[s], write: true })), ...chunk.tensors.flatMap((i) => [{ tensor: tensors[i].p, write: true }, { tensor: tensors[i].g }])],
      uniforms: [
        { type: 'uint32', value: h.mode === 'bert-adam' ? 0 : 1 },
        { type: 'float32', value: h.beta1 },
        { type: 'float32', value: 1 - h.beta1 },
        { type: 'float32', value: h.beta2 },
        { type: 'float32', value: 1 - h.beta2 },
        { type: 'float32', value: h.epsilon },
        { type: 'uint32', value: total },
        ...chunk.tensors.flatMap((i, j) => [
          { type: 'uint32' as const, value: places[j].n },
          { type: 'uint32' as const, value: places[j].mOff / 4 },
          { type: 'uint32' as const, value: places[j].vOff / 4 },
          { type: 'float32' as const, value: tensors[i].weightDecay },
          { type: 'uint32' as const, value: first[j] },
        ]),
      ],
      workgroups: [x, Math.ceil(total / x)],
    });
  }
}
