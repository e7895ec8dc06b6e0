/** collateClassifier / collateSquad: fixture features -> row-major int32 [B, S] host batches. */
import { describe, expect, it } from 'vitest';
import { TabtuneError } from '../errors';
import { readJsonl } from '../../testing/shared';
import { collateClassifier, collateSquad } from './batch';
import type { ClassifierFeature, SquadFeature } from './types';

describe('collate', () => {
  it('lays every classifier fixture feature out row-major with int32 labels', () => {
    const features = readJsonl<ClassifierFeature>('fixtures/classifier/mrpc-dev-24.jsonl');
    const batch = collateClassifier(features, false);
    expect(batch.batchSize).toBe(200);
    expect(batch.seqLength).toBe(24);
    expect(batch.inputIds).toBeInstanceOf(Int32Array);
    expect(batch.labels).toBeInstanceOf(Int32Array);
    features.forEach((f, b) => {
      expect(Array.from(batch.inputIds.subarray(b * 24, (b + 1) * 24))).toEqual(f.input_ids);
      expect(Array.from(batch.tokenTypeIds.subarray(b * 24, (b + 1) * 24))).toEqual(f.segment_ids);
      expect(Array.from(batch.attentionMask.subarray(b * 24, (b + 1) * 24))).toEqual(f.input_mask);
      expect(batch.labels![b]).toBe(f.label_id);
    });
    expect(batch.startPositions).toBeUndefined();
  });

  it('gives float32 targets for regression', () => {
    const features = readJsonl<ClassifierFeature>('fixtures/classifier/cola-dev-8.jsonl').slice(0, 3).map((f, i) => ({ ...f, label_id: [0.5, 3.8, 5][i] }));
    const batch = collateClassifier(features, true);
    expect(batch.labels).toBeInstanceOf(Float32Array);
    expect(Array.from(batch.labels!)).toEqual([0.5, Math.fround(3.8), 5]);
  });

  it('adds start/end positions for SQuAD training and leaves them out for evaluation', () => {
    const train = readJsonl<SquadFeature>('fixtures/squad/cs224n-dev-v2.0/features-train-64-16-12.jsonl');
    const batch = collateSquad(train, true);
    expect(batch.batchSize).toBe(train.length);
    expect(batch.seqLength).toBe(64);
    expect(Array.from(batch.startPositions!)).toEqual(train.map((f) => f.start_position));
    expect(Array.from(batch.endPositions!)).toEqual(train.map((f) => f.end_position));
    expect(Array.from(batch.inputIds.subarray(64 * 7, 64 * 8))).toEqual(train[7].input_ids);

    const evalFeatures = readJsonl<SquadFeature>('fixtures/squad/cs224n-dev-v2.0/features-eval-64-16-12.jsonl');
    const evalBatch = collateSquad(evalFeatures, false);
    expect(evalBatch.startPositions).toBeUndefined();
    expect(() => collateSquad(evalFeatures, true)).toThrow(TabtuneError);
  });

  it('refuses an empty batch and features of different lengths', () => {
    expect(() => collateClassifier([], false)).toThrow(/no features/);
    const a = readJsonl<ClassifierFeature>('fixtures/classifier/mrpc-dev-24.jsonl')[0];
    const b = readJsonl<ClassifierFeature>('fixtures/classifier/mrpc-dev-128.jsonl')[0];
    expect(() => collateClassifier([a, b], false)).toThrow('feature 1 has length 128, feature 0 has 24');
  });
});
