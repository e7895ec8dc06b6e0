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
 * m and v of one tensor side by side. A dispatch binds the step scalars, the slabs its tensors
 * use, and p and g of each tensor (2 storage bindings per tensor instead of 4), and reads every
 * tensor's size and offsets from its uniforms (the offset table). With one slab (every model
 * up to ~BERT-large on a 1 GiB binding limit) that is ⌊(bindings − 2) / 2⌋ tensors per
 * dispatch: 4 on 10 storage bindings (SwiftShader), 3 on WebGPU's default 8. Slabs are at most
 * the device's largest storage binding, so no buffer exceeds WebGPU's limits.
 *
 * Grid: min(⌈n_max/256⌉, 4096) × k workgroups of 256 threads, grid-stride loop (BERT-base's
 * word embeddings, 23.4M elements, exceed one dimension's 65,535 workgroups otherwise);
 * workgroup row y updates tensor y of the dispatch.
 *
 * Fallback (wasm, cpu, webgl): the composed chain of tfjs ops in train/optimizer.ts, same
 * formulas; the WebGPU parity test (e2e/kernels-train.spec.ts) compares the two.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { dispatchWgsl, gridFor, maxStorageBindings, type WebGPUBackendLike } from './gpu-dispatch';

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

/**
 * Packs the m and v of tensors of `sizes` elements into slabs of at most `limit` elements, in
 * order (m then v of tensor 0, then of tensor 1, ...); a slab is closed when the next moment
 * does not fit. A single moment larger than `limit` cannot be bound at all: an error.
 */
export function packAdamSlots(sizes: readonly number[], limit: number): SlotLayout {
  const slabSizes: number[] = [];
  const places: SlotPlace[] = [];
  const put = (n: number, what: string): [number, number] => {
    if (n > limit) throw new Error(`the Adam ${what} of ${n} values exceeds the device's largest storage binding (${limit} float32 values)`);
    if (!slabSizes.length || slabSizes[slabSizes.length - 1] + n > limit) slabSizes.push(0);
    const s = slabSizes.length - 1;
    const off = slabSizes[s];
    slabSizes[s] += n;
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

/**
 * WGSL of one dispatch: `slabOf[j]` = [local slab of m, local slab of v] for tensor j (the
 * pattern is baked in; sizes and offsets come from the uniforms, so one pipeline serves every
 * step). Bindings: 0 scal, 1..q slabs, then p_j, g_j; the uniforms last.
 */
export function adamCode(slabOf: readonly (readonly [number, number])[], slabCount: number): string {
  const k = slabOf.length;
  const slabDecls = Array.from({ length: slabCount }, (_, s) => `@group(0) @binding(${1 + s}) var<storage, read_write> mv${s}: array<f32>;`).join('\n');
  const decls = Array.from({ length: k }, (_, j) => {
    const b = 1 + slabCount + 2 * j;
    return `@group(0) @binding(${b}) var<storage, read_write> p${j}: array<f32>;
@group(0) @binding(${b + 1}) var<storage, read> g${j}: array<f32>;`;
  }).join('\n');
  const fields = Array.from({ length: k }, (_, j) => `n${j}: u32, om${j}: u32, ov${j}: u32, wd${j}: f32,`).join(' ');
  const bodies = Array.from({ length: k }, (_, j) => {
    const [ms, vs] = slabOf[j];
    return `
fn update${j}(start: u32, stride: u32, clip: f32, lr: f32, stepSize: f32, sqrtBc2: f32) {
  let om = u.om${j};
  let ov = u.ov${j};
  for (var i = start; i < u.n${j}; i = i + stride) {
    let gc = g${j}[i] * clip;
    let mNew = u.b1 * mv${ms}[om + i] + u.oneMinusB1 * gc;
    let vNew = u.b2 * mv${vs}[ov + i] + u.oneMinusB2 * gc * gc;
    mv${ms}[om + i] = mNew;
    mv${vs}[ov + i] = vNew;
    var w = p${j}[i];
    if (u.mode == 0u) {
      w = w - lr * (mNew / (sqrt(vNew) + u.eps) + u.wd${j} * w);
    } else {
      w = w * (1.0 - lr * u.wd${j});
      w = w - stepSize * (mNew / (sqrt(vNew) / sqrtBc2 + u.eps));
    }
    p${j}[i] = w;
  }
}`;
  }).join('\n');
  const cases = Array.from({ length: k }, (_, j) => `case ${j}u: { update${j}(start, stride, clip, lr, stepSize, sqrtBc2); }`).join(' ');
  return /* wgsl */ `
struct Uniforms { mode: u32, b1: f32, oneMinusB1: f32, b2: f32, oneMinusB2: f32, eps: f32, ${fields} };
@group(0) @binding(0) var<storage, read> scal: array<f32>;
${slabDecls}
${decls}
@group(0) @binding(${1 + slabCount + 2 * k}) var<uniform> u: Uniforms;
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
    dispatchWgsl(backend, {
      name: 'TabtuneAdam',
      code: adamCode(places.map((p) => [local(p.mSlab), local(p.vSlab)] as const), chunk.slabs.length),
      bindings: [{ tensor: scal }, ...chunk.slabs.map((s) => ({ tensor: slabs[s], write: true })), ...chunk.tensors.flatMap((i) => [{ tensor: tensors[i].p, write: true }, { tensor: tensors[i].g }])],
      uniforms: [
        { type: 'uint32', value: h.mode === 'bert-adam' ? 0 : 1 },
        { type: 'float32', value: h.beta1 },
        { type: 'float32', value: 1 - h.beta1 },
        { type: 'float32', value: h.beta2 },
        { type: 'float32', value: 1 - h.beta2 },
        { type: 'float32', value: h.epsilon },
        ...chunk.tensors.flatMap((i, j) => [
          { type: 'uint32' as const, value: places[j].n },
          { type: 'uint32' as const, value: places[j].mOff },
          { type: 'uint32' as const, value: places[j].vOff },
          { type: 'float32' as const, value: tensors[i].weightDecay },
        ]),
      ],
      workgroups: [gridFor(Math.max(...places.map((p) => p.n)), 256), chunk.tensors.length],
    });
  }
}
