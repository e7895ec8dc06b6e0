/**
 * Attention core kernel: scale, additive mask, softmax and dropout in one pass over the scores.
 *
 *   probs = dropout(softmax(raw / √D + mask))          raw = Q·Kᵀ [B, N, S, S], mask [B, 1, 1, S]
 *   backward: p = softmax(raw / √D + mask) recomputed, dp = dropout(dprobs) (same key),
 *             draw = p · (dp − Σ_j dp·p) / √D
 *
 *   attentionProbs(raw, maskAdder, sqrtD, key | null)          -> probs [B, N, S, S]
 *   attentionProbsComposed(...)  the same with tfjs ops (WASM/CPU, parity reference)
 *
 * WGSL: several score rows per 64-thread workgroup, `rowThreads(S)` threads per row (8 at
 * S = 128: 8 rows per workgroup), 4 consecutive scores per thread and round (one Philox block,
 * so the masks are those of every other dropout of the same key), ≤ 16 values per thread in
 * registers, so S ≤ 1024 (longer rows run composed). The row's max and Σexp come from one
 * reduction over the row's threads (the "online softmax" merge, run-program.ts's rowMaxSum: one
 * barrier, then each thread folds its row's slots): one reduction forward, two backward (with
 * Σ dp·p). Rows per workgroup rather than one row per workgroup for the reasons layer-norm.ts
 * gives: a fixed cost per workgroup (2048 rows per call at tiny's size), fewer barriers per
 * reduction, coalesced 8-lane reads of 32 consecutive scores (128 bytes) on a GPU.
 * Forward 1 dispatch, backward 1 dispatch; neither the softmax before dropout nor the mask is
 * ever stored. The mask is a constant (no gradient).
 *
 * Why not a fused FlashAttention kernel (Q·Kᵀ, softmax, ·V tiled in workgroup memory)? By the
 * roofline, at the sizes Tabtune trains. BERT-base, batch 8, seq 128: one layer's scores are
 * B·N·S² = 1.57 M floats (6.3 MB). With this kernel they cross memory 11 times per layer forward
 * and backward (Q·Kᵀ writes; softmax reads, writes; ·V reads; dP writes; softmax grad reads 2,
 * writes; dQ, dK, dV read), 69 MB, 0.83 GB per step for 12 layers: 4 ms at a laptop GPU's
 * ~200 GB/s. The step's matmuls are ~530 GFLOP (6 × 85 M weights × 1024 tokens): ~100 ms at a
 * ~5 TFLOP/s. A fused kernel would save at most those 4 ms plus ~5 dispatches per layer
 * (60 × 25–70 µs, 1.5–4 ms), i.e. ≤ 8 % of the step, while replacing tfjs's tuned matmuls of
 * Q·Kᵀ and P·V (D = 64: small tiles) by hand-tiled WGSL ones. At seq 512 the score traffic grows
 * 16× (13 GB, ~66 ms against ~0.45 s of matmuls, ~13 %), where it starts to pay; GLUE runs
 * at 128 and SQuAD usually at 384. Not built for now; worth revisiting for long sequences.
 * Glossary: B batch, N heads, S sequence length, D head size.
 */
import * as tf from '@tensorflow/tfjs-core';
import { dropoutComposed } from './dropout';
import { DROPOUT_UNIFORMS, PHILOX_WGSL, dropoutUniforms, type DropoutKey } from './philox';
import { WORKGROUP_INDEX, rowGroupWgsl, rowLoop, rowThreads, runProgram, useModelKernels, type KernelProgram, type UniformData } from './run-program';

const WG = 64;
const MAX_PER_THREAD = 16;

export function attentionProbsComposed(raw: tf.Tensor4D, maskAdder: tf.Tensor4D, sqrtD: number, key: DropoutKey | null): tf.Tensor4D {
  return tf.tidy(() => {
    const scores = tf.add(tf.div(raw, sqrtD), maskAdder); // [B, N, S, S]
    const probs = tf.softmax(scores, -1) as tf.Tensor4D; // [B, N, S, S]
    return key ? dropoutComposed(probs, key) : probs; // [B, N, S, S]
  });
}

