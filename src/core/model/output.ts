/**
 * BertOutput: dense I -> H, dropout, residual, LayerNorm:
 *   y = LayerNorm(dropout(x·Wᵀ + b) + input)
 * (dropout, residual and LayerNorm are one kernel on WebGPU: layer-norm.ts).
 * Glossary: B batch, S sequence length, H hidden size, I intermediate size.
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { BertConfig } from './config';
import { linear } from './lora';
import type { Dropout } from './dropout';
import { residualLayerNorm } from './layer-norm';
import type { Params } from './params';

export function output(p: Params, prefix: string, c: BertConfig, x: tf.Tensor2D, input: tf.Tensor2D, dropout: Dropout): tf.Tensor2D {
  // x [B·S, I], input [B·S, H]
  const projected = linear(p, `${prefix}.dense`, x); // [B·S, H] (plus the LoRA adapter's term, when there is one)
  return residualLayerNorm(projected, input, p(`${prefix}.LayerNorm.weight`), p(`${prefix}.LayerNorm.bias`), c.layerNormEps, dropout.key(c.hiddenDropoutProb)); // [B·S, H]
}
