/**
 * LayerNorm over the last axis (biased variance, eps inside the square root), as
 * torch.nn.LayerNorm and Google's layer_norm compute it.
 */
import * as tf from '@tensorflow/tfjs-core';

export function layerNorm(x: tf.Tensor2D, gamma: tf.Tensor, beta: tf.Tensor, eps: number): tf.Tensor2D {
  // x [M, H]
  const mean = tf.mean(x, -1, true); // [M, 1]
  const centered = tf.sub(x, mean); // [M, H]
  const variance = tf.mean(tf.square(centered), -1, true); // [M, 1]
  const normed = tf.mul(centered, tf.rsqrt(tf.add(variance, eps))); // [M, H]
  return tf.add(tf.mul(normed, gamma), beta) as tf.Tensor2D; // [M, H]
}
