/**
 * Matrix products the model uses, with a fast path for the WASM backend.
 *
 * tfjs-backend-wasm 4.22 hands BatchMatMul to XNNPACK only when neither operand is
 * transposed; with transposeA / transposeB (which tfjs's own matMul gradient always uses)
 * it falls back to a naive loop measured here at ~10× slower (1024×128×512: 0.35 GFLOP/s with
 * transposeB vs 2.8–6.8 without). On WASM these products therefore transpose operands
 * explicitly (a cheap memory-bound kernel) and define their gradients the same way, so every
 * matmul of forward and backward runs untransposed. Other backends use tfjs's matMul directly.
 */
import * as tf from '@tensorflow/tfjs-core';

const onWasm = (): boolean => tf.getBackend() === 'wasm';

/** a [.., M, K] · b [.., K, N] with no transposes anywhere (forward or gradient). */
const plainMatMulWasm = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [a, b, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
  save([a, b]);
  const swap = (t: tf.Tensor) => tf.transpose(t, t.rank === 2 ? [1, 0] : [0, 2, 1]);
  return {
    value: tf.matMul(a, b),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sa, sb] = saved;
      return [tf.matMul(dy, swap(sb)), tf.matMul(swap(sa), dy)];
    },
  };
});

/**
 * x [M, K] · Wᵀ on WASM: forward x·transpose(W); gradients dx = dy·W and dW = dyᵀ·x, all
 * untransposed products. Only x and W are saved for the backward pass (not the transposed
 * copy of W: for BERT-base that is 340 MB less held between forward and backward).
 */
const weightTMatMulWasm = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [x, w, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
  save([x, w]);
  // WASM runs kernels synchronously: the transposed copy (and the XNNPACK weights packed from
  // it) can be freed as soon as the product exists, instead of living until the step ends.
  const wt = tf.transpose(w); // [K, N]
  const value = tf.matMul(x, wt); // [M, N]
  wt.dispose();
  return {
    value,
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sx, sw] = saved;
      return [tf.matMul(dy, sw), tf.matMul(tf.transpose(dy), sx)]; // [M, K], [N, K]
    },
  };
});

/** x [M, K] · Wᵀ with W [N, K] (Hugging Face orientation) -> [M, N]. */
export function matMulWeightT(x: tf.Tensor2D, w: tf.Tensor2D): tf.Tensor2D {
  if (!onWasm()) return tf.matMul(x, w, false, true);
  return weightTMatMulWasm(x, w) as tf.Tensor2D; // [M, N]
}

/** Batched a [G, M, K] · (transposeB ? b [G, N, K]ᵀ : b [G, K, N]) -> [G, M, N]. */
export function batchMatMul(a: tf.Tensor3D, b: tf.Tensor3D, transposeB = false): tf.Tensor3D {
  if (!onWasm()) return tf.matMul(a, b, false, transposeB);
  return plainMatMulWasm(a, transposeB ? tf.transpose(b, [0, 2, 1]) : b) as tf.Tensor3D;
}
