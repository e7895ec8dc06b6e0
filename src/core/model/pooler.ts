/**
 * BertPooler: dense + tanh on the first ([CLS]) token.
 * Glossary: B batch, S sequence length, H hidden size.
 */
import * as tf from '@tensorflow/tfjs-core';
import { dense } from './dense';
import type { Params } from './params';

export function pooler(p: Params, sequenceOutput: tf.Tensor3D): tf.Tensor2D {
  const [B, , H] = sequenceOutput.shape; // [B, S, H]
  const first = tf.reshape(tf.slice(sequenceOutput, [0, 0, 0], [B, 1, H]), [B, H]) as tf.Tensor2D; // [B, H]
  return tf.tanh(dense(first, p('bert.pooler.dense.weight'), p('bert.pooler.dense.bias'))); // [B, H]
}