function program(backward: boolean, drop: boolean, shape: number[]): KernelProgram {
  const [B, N, S, T] = shape;
  const rows = B * N * S;
  const perRow = rowThreads(T); // 8 threads per score row at seq 128
  const slots = WG / perRow; // rows per workgroup
  const rounds = Math.ceil(T / (4 * perRow));
  const loop = (body: string) => rowLoop(body, perRow, rounds);
  const keep = (v: string, i: string) => (drop ? `${v} = select(0.0, ${v} * uniforms.dropScale, dropKeep(u32(${i})));` : '');
  return {
    variableNames: backward ? ['raw', 'mask', 'dy'] : ['raw', 'mask'],
    outputShape: shape,
    shaderKey: `tabtuneAttentionSoftmax${backward ? 'Grad' : ''}${drop ? 'D' : ''}_${perRow}x${rounds}`,
    dispatchLayout: { x: [0, 1, 2, 3] },
    dispatch: [Math.ceil(rows / slots), 1, 1],
    workgroupSize: [WG, 1, 1],
    uniforms: `rows : i32, cols : i32, rowsPerBatch : i32, sqrtD : f32, ${DROPOUT_UNIFORMS}`,
    getUserCode: () => `
  ${PHILOX_WGSL}
  ${rowGroupWgsl(perRow, slots)}
  fn main(index : i32) {
    let lane = localIndex % ${perRow}u;
    let slot = localIndex / ${perRow}u;
    let row = ${WORKGROUP_INDEX} * ${slots} + i32(slot);
    let cols = uniforms.cols;
    let valid = row < uniforms.rows;
    let r = select(0, row, valid);
    let base = r * cols;
    let maskBase = (r / uniforms.rowsPerBatch) * cols;
    var sv : array<f32, ${4 * rounds}>;
    // this thread's max m and Σ exp(score − m), merged over the row in one reduction
    var m = -3.4e38;
    ${loop('let score = raw[base + c] / uniforms.sqrtD + mask[maskBase + c]; sv[s] = score; m = max(m, score);')}
    var e = 0.0;
    ${loop('let ex = exp(sv[s] - m); sv[s] = ex; e = e + ex;')}
    let maxSum = rowMaxSum(m, e, lane, slot);
    let toProb = exp(m - maxSum.x) / maxSum.y; // p = exp(score − m) · exp(m − row max) / Σ exp(score − row max)
    ${backward ? `
    var dpp = 0.0;
    var dpv : array<f32, ${4 * rounds}>;
    ${loop(`let p = sv[s] * toProb;
        sv[s] = p;
        var dp = dy[base + c];
        ${keep('dp', 'base + c')}
        dpv[s] = dp;
        dpp = dpp + dp * p;`)}
    let total = rowSum2(vec2<f32>(dpp, 0.0), lane, slot).x;
    if (valid) {
      ${loop('result[base + c] = sv[s] * (dpv[s] - total) / uniforms.sqrtD;')}
    }` : `
    if (valid) {
      ${loop(`var p = sv[s] * toProb;
        ${keep('p', 'base + c')}
        result[base + c] = p;`)}
    }`}
  }`,
  };
}

function uniformsFor(shape: number[], sqrtD: number, key: DropoutKey | null): UniformData[] {
  const [B, N, S, T] = shape;
  return [
    { type: 'int32', data: [B * N * S] },
    { type: 'int32', data: [T] },
    { type: 'int32', data: [N * S] },
    { type: 'float32', data: [sqrtD] },
    ...dropoutUniforms(key),
  ];
}

/** The WebGPU programs, exported for the parity test. */
export const attentionProbsWebGPU = {
  forward(raw: tf.Tensor4D, maskAdder: tf.Tensor4D, sqrtD: number, key: DropoutKey | null): tf.Tensor4D {
    return runProgram(program(false, !!key, raw.shape), [raw, maskAdder], uniformsFor(raw.shape, sqrtD, key)) as tf.Tensor4D;
  },
  backward(dy: tf.Tensor4D, raw: tf.Tensor4D, maskAdder: tf.Tensor4D, sqrtD: number, key: DropoutKey | null): tf.Tensor4D {
    return runProgram(program(true, !!key, raw.shape), [raw, maskAdder, dy], uniformsFor(raw.shape, sqrtD, key)) as tf.Tensor4D;
  },
};

/** dropout(softmax(raw / √D + mask)): one WGSL kernel each way on WebGPU, composed elsewhere. */
export function attentionProbs(raw: tf.Tensor4D, maskAdder: tf.Tensor4D, sqrtD: number, key: DropoutKey | null): tf.Tensor4D {
  if (!useModelKernels() || raw.shape[3] > WG * MAX_PER_THREAD) return attentionProbsComposed(raw, maskAdder, sqrtD, key);
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [rt, save] = args as [tf.Tensor4D, tf.GradSaveFunc];
    save([rt, maskAdder]);
    return {
      value: attentionProbsWebGPU.forward(rt, maskAdder, sqrtD, key),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => attentionProbsWebGPU.backward(dy as tf.Tensor4D, saved[0] as tf.Tensor4D, saved[1] as tf.Tensor4D, sqrtD, key),
    };
  });
  return f(raw) as tf.Tensor4D;
}
