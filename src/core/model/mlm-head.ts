/**
 * Masked-LM head (Hugging Face BertOnlyMLMHead / BertLMPredictionHead; Google's
 * run_pretraining.get_masked_lm_output):
 *   t      = LayerNorm(act(h·W_tᵀ + b_t))          transform: dense H -> H, hidden_act, LayerNorm
 *   logits = t·Eᵀ + b                              decoder tied to the word embeddings E [V, H]
 * The decoder has no weight of its own: it reads `bert.embeddings.word_embeddings.weight`, so
 * autograd sums E's two gradient paths (the input lookup and the decoder) into one.
 * Loss: mean cross-entropy over the predicted positions only (labels −100 elsewhere, as
 * Hugging Face; Google divides by Σweights + 1e-5, < 1e-5 relative apart). Only the rows at
 * predicted positions go through the transform and the [M, V] decoder, as Google gathers
 * masked_lm_positions: the decoder is the largest matmul of BERT-base pre-training.
 * Weight names (canonical, Hugging Face):
 *   cls.predictions.transform.dense.{weight [H, H], bias [H]}
 *   cls.predictions.transform.LayerNorm.{weight, bias} [H]
 *   cls.predictions.bias [V]
 * Glossary: B batch, S sequence length, H hidden size, V vocabulary, M predicted positions.
 */
import * as tf from '@tensorflow/tfjs-core';
import { activate } from './activations';
import type { BertConfig } from './config';
import { dense } from './dense';
import { layerNorm } from './layer-norm';
import { matMulWeightT } from './matmul';
import type { Params } from './params';

/** The label value of positions that are not predicted (Hugging Face / PyTorch ignore_index). */
export const MLM_IGNORE = -100;

export function mlmHeadParamShapes(c: BertConfig): Map<string, number[]> {
  const H = c.hiddenSize;
  return new Map([
    ['cls.predictions.transform.dense.weight', [H, H]],
    ['cls.predictions.transform.dense.bias', [H]],
    ['cls.predictions.transform.LayerNorm.weight', [H]],
    ['cls.predictions.transform.LayerNorm.bias', [H]],
    ['cls.predictions.bias', [c.vocabSize]],
  ]);
}

/** Vocabulary logits of the rows of `hidden` [M, H] -> [M, V]. */
export function mlmLogits(p: Params, c: BertConfig, hidden: tf.Tensor2D): tf.Tensor2D {
  const t = dense(hidden, p('cls.predictions.transform.dense.weight'), p('cls.predictions.transform.dense.bias')); // [M, H]
  const normed = layerNorm(activate(t, c.hiddenAct), p('cls.predictions.transform.LayerNorm.weight'), p('cls.predictions.transform.LayerNorm.bias'), c.layerNormEps); // [M, H]
  const words = p('bert.embeddings.word_embeddings.weight') as tf.Tensor2D; // [V, H] (tied)
  return tf.add(matMulWeightT(normed, words), p('cls.predictions.bias')) as tf.Tensor2D; // [M, V]
}

/**
 * Predicted positions of a [B, S] label array: flat indices into B·S and their label ids.
 * Host-side, so the device gathers a fixed set of rows (no data-dependent shapes on the GPU).
 */
export function mlmTargets(labels: Int32Array): { positions: Int32Array; labelIds: Int32Array } {
  let m = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i] !== MLM_IGNORE) m++;
  const positions = new Int32Array(m);
  const labelIds = new Int32Array(m);
  let j = 0;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] === MLM_IGNORE) continue;
    positions[j] = i;
    labelIds[j++] = labels[i];
  }
  return { positions, labelIds };
}

/** Mean cross-entropy of the rows at `positions` of seq2d [B·S, H] against `labelIds` [M]. */
export function mlmLoss(p: Params, c: BertConfig, seq2d: tf.Tensor2D, positions: tf.Tensor1D, labelIds: tf.Tensor1D): tf.Scalar {
  const picked = tf.gather(seq2d, positions); // [M, H]
  const logits = mlmLogits(p, c, picked); // [M, V]
  const [M, V] = logits.shape;
  const logProbs = tf.reshape(tf.logSoftmax(logits, -1), [M * V]); // [M·V]
  // Pick log p(label) per row by flat index (no [M, V] one-hot: 78 MB for 640 rows of BERT-base).
  const at = tf.add(tf.mul(tf.range(0, M, 1, 'int32'), tf.scalar(V, 'int32')), tf.cast(labelIds, 'int32')); // [M]
  return tf.neg(tf.mean(tf.gather(logProbs, at))); // []
}
