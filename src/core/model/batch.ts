/**
 * toDeviceBatch(host): HostBatch (typed arrays, what the data pipeline makes and the worker
 * transfers) -> BertBatch (int32 tensors [B, S]; labels int32 or float32 [B]). The caller
 * disposes the result with disposeBatch().
 */
import * as tf from '@tensorflow/tfjs-core';
import { TabtuneError } from '../errors';
import { mlmTargets } from './mlm-head';
import type { BertBatch, BertModel, HostBatch } from './types';

function check(name: string, got: number, want: number): void {
  if (got !== want) {
    throw new TabtuneError(`${name} holds ${got} values`, { file: 'batch', location: name, expected: `${want} values`, code: 'batch-shape' });
  }
}

/** What a model can take: ids are checked against these on the host, before any tensor exists. */
export interface BatchLimits {
  vocabSize: number;
  typeVocabSize: number;
  maxPositions: number;
  /** Classes of a classification head (labels must lie in [0, numLabels)). */
  numLabels?: number;
}

/** The limits of a model's config and head. */
export function batchLimitsOf(model: Pick<BertModel, 'config' | 'head'>): BatchLimits {
  return {
    vocabSize: model.config.vocabSize,
    typeVocabSize: model.config.typeVocabSize,
    maxPositions: model.config.maxPositionEmbeddings,
    numLabels: model.head.kind === 'classification' ? model.head.numLabels : undefined,
  };
}

function checkRange(name: string, values: ArrayLike<number>, size: number, what: string, S: number): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!(v >= 0 && v < size)) {
      const where = S > 0 ? `example ${Math.floor(i / S)}, position ${i % S}` : `example ${i}`;
      throw new TabtuneError(`${name} holds ${v} at ${where}, outside the ${what}`, {
        file: 'batch', location: `${name}, ${where}`, expected: `an integer in [0, ${size})`, code: 'batch-range',
      });
    }
  }
}

/**
 * Host arrays -> device tensors. With `limits`, every id is checked first: an id outside the
 * vocabulary or a token type outside the type table would otherwise surface as a tfjs GatherV2
 * error (or, on some backends, as silently gathered garbage), a label outside the head's range
 * as a NaN loss.
 */
export function toDeviceBatch(host: HostBatch, limits?: BatchLimits): BertBatch {
  const { batchSize: B, seqLength: S } = host;
  check('input_ids', host.inputIds.length, B * S);
  check('token_type_ids', host.tokenTypeIds.length, B * S);
  check('attention_mask', host.attentionMask.length, B * S);
  if (limits) {
    if (S > limits.maxPositions) {
      throw new TabtuneError(`sequences of ${S} tokens are longer than the model's ${limits.maxPositions} positions`, {
        file: 'batch', location: 'seq_length', expected: `max_seq_length <= max_position_embeddings (${limits.maxPositions})`, code: 'batch-range',
      });
    }
    checkRange('input_ids', host.inputIds, limits.vocabSize, `vocabulary of ${limits.vocabSize} tokens`, S);
    checkRange('token_type_ids', host.tokenTypeIds, limits.typeVocabSize, `${limits.typeVocabSize} token types`, S);
    if (host.labels && !(host.labels instanceof Float32Array) && limits.numLabels !== undefined) {
      checkRange('labels', host.labels, limits.numLabels, `head's ${limits.numLabels} classes`, 0);
    }
    for (const [name, pos] of [['start_positions', host.startPositions], ['end_positions', host.endPositions]] as const) {
      if (pos) checkRange(name, pos, S, `sequence of ${S} positions`, 0);
    }
  }
  const batch: BertBatch = {
    inputIds: tf.tensor2d(host.inputIds, [B, S], 'int32'),
    tokenTypeIds: tf.tensor2d(host.tokenTypeIds, [B, S], 'int32'),
    attentionMask: tf.tensor2d(host.attentionMask, [B, S], 'int32'),
  };
  if (host.labels) {
    check('labels', host.labels.length, B);
    batch.labels = tf.tensor1d(host.labels, host.labels instanceof Float32Array ? 'float32' : 'int32');
  }
  if (host.startPositions) {
    check('start_positions', host.startPositions.length, B);
    batch.startPositions = tf.tensor1d(host.startPositions, 'int32');
  }
  if (host.endPositions) {
    check('end_positions', host.endPositions.length, B);
    batch.endPositions = tf.tensor1d(host.endPositions, 'int32');
  }
  if (host.mlmLabels) {
    check('mlm_labels', host.mlmLabels.length, B * S);
    const { positions, labelIds } = mlmTargets(host.mlmLabels);
    batch.mlmPositions = tf.tensor1d(positions, 'int32');
    batch.mlmLabelIds = tf.tensor1d(labelIds, 'int32');
  }
  return batch;
}

export function disposeBatch(batch: BertBatch): void {
  for (const t of [batch.inputIds, batch.tokenTypeIds, batch.attentionMask, batch.labels, batch.startPositions, batch.endPositions, batch.mlmPositions, batch.mlmLabelIds]) t?.dispose();
}
