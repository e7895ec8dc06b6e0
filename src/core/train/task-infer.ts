/**
 * Inference over host batches (dropout off): each batch's logits are copied back with an
 * asynchronous read, and every tensor of the batch is released before the next one.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { BertModel, HostBatch } from '../model/types';
import { batchLimitsOf, toDeviceBatch } from '../model/batch';
import type { ProgressCallback } from '../data/types';

export interface BatchLogits {
  batch: HostBatch;
  /** Classification [B, L] / regression [B, 1], row-major. */
  logits?: Float32Array;
  /** Span extraction [B, S] each, row-major. */
  startLogits?: Float32Array;
  endLogits?: Float32Array;
}


/** Runs `count` batches made by `makeBatch(i)`, handing each one's logits to `consume`. */
export async function inferBatches(
  model: BertModel,
  count: number,
  makeBatch: (i: number) => HostBatch,
  consume: (out: BatchLogits, i: number) => void,
  options: { signal?: AbortSignal; onProgress?: ProgressCallback; progressTotal?: number } = {},
): Promise<void> {
  let done = 0;
  const limits = batchLimitsOf(model);
  for (let i = 0; i < count; i++) {
    if (options.signal?.aborted) throw new DOMException('evaluation cancelled', 'AbortError');
    const batch = makeBatch(i);
    const outs = tf.tidy(() => {
      const o = model.forward(toDeviceBatch({ batchSize: batch.batchSize, seqLength: batch.seqLength, inputIds: batch.inputIds, tokenTypeIds: batch.tokenTypeIds, attentionMask: batch.attentionMask }, limits), { training: false });
      const kept: tf.Tensor[] = [];
      if (o.logits) kept.push(o.logits);
      if (o.startLogits && o.endLogits) kept.push(o.startLogits, o.endLogits);
      return kept;
    });
    try {
      const data = await Promise.all(outs.map((t) => t.data() as Promise<Float32Array>));
      if (data.length === 1) consume({ batch, logits: data[0] }, i);
      else consume({ batch, startLogits: data[0], endLogits: data[1] }, i);
    } finally {
      for (const t of outs) t.dispose();
    }
    done += batch.batchSize;
    options.onProgress?.(done, options.progressTotal ?? count);
  }
}
