/**
 * The masked-LM pipeline (one for the fill-mask demo, the live metrics and evaluation):
 *
 *   fillMask(model, tokenizer, text, { topK })  "Paris is the [MASK] of France." -> for each
 *       [MASK], the top-k tokens with their softmax probabilities (transformers' fill-mask).
 *       The text around each literal "[MASK]" is WordPiece-tokenized (Google's BasicTokenizer
 *       would split the marker itself into "[", "mask", "]"), then [CLS] … [SEP].
 *   evaluateMlm(model, batches)  loss (mean CE over predicted positions, perplexity = e^loss)
 *       and masked-token accuracy (argmax = original token), over host batches with mlmLabels,
 *       computing logits only at the predicted rows ([M, V], never [B, S, V]).
 * Glossary: S sequence length, V vocabulary, M predicted positions, k top-k.
 */
import * as tf from '@tensorflow/tfjs-core';
import { TabtuneError } from '../errors';
import { disposeBatch, toDeviceBatch } from '../model/batch';
import type { BertModel, HostBatch } from '../model/types';
import type { Tokenizer } from '../tokenizer/types';

export const MASK_MARKER = '[MASK]';

export interface FillMaskCandidate {
  token: string;
  id: number;
  /** Softmax probability over the vocabulary. */
  score: number;
}

export interface FillMaskResult {
  /** The WordPiece tokens fed to the model, [CLS] and [SEP] included. */
  tokens: string[];
  /** One entry per [MASK] in the text, in order: its position in `tokens` and the top k. */
  masks: { position: number; candidates: FillMaskCandidate[] }[];
}

export async function fillMask(model: BertModel, tokenizer: Tokenizer, text: string, options: { topK?: number; maxSeqLength?: number } = {}): Promise<FillMaskResult> {
  if (model.head.kind !== 'mlm') throw new TabtuneError(`the model has a ${model.head.kind} head`, { location: 'fill-mask', expected: 'a masked-LM model (task mlm)', code: 'fill-mask-head' });
  const k = options.topK ?? 5;
  const maskId = tokenizer.vocab.tokenToId.get(MASK_MARKER);
  if (maskId === undefined) throw new TabtuneError('has no [MASK] token', { file: 'vocab.txt', expected: 'a BERT vocabulary with [MASK]', code: 'vocab-special' });
  const parts = text.split(MASK_MARKER);
  if (parts.length < 2) throw new TabtuneError('holds no [MASK]', { location: 'fill-mask text', expected: 'a sentence with one or more [MASK] markers', code: 'fill-mask-input' });
  const ids: number[] = [tokenizer.clsId];
  const positions: number[] = [];
  parts.forEach((part, i) => {
    if (i > 0) {
      positions.push(ids.length);
      ids.push(maskId);
    }
    ids.push(...tokenizer.convertTokensToIds(tokenizer.tokenize(part)));
  });
  ids.push(tokenizer.sepId);
  const limit = Math.min(options.maxSeqLength ?? model.config.maxPositionEmbeddings, model.config.maxPositionEmbeddings);
  if (ids.length > limit) throw new TabtuneError(`the text is ${ids.length} tokens long`, { location: 'fill-mask text', expected: `at most ${limit} tokens with [CLS] and [SEP]`, code: 'fill-mask-input' });
  const S = ids.length;
  const labels = new Int32Array(S).fill(-100);
  for (const p of positions) labels[p] = maskId; // only to select the rows; the label value is unused
  const batch = toDeviceBatch({ batchSize: 1, seqLength: S, inputIds: Int32Array.from(ids), tokenTypeIds: new Int32Array(S), attentionMask: new Int32Array(S).fill(1), mlmLabels: labels });
  const top = tf.tidy(() => {
    const logits = model.forward(batch, { training: false }).maskedLogits!; // [M, V]
    const { values, indices } = tf.topk(tf.softmax(logits, -1), k); // [M, k] each
    return [values, indices];
  });
  disposeBatch(batch);
  const [values, indices] = (await Promise.all(top.map((t) => t.data()))) as [Float32Array, Int32Array];
  tf.dispose(top);
  const tokens = tokenizer.convertIdsToTokens(ids);
  return {
    tokens,
    masks: positions.map((position, m) => ({
      position,
      candidates: Array.from({ length: k }, (_, j) => {
        const id = indices[m * k + j];
        return { id, token: tokenizer.vocab.idToToken[id], score: values[m * k + j] };
      }),
    })),
  };
}

export interface MlmMetrics {
  /** Mean cross-entropy over every predicted position. */
  loss: number;
  perplexity: number;
  /** Share of predicted positions whose argmax is the original token. */
  maskedAccuracy: number;
  predicted: number;
}

/** Loss and masked-token accuracy over host batches carrying mlmLabels. */
export async function evaluateMlm(model: BertModel, batches: Iterable<HostBatch>): Promise<MlmMetrics> {
  let nll = 0;
  let correct = 0;
  let count = 0;
  for (const host of batches) {
    if (!host.mlmLabels) throw new TabtuneError('the batch has no mlm_labels', { file: 'batch', location: 'mlm_labels', expected: 'masked-LM batches (mlmBatches)', code: 'batch-missing' });
    const batch = toDeviceBatch(host);
    if (batch.mlmPositions!.size === 0) {
      disposeBatch(batch);
      continue;
    }
    const stats = tf.tidy(() => {
      const logits = model.forward(batch, { training: false }).maskedLogits!; // [M, V]
      const labels = batch.mlmLabelIds!; // [M]
      const [M, V] = logits.shape;
      const logProbs = tf.reshape(tf.logSoftmax(logits, -1), [M * V]);
      const at = tf.add(tf.mul(tf.range(0, M, 1, 'int32'), tf.scalar(V, 'int32')), labels);
      const sumNll = tf.neg(tf.sum(tf.gather(logProbs, at)));
      const hits = tf.sum(tf.cast(tf.equal(tf.argMax(logits, -1), labels), 'float32'));
      return tf.stack([sumNll, hits, tf.scalar(M)]);
    });
    const d = await stats.data();
    stats.dispose();
    disposeBatch(batch);
    nll += d[0];
    correct += d[1];
    count += d[2];
  }
  if (count === 0) throw new TabtuneError('no predicted position in the evaluation set', { location: 'mlm evaluation', expected: 'batches with masked positions', code: 'mlm-eval-empty' });
  const loss = nll / count;
  return { loss, perplexity: Math.exp(loss), maskedAccuracy: correct / count, predicted: count };
}
