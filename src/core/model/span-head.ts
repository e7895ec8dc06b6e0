/**
 * Span extraction head (BertForQuestionAnswering / run_squad.py): qa_outputs [2, H] on every
 * token of the sequence output, split into start and end logits. Loss: (CE(start) + CE(end))/2
 * with cross-entropy over the S positions, averaged over the batch (positions one-hot with
 * depth S, as run_squad.py does).
 * Glossary: B batch, S sequence length, H hidden size.
 */
import * as tf from '@tensorflow/tfjs-core';
import { crossEntropy } from './classification-head';
import { dense } from './dense';
import type { Params } from './params';

export function spanLogits(p: Params, sequence2d: tf.Tensor2D, B: number, S: number): { start: tf.Tensor2D; end: tf.Tensor2D } {
  // sequence2d [B·S, H]
  const logits = dense(sequence2d, p('qa_outputs.weight'), p('qa_outputs.bias')); // [B·S, 2]
  const perToken = tf.reshape(logits, [B, S, 2]); // [B, S, 2]
  const [start, end] = tf.unstack(perToken, 2) as tf.Tensor2D[]; // [B, S] each
  return { start, end };
}

export function spanLoss(start: tf.Tensor2D, end: tf.Tensor2D, startPositions: tf.Tensor1D, endPositions: tf.Tensor1D): tf.Scalar {
  // start, end [B, S]; positions int32 [B]
  return tf.div(tf.add(crossEntropy(start, startPositions), crossEntropy(end, endPositions)), 2); // []
}
