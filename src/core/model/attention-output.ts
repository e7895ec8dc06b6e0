/**
 * BertSelfOutput: dense, dropout, residual, LayerNorm:
 *   y = LayerNorm(dropout(context·Wᵀ + b) + input)
 * (dropout, residual and LayerNorm are one kernel on WebGPU: layer-norm.ts).
 * Glossary: B batch, S sequence length, H hidden size.
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { BertConfig } from './config';
import { linear } from './lora';
import type { Dropout } from './dropout';
import { residualLayerNorm } from './layer-norm';
import type { Params } from './params';

export function attentionOutput(p: Params, prefix: string, c: BertConfig, context: tf.Tensor2D, input: tf.Tensor2D, dropout: Dropout): tf.Tensor2D {
  // context, input [B·S, H]
  const projected = linear(p, `${prefix}.dense`, context); // [B·S, H] (plus the LoRA adapter's term, when there is one)
  return residualLayerNorm(projected, input, p(`${prefix}.LayerNorm.weight`), p(`${prefix}.LayerNorm.bias`), c.layerNormEps, dropout.key(c.hiddenDropoutProb)); // [B·S, H]
}
