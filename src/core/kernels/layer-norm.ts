/**
 * LayerNorm kernel with the sums before it and the dropout around it fused in:
 *
 *   h = dropout(x + bias) + residual + positions[row mod S]   (every part but x optional)
 *   y = (h − mean(h)) / √(var(h) + eps) · γ + β           (biased variance over the last axis)
 *   out = y, or dropout(y) when the dropout comes after the LayerNorm
 *
 * as torch.nn.LayerNorm and Google's layer_norm compute it. BertSelfOutput and BertOutput use
 * LayerNorm(dropout(dense) + input); BertEmbeddings uses dropout(LayerNorm(words + token types +
 * positions)) (the word + token-type sum enters as x + residual, positions [S, H] by row mod S).
 *
 *   addLayerNorm(x, gamma, beta, eps, { residual?, positions?, dropout?, dropoutAfter? })  -> [M, H]
 *   addLayerNormComposed(...)  the same with tfjs ops (WASM/CPU, and the parity reference)
 *
 * WGSL, several rows per 64-thread workgroup: a row takes `rowThreads(H)` threads (8 for
 * H = 128, 8 rows per workgroup; 64 for H > 512), 4 consecutive columns per thread and round
 * (one Philox block), a fixed number of rounds per shader (a thread holds ≤ 32 values of its row
 * in registers, so H ≤ 2048; wider rows run composed).
 * Why, on SwiftShader and on a GPU: a workgroup has a fixed cost (on SwiftShader it runs on one
 * CPU thread; one row per workgroup made 1024 workgroups per LayerNorm of tiny; packing rows took
 * these kernels and the attention softmax from ~1.2 to ~0.4 s of GPU time in a tiny step:
 * bench/browser-train/README.md, fifth round), and a 128-wide row spread over 32-64 threads
 * leaves each thread 2-4 values and a reduction of log2(32) barrier steps. With 8 threads per
 * row, 8 consecutive threads read 32 consecutive floats (128 bytes) per round (coalesced), each
 * reduction is one barrier and a fold of the row's 8 slots (broadcast reads, no bank conflicts,
 * the same bits in every thread), and a tiny step still has 128 workgroups per LayerNorm (more
 * than a laptop GPU's compute units; BERT-base at batch 8: H = 768, 64 threads per row, one row
 * per workgroup, 1024 workgroups).
 *   forward   1 dispatch: out (h recomputed from its parts, dropout masks from their key); mean
 *             and variance from one reduction over the row's threads (run-program.ts's rowStats)
 *   backward  2 dispatches (layer-norm-backward.ts): dx, d(residual), d(positions) and the
 *             partial column sums of dγ, dβ (and d(bias)) in one pass over the rows, then the
 *             partials summed into dγ, dβ (and d(bias)).
 * The dense layer's bias may enter here too (`bias`: h = dropout(x + bias) + residual), so that
 * its gradient is one more partial sum of the backward instead of a Sum of its own.
 * Glossary: M rows (B·S), H hidden size, S sequence length (rows of `positions`).
 */
import * as tf from '@tensorflow/tfjs-core';
import { dropoutComposed } from './dropout';
import { layerNormBackwardFits, layerNormBackwardWebGPU } from './layer-norm-backward';
import { DROPOUT_UNIFORMS, PHILOX_WGSL, dropoutUniforms, type DropoutKey } from './philox';
import { WORKGROUP_INDEX, rowGroupWgsl, rowLoop, rowThreads, runProgram, useModelKernels, type KernelProgram, type UniformData } from './run-program';

const WG = 64;
const MAX_PER_THREAD = 32;

export interface AddLayerNormOptions {
  /** [H], added to x before the dropout (a dense layer's bias, its matmul run without it). */
  bias?: tf.Tensor | null;
  /** [M, H], added to x before the LayerNorm. */
  residual?: tf.Tensor2D | null;
  /** [P, H] (P ≥ S), added to row r before the LayerNorm as positions[r mod S] (M a multiple of S). */
  positions?: tf.Tensor2D | null;
  /** S: the rows of `positions` in use (default all of them). The whole table may be passed, so
   *  that no slice (and no pad in the gradient) runs; its rows ≥ S get a zero gradient. */
  seqLen?: number;
  /** Dropout key (null/absent: no dropout). */
  dropout?: DropoutKey | null;
  /** The dropout applies to the LayerNorm's output instead of to x. */
  dropoutAfter?: boolean;
}

