/**
 * The intermediate activation, by what it computes (config.ts `Activation`):
 *   gelu_erf:  0.5·x·(1 + erf(x/√2))                       (Hugging Face "gelu")
 *   gelu_tanh: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))  (Google "gelu", HF "gelu_new")
 *   relu:      max(x, 0)
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Activation } from './config';

const SQRT_HALF = Math.SQRT1_2;
const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

export function activate(x: tf.Tensor2D, act: Activation): tf.Tensor2D {
  switch (act) {
    case 'gelu_erf':
      return tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.mul(x, SQRT_HALF))));
    case 'gelu_tanh': {
      const inner = tf.mul(tf.add(x, tf.mul(tf.mul(tf.mul(x, x), x), 0.044715)), SQRT_2_OVER_PI);
      return tf.mul(tf.mul(x, 0.5), tf.add(1, tf.tanh(inner)));
    }
    case 'relu':
      return tf.relu(x);
  }
}
