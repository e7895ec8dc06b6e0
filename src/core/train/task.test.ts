/**
 * Task adapters against the fixtures: every classifier feature line of MRPC dev (max 128) comes
 * out of TrainSet.batch unchanged (and cut to a bucket without changing the logits); every
 * SQuAD train feature (64/16/12) likewise; and evaluation over replayed fixture logits gives
 * exactly write_predictions' predictions.json and the official metrics (v1.1 and v2.0).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../backend/init';
import { sourceFromFile } from '../../platform/node/data-source';
import { readSafetensors } from '../io/safetensors';
import { parseBertConfig } from '../io/config';
import { createBertModel } from '../model/bert-model';
import { toDeviceBatch } from '../model/batch';
import type { BertBatch, BertModel, BertOutputs } from '../model/types';
import { tokenizerFromBytes } from '../tokenizer';
import { readJsonl, readShared, readSharedBytes, sharedPath } from '../../testing/shared';
import { resolveTrainingConfig } from './run-config';
import { createTaskAdapter } from './task';
import { bucketLengths, cutToBucket, longestSequence } from './task-buckets';

interface ClassifierLine { guid: string; input_ids: number[]; input_mask: number[]; segment_ids: number[]; label_id: number }
interface SquadLine { unique_id: number; input_ids: number[]; input_mask: number[]; segment_ids: number[]; start_position: number; end_position: number }
interface LogitsLine { unique_id: number; start_logits: number[]; end_logits: number[] }

const tokenizer = tokenizerFromBytes(readSharedBytes('fixtures/vocab/bert-base-uncased.txt'), 'vocab.txt', { doLowerCase: true });

beforeAll(async () => {
  await initBackend('wasm');
});

function rows(a: Int32Array | Float32Array, b: number, width: number): number[] {
  return Array.from(a.subarray(b * width, (b + 1) * width));
}

/** A model that replays fixture logits in feature order (as the evaluation feeds them). */
function replayModel(lines: LogitsLine[]): BertModel & { served: () => number } {
  let next = 0;
  const forward = (batch: BertBatch): BertOutputs =>
    tf.tidy(() => {
      const [B, S] = batch.inputIds.shape;
      const start: number[][] = [];
      const end: number[][] = [];
      for (let b = 0; b < B; b++) {
        const l = lines[next++];
        start.push(l.start_logits.slice(0, S));
        end.push(l.end_logits.slice(0, S));
      }
      return { sequenceOutput: tf.zeros([B, S, 1]) as tf.Tensor3D, pooledOutput: tf.zeros([B, 1]) as tf.Tensor2D, startLogits: tf.tensor2d(start), endLogits: tf.tensor2d(end) };
    });
  return {
    config: parseBertConfig(readShared('fixtures/model/tiny-uncased/config.json')).config,
    head: { kind: 'span' },
    variables: new Map(),
    forward,
    loss: () => {
      throw new Error('not used');
    },
    exportWeights: async () => new Map(),
    dispose: () => undefined,
    served: () => next,
  };
}

describe('classifier task', () => {
  it('batches every MRPC dev feature as the fixture has it, and bucket cuts keep the logits', async () => {
    const fixture = readJsonl<ClassifierLine>('fixtures/classifier/mrpc-dev-128.jsonl');
    const config = resolveTrainingConfig('mrpc', { maxSeqLength: 128, maxTrainExamples: fixture.length, seqBuckets: [] });
    // The dev file read as training data: same features, guids aside.
    const adapter = await createTaskAdapter({ tokenizer, config, train: sourceFromFile(sharedPath('datasets/glue/MRPC/dev.tsv')) });
    const train = adapter.train!;
    expect(train.numFeatures).toBe(fixture.length);
    expect(adapter.head).toEqual({ kind: 'classification', numLabels: 2, labels: ['0', '1'] });
    const bs = 16;
    for (let start = 0; start < fixture.length; start += bs) {
      const idx = Array.from({ length: Math.min(bs, fixture.length - start) }, (_, i) => start + i);
      const batch = train.batch(idx);
      expect(batch.seqLength).toBe(128);
      idx.forEach((fi, b) => {
        expect(rows(batch.inputIds, b, 128)).toEqual(fixture[fi].input_ids);
        expect(rows(batch.attentionMask, b, 128)).toEqual(fixture[fi].input_mask);
        expect(rows(batch.tokenTypeIds, b, 128)).toEqual(fixture[fi].segment_ids);
        expect(batch.labels![b]).toBe(fixture[fi].label_id);
      });
    }

    // Bucketing: a cut batch holds the same prefix and gives the same logits as the full one
    // (tiny-uncased has 64 positions: the same file at max_seq_length 64).
    const short = await createTaskAdapter({ tokenizer, config: { ...config, maxSeqLength: 64 }, train: sourceFromFile(sharedPath('datasets/glue/MRPC/dev.tsv')) });
    const model = createBertModel(
      parseBertConfig(readShared('fixtures/model/tiny-uncased/config.json')).config,
      readSafetensors(readSharedBytes('fixtures/model/tiny-uncased/model.safetensors')).tensors,
      adapter.head,
      { seed: 1 },
    );
    const lengths = bucketLengths([16, 32, 48, 128], 64);
    expect(lengths).toEqual([16, 32, 48, 64]);
    const picked = Array.from({ length: 200 }, (_, i) => i).filter((i) => longestSequence(short.train!.batch([i])) <= 40).slice(0, 4);
    expect(picked).toHaveLength(4);
    const full = short.train!.batch(picked);
    const cut = cutToBucket(full, lengths);
    expect(cut.seqLength).toBe(lengths.find((l) => l >= longestSequence(full)));
    expect(cut.seqLength).toBeLessThan(64);
    for (let b = 0; b < 4; b++) expect(rows(cut.inputIds, b, cut.seqLength)).toEqual(rows(full.inputIds, b, 64).slice(0, cut.seqLength));
    const logits = (h: typeof full) => tf.tidy(() => model.forward(toDeviceBatch(h), { training: false }).logits!.arraySync());
    const a = logits(full);
    const c = logits(cut);
    for (let b = 0; b < 4; b++) for (let k = 0; k < 2; k++) expect(Math.abs(a[b][k] - c[b][k])).toBeLessThan(1e-5);
    model.dispose();
  });
});

