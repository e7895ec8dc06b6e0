/**
 * Sequence-length buckets. A batch padded to max_seq_length is cut to the smallest bucket that
 * holds its longest sequence, so the device sees only a few shapes (the WebGPU buffer pool is
 * keyed by exact size and never shrinks). Cutting padding changes nothing for classification:
 * masked keys get −10000 before the softmax, whose exp is exactly 0 in float32.
 */
import type { HostBatch } from '../model/types';

/** The lengths a run may use: the buckets below maxSeqLength, and maxSeqLength itself. */
export function bucketLengths(buckets: readonly number[], maxSeqLength: number): number[] {
  const out = [...new Set(buckets.filter((b) => b > 0 && b < maxSeqLength))].sort((a, b) => a - b);
  out.push(maxSeqLength);
  return out;
}

/** Length of the longest real (attention-mask 1) prefix in a batch. */
export function longestSequence(batch: HostBatch): number {
  let longest = 0;
  const { batchSize, seqLength, attentionMask } = batch;
  for (let b = 0; b < batchSize; b++) {
    let len = 0;
    for (let s = seqLength - 1; s >= 0; s--) {
      if (attentionMask[b * seqLength + s] !== 0) {
        len = s + 1;
        break;
      }
    }
    if (len > longest) longest = len;
  }
  return longest;
}

/** The batch cut to the smallest bucket length that holds every sequence (unchanged if none is shorter). */
export function cutToBucket(batch: HostBatch, lengths: readonly number[]): HostBatch {
  const need = longestSequence(batch);
  const target = lengths.find((l) => l >= need && l <= batch.seqLength) ?? batch.seqLength;
  if (target >= batch.seqLength) return batch;
  const cut = (a: Int32Array): Int32Array => {
    const out = new Int32Array(batch.batchSize * target);
    for (let b = 0; b < batch.batchSize; b++) out.set(a.subarray(b * batch.seqLength, b * batch.seqLength + target), b * target);
    return out;
  };
  return {
    ...batch,
    seqLength: target,
    inputIds: cut(batch.inputIds),
    tokenTypeIds: cut(batch.tokenTypeIds),
    attentionMask: cut(batch.attentionMask),
  };
}