export function addLayerNormComposed(x: tf.Tensor2D, gamma: tf.Tensor, beta: tf.Tensor, eps: number, o: AddLayerNormOptions = {}): tf.Tensor2D {
  return tf.tidy(() => {
    const [M, H] = x.shape;
    const key = o.dropout ?? null;
    const xb = o.bias ? (tf.add(x, o.bias) as tf.Tensor2D) : x; // [M, H]
    const before = key && !o.dropoutAfter ? dropoutComposed(xb, key) : xb; // [M, H]
    let h = o.residual ? (tf.add(before, o.residual) as tf.Tensor2D) : before; // [M, H]
    if (o.positions) {
      const S = o.seqLen ?? o.positions.shape[0];
      const used = S === o.positions.shape[0] ? o.positions : tf.slice(o.positions, [0, 0], [S, H]); // [S, H]
      h = tf.reshape(tf.add(tf.reshape(h, [M / S, S, H]), used), [M, H]); // [M, H]
    }
    const mean = tf.mean(h, -1, true); // [M, 1]
    const centered = tf.sub(h, mean); // [M, H]
    const variance = tf.mean(tf.square(centered), -1, true); // [M, 1]
    const normed = tf.mul(centered, tf.rsqrt(tf.add(variance, eps))); // [M, H]
    const y = tf.add(tf.mul(normed, gamma), beta) as tf.Tensor2D; // [M, H]
    return key && o.dropoutAfter ? dropoutComposed(y, key) : y; // [M, H]
  });
}

interface Variant {
  bias: boolean;
  residual: boolean;
  positions: boolean;
  /** Dropout on x (before) / on the output (after). */
  dropBefore: boolean;
  dropAfter: boolean;
}

const variantKey = (v: Variant) => `${v.bias ? 'B' : ''}${v.residual ? 'R' : ''}${v.positions ? 'P' : ''}${v.dropBefore ? 'D' : ''}${v.dropAfter ? 'A' : ''}`;

function variantOf(o: AddLayerNormOptions): Variant {
  const drop = !!o.dropout;
  return { bias: !!o.bias, residual: !!o.residual, positions: !!o.positions, dropBefore: drop && !o.dropoutAfter, dropAfter: drop && !!o.dropoutAfter };
}

/**
 * WGSL of h at flat index i (withH), and of the upstream gradient through the output dropout
 * (withDy). Every declared input must be read: the backend binds all of them, and a binding the
 * compiler drops from the 'auto' layout invalidates the whole command buffer.
 */
function hSnippet(v: Variant, withDy: boolean, withH = true): string {
  return `
  ${withH ? `fn hAt(i : i32) -> f32 {
    var v = x[i];
    ${v.bias ? 'v = v + bias[i % uniforms.cols];' : ''}
    ${v.dropBefore ? 'v = select(0.0, v * uniforms.dropScale, dropKeep(u32(i)));' : ''}
    ${v.residual ? 'v = v + residual[i];' : ''}
    ${v.positions ? 'v = v + positions[((i / uniforms.cols) % uniforms.seqLen) * uniforms.cols + i % uniforms.cols];' : ''}
    return v;
  }` : ''}
  ${withDy ? `fn dyAt(i : i32) -> f32 {
    ${v.dropAfter ? 'return select(0.0, dy[i] * uniforms.dropScale, dropKeep(u32(i)));' : 'return dy[i];'}
  }` : ''}`;
}

const rowUniforms = `rows : i32, cols : i32, seqLen : i32, eps : f32, ${DROPOUT_UNIFORMS}`;

function inputNames(v: Variant, extra: string[]): string[] {
  return ['x', ...(v.bias ? ['bias'] : []), ...(v.residual ? ['residual'] : []), ...(v.positions ? ['positions'] : []), ...extra];
}

function rowProgram(name: string, v: Variant, inputs: string[], outputShape: number[], rows: number, cols: number, body: (loop: (b: string) => string) => string): KernelProgram {
  const perRow = rowThreads(cols);
  const slots = WG / perRow; // rows per workgroup
  const rounds = Math.ceil(cols / (4 * perRow));
  const loop = (b: string) => rowLoop(b, perRow, rounds);
  return {
    variableNames: inputs,
    outputShape,
    shaderKey: `tabtuneLayerNorm${name}${variantKey(v)}_${perRow}x${rounds}`,
    dispatchLayout: { x: [0] },
    dispatch: [Math.ceil(rows / slots), 1, 1],
    workgroupSize: [WG, 1, 1],
    uniforms: rowUniforms,
    getUserCode: () => `
  ${PHILOX_WGSL}
  ${rowGroupWgsl(perRow, slots)}
  ${hSnippet(v, false)}
  fn main(index : i32) {
    let lane = localIndex % ${perRow}u;
    let slot = localIndex / ${perRow}u;
    let row = ${WORKGROUP_INDEX} * ${slots} + i32(slot);
    let cols = uniforms.cols;
    let valid = row < uniforms.rows;
    let base = select(0, row * cols, valid);
    var hv : array<f32, ${4 * rounds}>;
    // this thread's count, mean and Σ(h − its mean)², merged over the row's threads in one reduction
    var sum = 0.0;
    var cnt = 0.0;
    ${loop('let hval = hAt(base + c); hv[s] = hval; sum = sum + hval; cnt = cnt + 1.0;')}
    let own = select(0.0, sum / cnt, cnt > 0.0);
    var q = 0.0;
    ${loop('let d = hv[s] - own; q = q + d * d;')}
    let stats = rowStats(cnt, own, q, lane, slot);
    let mean = stats.y;
    let variance = stats.z / f32(cols);
    let rstd = 1.0 / sqrt(variance + uniforms.eps);
    ${body(loop)}
  }`,
  };
}