describe('tsv task', () => {
  it("reads a user's CSV with mapped columns into the same features as the GLUE reader, as classes or as regression", async () => {
    const lines = readShared('datasets/glue/MRPC/train.tsv').split(/\r?\n/).slice(1, 21);
    const quote = (v: string) => `"${v.replace(/"/g, '""')}"`;
    const csv = ['score,first,second', ...lines.map((l) => l.split('\t')).map((c) => [c[0], quote(c[3]), quote(c[4])].join(','))].join('\n') + '\n';
    const dir = mkdtempSync(join(tmpdir(), 'tabtune-tsv-'));
    const file = join(dir, 'pairs.csv');
    writeFileSync(file, csv);
    try {
      const config = resolveTrainingConfig('tsv', { maxSeqLength: 64, maxTrainExamples: 20 });
      const glue = await createTaskAdapter({ tokenizer, config: { ...config, task: 'mrpc' }, train: sourceFromFile(sharedPath('datasets/glue/MRPC/train.tsv')) });
      const table = await createTaskAdapter({ tokenizer, config, train: sourceFromFile(file), dev: sourceFromFile(file), columns: { textA: 'first', textB: 'second', label: 'score' } });
      expect(table.head).toEqual({ kind: 'classification', numLabels: 2, labels: ['0', '1'] });
      expect(table.train!.numFeatures).toBe(20);
      const idx = Array.from({ length: 20 }, (_, i) => i);
      const a = glue.train!.batch(idx);
      const b = table.train!.batch(idx);
      expect(b.seqLength).toBe(a.seqLength);
      expect(Array.from(b.inputIds)).toEqual(Array.from(a.inputIds));
      expect(Array.from(b.tokenTypeIds)).toEqual(Array.from(a.tokenTypeIds));
      expect(Array.from(b.labels!)).toEqual(Array.from(a.labels!));

      const reg = await createTaskAdapter({ tokenizer, config, train: sourceFromFile(file), dev: sourceFromFile(file), columns: { textA: 'first', textB: 'second', label: 'score' }, regression: true });
      expect(reg.head).toEqual({ kind: 'regression' });
      const rb = reg.train!.batch([0, 1, 2]);
      expect(rb.labels).toBeInstanceOf(Float32Array);
      expect(Array.from(rb.labels!)).toEqual(lines.slice(0, 3).map((l) => Number(l.split('\t')[0])));
      const model = createBertModel(parseBertConfig(readShared('fixtures/model/tiny-uncased/config.json')).config, readSafetensors(readSharedBytes('fixtures/model/tiny-uncased/model.safetensors')).tensors, reg.head, { seed: 2 });
      const outcome = await reg.dev!.evaluate(model, { batchSize: 8 });
      model.dispose();
      expect(Object.keys(outcome.metrics).sort()).toEqual(['pearson', 'spearman']);
      if (outcome.predictions.kind !== 'regression') throw new Error('expected regression predictions');
      expect(outcome.predictions.predicted).toHaveLength(20);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('squad task', () => {
  it('batches every training feature (64/16/12) as the fixture has it', async () => {
    const fixture = readJsonl<SquadLine>('fixtures/squad/xquad.en/features-train-64-16-12.jsonl');
    const config = resolveTrainingConfig('squad', { maxSeqLength: 64, docStride: 16, maxQueryLength: 12 });
    const adapter = await createTaskAdapter({ tokenizer, config, train: sourceFromFile(sharedPath('fixtures/squad/xquad.en/input-train.json')) });
    const train = adapter.train!;
    expect(adapter.head).toEqual({ kind: 'span' });
    expect(train.numFeatures).toBe(fixture.length);
    const bs = 64;
    for (let start = 0; start < fixture.length; start += bs) {
      const idx = Array.from({ length: Math.min(bs, fixture.length - start) }, (_, i) => start + i);
      const batch = train.batch(idx);
      expect(batch.seqLength).toBe(64); // training batches are never cut (run_squad's loss spans every position)
      idx.forEach((fi, b) => {
        expect(rows(batch.inputIds, b, 64)).toEqual(fixture[fi].input_ids);
        expect(rows(batch.attentionMask, b, 64)).toEqual(fixture[fi].input_mask);
        expect(rows(batch.tokenTypeIds, b, 64)).toEqual(fixture[fi].segment_ids);
        expect(batch.startPositions![b]).toBe(fixture[fi].start_position);
        expect(batch.endPositions![b]).toBe(fixture[fi].end_position);
      });
    }
  });

  it('first N questions: --max-train-examples keeps whole questions in file order', async () => {
    const fixture = readJsonl<SquadLine & { example_index: number }>('fixtures/squad/xquad.en/features-train-64-16-12.jsonl');
    const config = resolveTrainingConfig('squad', { maxSeqLength: 64, docStride: 16, maxQueryLength: 12, maxTrainExamples: 32 });
    const adapter = await createTaskAdapter({ tokenizer, config, train: sourceFromFile(sharedPath('fixtures/squad/xquad.en/input-train.json')) });
    expect(adapter.train!.numExamples).toBe(32);
    expect(adapter.train!.numFeatures).toBe(fixture.filter((f) => f.example_index < 32).length);
  });

  for (const [set, task, metricsFile] of [
    ['xquad.en', 'squad', 'post-64-16-12-official-metrics.json'],
    ['cs224n-dev-v2.0', 'squad2', 'post-64-16-12-official-metrics.json'],
  ] as const) {
    it(`evaluation of ${set} over the fixture logits gives write_predictions' output and the official metrics`, async () => {
      const logits = readJsonl<LogitsLine>(`fixtures/squad/${set}/post-64-16-12-logits.jsonl`);
      const config = resolveTrainingConfig(task, { maxSeqLength: 64, docStride: 16, maxQueryLength: 12 });
      const adapter = await createTaskAdapter({ tokenizer, config, dev: sourceFromFile(sharedPath(`fixtures/squad/${set}/input.json`)) });
      const dev = adapter.dev!;
      expect(dev.numFeatures).toBe(logits.length);
      expect(dev.labelled).toBe(true);
      const model = replayModel(logits);
      const outcome = await dev.evaluate(model, { batchSize: 8, liveSpanCount: 3 });
      expect(model.served()).toBe(logits.length);
      const p = outcome.predictions;
      if (p.kind !== 'span') throw new Error('expected span predictions');
      expect(p.predictions).toEqual(JSON.parse(readShared(`fixtures/squad/${set}/post-64-16-12-predictions.json`)));
      if (task === 'squad2') {
        const odds = JSON.parse(readShared(`fixtures/squad/${set}/post-64-16-12-null_odds.json`)) as Record<string, number>;
        expect(Object.keys(p.nullOdds!).sort()).toEqual(Object.keys(odds).sort());
        for (const [k, v] of Object.entries(odds)) expect(Math.abs(p.nullOdds![k] - v)).toBeLessThan(1e-3);
      }
      const official = JSON.parse(readShared(`fixtures/squad/${set}/${metricsFile}`)) as Record<string, number>;
      expect(Object.keys(outcome.metrics).sort()).toEqual(Object.keys(official).sort());
      for (const [k, v] of Object.entries(official)) expect(outcome.metrics[k]).toBeCloseTo(v, 9);

      // Live spans: the first three questions, predicted text located in the context.
      expect(outcome.spans).toHaveLength(3);
      for (const s of outcome.spans!) {
        const text = p.predictions[s.qasId];
        if (text === '') expect(s.predicted).toBeNull();
        else if (s.predicted) expect(s.context.slice(s.predicted.start, s.predicted.end).toLowerCase()).toBe(s.predicted.text.toLowerCase());
        for (const g of s.gold) expect(s.context.slice(g.start, g.end)).toBe(g.text);
      }
    });
  }
});
