/**
 * BertOutput: dense I -> H, dropout, residual, LayerNorm.
 * Glossary: B batch, S sequence length, H hidden size, I intermediate size.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { BertConfig } from './config';
import { linear } from './lora';
import type { Dropout } from './dropout';
import { layerNorm } from './layer-norm';
import type { Params } from './params';

export function output(p: Params, prefix: string, c: BertConfig, x: tf.Tensor2D, input: tf.Tensor2D, dropout: Dropout): tf.Tensor2D {
  // x [B·S, I], input [B·S, H]
  const projected = dropout(linear(p, `${prefix}.dense`, x), c.hiddenDropoutProb); // [B·S, H]
  return layerNorm(tf.add(projected, input), p(`${prefix}.LayerNorm.weight`), p(`${prefix}.LayerNorm.bias`), c.layerNormEps); // [B·S, H]
}
