/**
 * One transformer layer (BertLayer): self-attention -> attention output (residual + LN)
 * -> intermediate -> output (residual + LN).
 * Glossary: B batch, S sequence length, H hidden size, I intermediate size.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { attentionOutput } from './attention-output';
import type { BertConfig } from './config';
import type { Dropout } from './dropout';
import { intermediate } from './intermediate';
import { output } from './output';
import type { Params } from './params';
import { selfAttention } from './self-attention';

export function encoderLayer(
  p: Params,
  layer: number,
  c: BertConfig,
  x: tf.Tensor2D, // [B·S, H]
  maskAdder: tf.Tensor4D, // [B, 1, 1, S]
  B: number,
  S: number,
  dropout: Dropout,
  /** outputAttentions: collects this layer's attention probabilities [B, N, S, S]. */
  attentions?: tf.Tensor4D[],
): tf.Tensor2D {
  const prefix = `bert.encoder.layer.${layer}`;
  const context = selfAttention(p, `${prefix}.attention.self`, c, x, maskAdder, B, S, dropout, attentions); // [B·S, H]
  const attended = attentionOutput(p, `${prefix}.attention.output`, c, context, x, dropout); // [B·S, H]
  const inner = intermediate(p, `${prefix}.intermediate`, c, attended); // [B·S, I]
  return output(p, `${prefix}.output`, c, inner, attended, dropout); // [B·S, H]
}
