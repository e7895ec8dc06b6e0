/**
 * Tabtune's training features as safetensors shards for the torchrun job, so Python needs no
 * tokenizer and sees exactly the features Tabtune trains on. Each shard holds rows of
 *   input_ids, token_type_ids, attention_mask   int32 [n, max_seq_length]
 *   labels (int32 classes / float32 targets) or start_positions, end_positions   [n]
 * in feature-index order (the data order is drawn by train.py from the seed, as Tabtune's loop
 * does). Rows come from TrainSet.batch (the same collation as training) and are padded back to
 * max_seq_length (a bucketed batch is shorter; padding changes no loss: masked keys get −10000).
 */
import type { HostBatch } from '../../model/types';
import type { TrainSet } from '../../train/task-types';
import { writeSafetensors, type LoadedTensor } from '../safetensors';

export interface FeatureShard {
  path: string;
  bytes: Uint8Array;
  count: number;
}

const COLLATE_CHUNK = 256;

function padRows(src: Int32Array, rows: number, from: number, to: number, dst: Int32Array, rowOffset: number): void {
  for (let r = 0; r < rows; r++) dst.set(src.subarray(r * from, (r + 1) * from), (rowOffset + r) * to);
}

export function featureShards(train: TrainSet, maxSeqLength: number, featuresPerShard = 20000, prefix = 'features/train'): FeatureShard[] {
  const n = train.numFeatures;
  const numShards = Math.max(1, Math.ceil(n / featuresPerShard));
  const pad5 = (i: number) => String(i).padStart(5, '0');
  const shards: FeatureShard[] = [];
  for (let s = 0; s < numShards; s++) {
    const start = s * featuresPerShard;
    const count = Math.min(featuresPerShard, n - start);
    const S = maxSeqLength;
    const ids = new Int32Array(count * S);
    const types = new Int32Array(count * S);
    const mask = new Int32Array(count * S);
    let labels: Int32Array | Float32Array | undefined;
    let starts: Int32Array | undefined;
    let ends: Int32Array | undefined;
    for (let c = 0; c < count; c += COLLATE_CHUNK) {
      const indices = Array.from({ length: Math.min(COLLATE_CHUNK, count - c) }, (_, i) => start + c + i);
      const b: HostBatch = train.batch(indices);
      padRows(b.inputIds, b.batchSize, b.seqLength, S, ids, c);
      padRows(b.tokenTypeIds, b.batchSize, b.seqLength, S, types, c);
      padRows(b.attentionMask, b.batchSize, b.seqLength, S, mask, c);
      if (b.labels) {
        labels ??= b.labels instanceof Float32Array ? new Float32Array(count) : new Int32Array(count);
        labels.set(b.labels, c);
      }
      if (b.startPositions && b.endPositions) {
        starts ??= new Int32Array(count);
        ends ??= new Int32Array(count);
        starts.set(b.startPositions, c);
        ends.set(b.endPositions, c);
      }
    }
    const t = new Map<string, LoadedTensor>([
      ['input_ids', { dtype: 'int32', shape: [count, S], data: ids }],
      ['token_type_ids', { dtype: 'int32', shape: [count, S], data: types }],
      ['attention_mask', { dtype: 'int32', shape: [count, S], data: mask }],
    ]);
    if (labels) t.set('labels', { dtype: labels instanceof Float32Array ? 'float32' : 'int32', shape: [count], data: labels });
    if (starts && ends) {
      t.set('start_positions', { dtype: 'int32', shape: [count], data: starts });
      t.set('end_positions', { dtype: 'int32', shape: [count], data: ends });
    }
    shards.push({ path: `${prefix}-${pad5(s + 1)}-of-${pad5(numShards)}.safetensors`, bytes: writeSafetensors(t, { format: 'pt' }), count });
  }
  return shards;
}
