/**
 * BertIntermediate: dense H -> I, then the configured activation.
 * Glossary: B batch, S sequence length, H hidden size, I intermediate size.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { activate } from './activations';
import type { BertConfig } from './config';
import { linear } from './lora';
import type { Params } from './params';

export function intermediate(p: Params, prefix: string, c: BertConfig, x: tf.Tensor2D): tf.Tensor2D {
  // x [B·S, H]
  return activate(linear(p, `${prefix}.dense`, x), c.hiddenAct); // [B·S, I]
}
