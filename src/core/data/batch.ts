/**
 * Features -> one padded host batch (int32, row-major [B, S]) for the model or a worker transfer.
 * Every feature of a batch has the same max_seq_length (the converters pad to it).
 */
import { TabtuneError } from '../errors';
import type { HostBatch } from '../model/types';
import type { ClassifierFeature, SquadFeature } from './types';

interface Encoded {
  input_ids: number[];
  input_mask: number[];
  segment_ids: number[];
}

function collateInputs(features: readonly Encoded[], what: string): HostBatch {
  if (features.length === 0) {
    throw new TabtuneError('cannot build a batch from no features', { location: what, expected: 'at least one feature', code: 'batch' });
  }
  const batchSize = features.length;
  const seqLength = features[0].input_ids.length;
  const inputIds = new Int32Array(batchSize * seqLength);
  const tokenTypeIds = new Int32Array(batchSize * seqLength);
  const attentionMask = new Int32Array(batchSize * seqLength);
  features.forEach((f, b) => {
    if (f.input_ids.length !== seqLength || f.input_mask.length !== seqLength || f.segment_ids.length !== seqLength) {
      throw new TabtuneError(`feature ${b} has length ${f.input_ids.length}, feature 0 has ${seqLength}`, {
        location: `${what} batch row ${b}`,
        expected: 'features padded to one max_seq_length',
        code: 'batch',
      });
    }
    const o = b * seqLength;
    inputIds.set(f.input_ids, o);
    tokenTypeIds.set(f.segment_ids, o);
    attentionMask.set(f.input_mask, o);
  });
  return { batchSize, seqLength, inputIds, tokenTypeIds, attentionMask };
}

/** Classifier batch: labels int32 class ids, or float32 targets for regression. */
export function collateClassifier(features: readonly ClassifierFeature[], regression: boolean): HostBatch {
  const batch = collateInputs(features, 'classifier');
  batch.labels = regression ? Float32Array.from(features, (f) => f.label_id) : Int32Array.from(features, (f) => f.label_id);
  return batch;
}

/** SQuAD batch: with start/end positions when training (every feature must carry them). */
export function collateSquad(features: readonly SquadFeature[], training: boolean): HostBatch {
  const batch = collateInputs(features, 'squad');
  if (training) {
    const pos = (f: SquadFeature, which: 'start_position' | 'end_position', b: number): number => {
      const v = f[which];
      if (v === null) {
        throw new TabtuneError(`feature ${f.unique_id} has no ${which}`, { location: `squad batch row ${b}`, expected: 'training features (converted with training: true)', code: 'batch' });
      }
      return v;
    };
    batch.startPositions = Int32Array.from(features, (f, b) => pos(f, 'start_position', b));
    batch.endPositions = Int32Array.from(features, (f, b) => pos(f, 'end_position', b));
  }
  return batch;
}
