/**
 * toDeviceBatch(host): HostBatch (typed arrays, what the data pipeline makes and the worker
 * transfers) -> BertBatch (int32 tensors [B, S]; labels int32 or float32 [B]). The caller
 * disposes the result with disposeBatch().
 */
import * as tf from '@tensorflow/tfjs-core';
import { TabtuneError } from '../errors';
import { mlmTargets } from './mlm-head';
import type { BertBatch, HostBatch } from './types';

function check(name: string, got: number, want: number): void {
  if (got !== want) {
    throw new TabtuneError(`${name} holds ${got} values`, { file: 'batch', location: name, expected: `${want} values`, code: 'batch-shape' });
  }
}

export function toDeviceBatch(host: HostBatch): BertBatch {
  const { batchSize: B, seqLength: S } = host;
  check('input_ids', host.inputIds.length, B * S);
  check('token_type_ids', host.tokenTypeIds.length, B * S);
  check('attention_mask', host.attentionMask.length, B * S);
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