function forwardProgram(v: Variant, rows: number, cols: number): KernelProgram {
  return rowProgram('Forward', v, inputNames(v, ['gamma', 'beta']), [rows, cols], rows, cols, (loop) => `
    if (valid) {
      ${loop(`let y = (hv[s] - mean) * rstd * gamma[c] + beta[c];
        ${v.dropAfter ? 'result[base + c] = select(0.0, y * uniforms.dropScale, dropKeep(u32(base + c)));' : 'result[base + c] = y;'}`)}
    }`);
}

function uniformsFor(rows: number, cols: number, seqLen: number, eps: number, key: DropoutKey | null): UniformData[] {
  return [
    { type: 'int32', data: [rows] },
    { type: 'int32', data: [cols] },
    { type: 'int32', data: [seqLen] },
    { type: 'float32', data: [eps] },
    ...dropoutUniforms(key),
  ];
}

function hParts(x: tf.Tensor2D, o: AddLayerNormOptions): tf.Tensor[] {
  return [x, ...(o.bias ? [o.bias] : []), ...(o.residual ? [o.residual] : []), ...(o.positions ? [o.positions] : [])];
}

/** The WebGPU pieces, exported for the parity test. */
export const layerNormWebGPU = {
  forward(x: tf.Tensor2D, gamma: tf.Tensor, beta: tf.Tensor, eps: number, o: AddLayerNormOptions): tf.Tensor2D {
    const [rows, cols] = x.shape;
    const u = uniformsFor(rows, cols, o.seqLen ?? o.positions?.shape[0] ?? 1, eps, o.dropout ?? null);
    return runProgram(forwardProgram(variantOf(o), rows, cols), [...hParts(x, o), gamma, beta], u) as tf.Tensor2D;
  },
  /** Gradients for [x, bias?, residual?, positions?, γ, β] given upstream dy. */
  backward(dy: tf.Tensor2D, x: tf.Tensor2D, gamma: tf.Tensor, eps: number, o: AddLayerNormOptions): tf.Tensor[] {
    const g = layerNormBackwardWebGPU({ dy, x, gamma, bias: o.bias, residual: o.residual, positions: o.positions, seqLen: o.seqLen, dropout: o.dropout ?? null, dropoutAfter: !!o.dropoutAfter, eps });
    const grads: tf.Tensor[] = [g.dx];
    if (g.dBias) grads.push(tf.reshape(g.dBias, o.bias!.shape));
    if (g.dResidual) grads.push(g.dResidual);
    if (g.dPositions) grads.push(g.dPositions);
    grads.push(tf.reshape(g.dGamma, gamma.shape), tf.reshape(g.dBeta, gamma.shape));
    return grads;
  },
};

/** The LayerNorm above: the WGSL kernel on WebGPU, composed ops elsewhere. */
export function addLayerNorm(x: tf.Tensor2D, gamma: tf.Tensor, beta: tf.Tensor, eps: number, o: AddLayerNormOptions = {}): tf.Tensor2D {
  const seqLen = o.positions ? (o.seqLen ?? o.positions.shape[0]) : 1;
  if (o.positions && (x.shape[0] % seqLen !== 0 || seqLen > o.positions.shape[0])) throw new Error(`addLayerNorm: ${x.shape[0]} rows are not a multiple of ${seqLen} positions (of ${o.positions.shape[0]})`);
  if (!useModelKernels() || x.shape[1] > WG * MAX_PER_THREAD || !layerNormBackwardFits(x.shape[1])) return addLayerNormComposed(x, gamma, beta, eps, o);
  const inputs = [...hParts(x, o), gamma, beta];
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const save = args[args.length - 1] as tf.GradSaveFunc;
    const ts = args.slice(0, -1) as tf.Tensor[];
    const at = (saved: tf.Tensor[]) => {
      let i = 1;
      const bias = o.bias ? saved[i++] : null;
      const residual = o.residual ? (saved[i++] as tf.Tensor2D) : null;
      const positions = o.positions ? (saved[i++] as tf.Tensor2D) : null;
      return { x: saved[0] as tf.Tensor2D, o: { ...o, bias, residual, positions }, gamma: saved[i], beta: saved[i + 1] };
    };
    save(ts);
    const cur = at(ts);
    return {
      value: layerNormWebGPU.forward(cur.x, cur.gamma, cur.beta, eps, cur.o),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const s = at(saved);
        return layerNormWebGPU.backward(dy as tf.Tensor2D, s.x, s.gamma, eps, s.o);
      },
    };
  });
  return f(...inputs) as tf.Tensor2D;
}
