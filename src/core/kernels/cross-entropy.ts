/**
 * Mean softmax cross-entropy of a classification head in one kernel each way:
 *
 *   loss = −(1/B) Σ_b log softmax(logits_b)[label_b] = (1/B) Σ_b (logΣ_l exp(z_bl − m_b) + m_b − z_b,label)
 *   d logits[b, l] = dloss · (softmax(logits_b)[l] − [l = label_b]) / B
 *
 *   softmaxCrossEntropy(logits [B, L], labels int32 [B])  -> scalar
 *   softmaxCrossEntropyComposed(...)  logSoftmax, oneHot, mul, sum, mean, neg with tfjs ops
 *                                     (WASM/CPU, and the parity reference)
 *
 * Composed, this loss is ~19 small dispatches per step (logSoftmax's max/sub/exp/sum/log/sub,
 * oneHot, the product, two reductions, the negation, and as many for their gradients); here it is
 * one forward dispatch (one workgroup of 64 threads, a row per thread and round, a tree sum) and
 * one backward dispatch (a thread per logit, its row's max and sum recomputed: L is small).
 * Glossary: B batch, L labels.
 */
import * as tf from '@tensorflow/tfjs-core';
import { flatDispatch, runProgram, useModelKernels, workgroupSumWgsl, type KernelProgram } from './run-program';

const WG = 64;

export function softmaxCrossEntropyComposed(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  const [, L] = logits.shape; // [B, L]
  const logProbs = tf.logSoftmax(logits, -1); // [B, L]
  const target = tf.oneHot(tf.cast(labels, 'int32'), L); // [B, L]
  return tf.neg(tf.mean(tf.sum(tf.mul(logProbs, target), -1))); // []
}

const ROW_STATS = `
  fn rowMax(base : i32, cols : i32) -> f32 {
    var m = -3.4e38;
    for (var l = 0; l < cols; l = l + 1) { m = max(m, logits[base + l]); }
    return m;
  }
  fn rowSumExp(base : i32, cols : i32, m : f32) -> f32 {
    var e = 0.0;
    for (var l = 0; l < cols; l = l + 1) { e = e + exp(logits[base + l] - m); }
    return e;
  }`;

function forwardProgram(): KernelProgram {
  return {
    variableNames: ['logits', 'labels'],
    outputShape: [1],
    shaderKey: 'tabtuneCrossEntropy',
    dispatchLayout: { x: [0] },
    dispatch: [1, 1, 1],
    workgroupSize: [WG, 1, 1],
    uniforms: 'rows : i32, cols : i32,',
    getUserCode: () => `
  ${workgroupSumWgsl(WG)}
  ${ROW_STATS}
  fn main(index : i32) {
    let tid = localIndex;
    var total = 0.0;
    for (var b = i32(tid); b < uniforms.rows; b = b + ${WG}) {
      let base = b * uniforms.cols;
      let m = rowMax(base, uniforms.cols);
      total = total + log(rowSumExp(base, uniforms.cols, m)) + m - logits[base + i32(labels[b])];
    }
    let s = workgroupSum2(vec2<f32>(total, 0.0), tid).x;
    if (tid == 0u) { result[0] = s / f32(uniforms.rows); }
  }`,
  };
}

function backwardProgram(rows: number, cols: number): KernelProgram {
  return {
    variableNames: ['logits', 'labels', 'dy'],
    outputShape: [rows, cols],
    shaderKey: 'tabtuneCrossEntropyGrad',
    dispatchLayout: { x: [0, 1] },
    dispatch: flatDispatch(rows * cols, WG),
    workgroupSize: [WG, 1, 1],
    uniforms: 'rows : i32, cols : i32,',
    getUserCode: () => `
  ${ROW_STATS}
  fn main(index : i32) {
    if (index >= uniforms.rows * uniforms.cols) { return; }
    let b = index / uniforms.cols;
    let l = index % uniforms.cols;
    let base = b * uniforms.cols;
    let m = rowMax(base, uniforms.cols);
    let p = exp(logits[index] - m) / rowSumExp(base, uniforms.cols, m);
    let hit = select(0.0, 1.0, i32(labels[b]) == l);
    result[index] = dy[0] * (p - hit) / f32(uniforms.rows);
  }`,
  };
}

const uniformsOf = (rows: number, cols: number) => [{ type: 'int32' as const, data: [rows] }, { type: 'int32' as const, data: [cols] }];

/** The WebGPU programs, exported for the parity test. */
export const crossEntropyWebGPU = {
  forward(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
    const [rows, cols] = logits.shape;
    return tf.reshape(runProgram(forwardProgram(), [logits, labels], uniformsOf(rows, cols)), []) as tf.Scalar;
  },
  backward(dy: tf.Tensor, logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Tensor2D {
    const [rows, cols] = logits.shape;
    return runProgram(backwardProgram(rows, cols), [logits, labels, tf.reshape(dy, [1])], uniformsOf(rows, cols)) as tf.Tensor2D;
  },
};

/** Mean cross-entropy (labels int32 [B] in [0, L)): one WGSL kernel each way on WebGPU, composed elsewhere. */
export function softmaxCrossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  if (!useModelKernels()) return softmaxCrossEntropyComposed(logits, labels);
  const ids = tf.cast(labels, 'int32') as tf.Tensor1D; // [B] (no copy when already int32)
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [z, save] = args as [tf.Tensor2D, tf.GradSaveFunc];
    save([z, ids]); // kept for the backward (a tensor only closed over would be gone by then)
    return {
      value: crossEntropyWebGPU.forward(z, ids),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => crossEntropyWebGPU.backward(dy, saved[0] as tf.Tensor2D, saved[1] as tf.Tensor1D),
    };
  });
  return f(logits) as tf.Scalar;
}
