/**
 * The intermediate activation, by what it computes (config.ts `Activation`), of x + bias:
 *   gelu_erf:  0.5·x·(1 + erf(x/√2))                       (Hugging Face "gelu")
 *   gelu_tanh: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))  (Google "gelu", HF "gelu_new")
 *   relu:      max(x, 0)
 * The GELUs run as one kernel with the bias add on WebGPU (src/core/kernels/bias-gelu.ts,
 * forward and gradient), as the same composed ops on WASM/CPU.
 */
import * as tf from '@tensorflow/tfjs-core';
import { biasGelu } from '../kernels/bias-gelu';
import type { Activation } from './config';

export function activate(x: tf.Tensor2D, act: Activation, bias: tf.Tensor | null = null): tf.Tensor2D {
  // x [M, I], bias [I] -> [M, I]
  switch (act) {
    case 'gelu_erf':
    case 'gelu_tanh':
      return biasGelu(x, bias, act);
    case 'relu':
      return tf.relu(bias ? tf.add(x, bias) : x);
  }
}
