/**
 * Dense layer in Hugging Face orientation: y = x·Wᵀ + b with W [out, in].
 * Activations are kept 2-D ([M, in] with M = B·S or B) around every dense layer: tfjs 4.22's
 * gradient of a 3-D × 2-D matMul does not reduce the broadcast batch.
 * The bias is fused into the matmul (one kernel; tfjs keeps the fusion while recording
 * gradients for 'linear') except on WASM: tfjs-backend-wasm 4.22's _FusedMatMul with
 * transposeB and a bias returns wrong values (measured on tiny-odd's classifier: 1e-3 off),
 * so there the matmul (matmul.ts, untransposed fast path) and the bias add run as two kernels.
 */
import * as tf from '@tensorflow/tfjs-core';
import { matMulWeightT } from './matmul';

export function dense(x: tf.Tensor2D, weight: tf.Tensor, bias: tf.Tensor): tf.Tensor2D {
  // x [M, in], weight [out, in], bias [out] -> [M, out]
  if (tf.getBackend() === 'wasm') return tf.add(matMulWeightT(x, weight as tf.Tensor2D), bias) as tf.Tensor2D;
  return tf.fused.matMul({ a: x, b: weight as tf.Tensor2D, transposeB: true, bias }) as tf.Tensor2D;
}
