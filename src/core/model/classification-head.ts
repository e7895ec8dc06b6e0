/**
 * Sequence classification / regression head (BertForSequenceClassification):
 * dropout on the pooled output, then classifier [L, H]. Loss: mean cross-entropy over the
 * batch; regression (L = 1): mean squared error.
 * Glossary: B batch, H hidden size, L labels (1 for regression).
 */
import * as tf from '@tensorflow/tfjs-core';
import { softmaxCrossEntropy } from '../kernels/cross-entropy';
import { dense } from './dense';
import type { Dropout } from './dropout';
import type { Params } from './params';

export function classificationLogits(p: Params, pooled: tf.Tensor2D, rate: number, dropout: Dropout): tf.Tensor2D {
  // pooled [B, H]
  return dense(dropout(pooled, rate), p('classifier.weight'), p('classifier.bias')); // [B, L]
}

/** Mean cross-entropy; labels int32 [B] in [0, L). */
export function crossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  // logits [B, L] -> −mean_b log softmax(logits_b)[label_b]: one kernel each way on WebGPU
  // (src/core/kernels/cross-entropy.ts), logSoftmax · oneHot composed elsewhere.
  return softmaxCrossEntropy(logits, labels); // []
}

/** Mean squared error of a single-output head; labels float32 [B]. */
export function meanSquaredError(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  const [B] = logits.shape; // [B, 1]
  return tf.mean(tf.square(tf.sub(tf.reshape(logits, [B]), tf.cast(labels, 'float32')))); // []
}
