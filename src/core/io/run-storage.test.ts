import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import {
  createMemoryRunStorage, fingerprintFiles, seriesFromSteps, stepsFromSeries, type RunRecord, type RunStorage, type StoredCheckpoint,
} from './run-storage';
import { createIdbRunStorage } from '../../platform/browser/run-storage-idb';
import type { StepMetrics } from '../train/types';

let dbCounter = 0;
const implementations: Array<[string, () => RunStorage]> = [
  ['memory', () => createMemoryRunStorage()],
  ['IndexedDB', () => createIdbRunStorage(`tabtune-test-${++dbCounter}`)],
];

function run(id: string, created: number, status: RunRecord['status'] = 'running'): RunRecord {
  return {
    id, name: `run ${id}`, created, updated: created, task: 'squad', settings: { learningRate: 3e-5, batchSize: 12 }, labels: [],
    fingerprint: 'abc', fileNames: ['train.json'], status, isDemo: false, model: { hiddenSize: 32 }, backend: 'webgpu', totalSteps: 100,
    lastStep: 0, lastLoss: null, lastCheckpointStep: null, evals: [{ step: 10, epoch: 0.5, metrics: { exact_match: 12.5, f1: 20 } }],
    finalMetrics: null, error: null,
  };
}

function checkpoint(runId: string, step: number): StoredCheckpoint {
  return { runId, step, epoch: step / 10, created: step, files: { 'model.safetensors': new Uint8Array([step, 1, 2]), 'trainer_state.json': new Uint8Array(step) }, meta: { step } };
}

for (const [label, make] of implementations) {
  describe(`run storage (${label})`, () => {
    it('puts, lists newest first, gets, updates and renames runs', async () => {
      const s = make();
      await s.putRun(run('a', 100));
      await s.putRun(run('b', 300));
      await s.putRun(run('c', 200));
      expect((await s.listRuns()).map((r) => r.id)).toEqual(['b', 'c', 'a']);
      expect(await s.getRun('a')).toEqual(run('a', 100));
      expect(await s.getRun('zzz')).toBeUndefined();
      const updated = await s.updateRun('a', { status: 'finished', lastStep: 100, finalMetrics: { f1: 80 } });
      expect(updated).toMatchObject({ id: 'a', status: 'finished', lastStep: 100, finalMetrics: { f1: 80 }, name: 'run a' });
      expect(updated.updated).toBeGreaterThanOrEqual(100);
      expect(await s.getRun('a')).toEqual(updated);
      const renamed = await s.renameRun('a', 'baseline');
      expect(renamed.name).toBe('baseline');
      expect((await s.getRun('a'))?.name).toBe('baseline');
      await expect(s.updateRun('missing', { name: 'x' })).rejects.toThrow(/no stored run with id missing/);
    });

    it('stores the curves as typed columns', async () => {
      const s = make();
      const steps: StepMetrics[] = [1, 2, 3].map((n) => ({ step: n, epoch: n / 3, loss: 3 - n / 2, learningRate: n * 1e-5, gradNorm: n, examplesPerSec: 10 * n, tokensPerSec: 0, memoryBytes: 0, numTensors: 0 }));
      await s.putRun(run('a', 1));
      await s.putSeries('a', seriesFromSteps(steps));
      const back = await s.getSeries('a');
      expect(back?.loss).toBeInstanceOf(Float64Array);
      expect(stepsFromSeries(back!)).toEqual(steps);
      expect(await s.getSeries('nope')).toBeUndefined();
    });

    it('keeps the newest checkpoints, lists them oldest first, and gets / deletes by step', async () => {
      const s = make();
      await s.putRun(run('a', 1));
      await s.putCheckpoint(checkpoint('a', 10));
      await s.putCheckpoint(checkpoint('a', 20));
      await s.putCheckpoint(checkpoint('a', 30));
      await s.putCheckpoint(checkpoint('other', 5));
      expect((await s.listCheckpoints('a')).map((c) => [c.step, c.bytes])).toEqual([[20, 23], [30, 33]]);
      const latest = await s.latestCheckpoint('a');
      expect(latest?.step).toBe(30);
      expect(Array.from(latest!.files['model.safetensors'])).toEqual([30, 1, 2]);
      expect(latest?.meta).toEqual({ step: 30 });
      expect((await s.getCheckpoint('a', 20))?.epoch).toBe(2);
      expect(await s.getCheckpoint('a', 10)).toBeUndefined();
      await s.deleteCheckpoint('a', 30);
      expect((await s.latestCheckpoint('a'))?.step).toBe(20);
      await s.putCheckpoint(checkpoint('a', 40), 0);
      await s.putCheckpoint(checkpoint('a', 50), 0);
      await s.putCheckpoint(checkpoint('a', 60), 0);
      expect((await s.listCheckpoints('a')).map((c) => c.step)).toEqual([20, 40, 50, 60]);
      expect(await s.latestCheckpoint('nobody')).toBeUndefined();
    });

    it('deletes a run with its series and checkpoints only', async () => {
      const s = make();
      await s.putRun(run('a', 1));
      await s.putRun(run('b', 2));
      await s.putSeries('a', seriesFromSteps([]));
      await s.putCheckpoint(checkpoint('a', 10));
      await s.putCheckpoint(checkpoint('b', 10));
      await s.deleteRun('a');
      expect((await s.listRuns()).map((r) => r.id)).toEqual(['b']);
      expect(await s.getSeries('a')).toBeUndefined();
      expect(await s.listCheckpoints('a')).toEqual([]);
      expect((await s.latestCheckpoint('b'))?.step).toBe(10);
    });

    it('marks running runs as interrupted (a reload)', async () => {
      const s = make();
      await s.putRun(run('a', 1, 'running'));
      await s.putRun(run('b', 2, 'finished'));
      await s.putRun(run('c', 3, 'running'));
      expect((await s.markInterrupted()).sort()).toEqual(['a', 'c']);
      expect((await s.listRuns()).map((r) => [r.id, r.status])).toEqual([['c', 'interrupted'], ['b', 'finished'], ['a', 'interrupted']]);
      expect(await s.markInterrupted()).toEqual([]);
    });

    it('returns copies: changing a returned record does not change the store', async () => {
      const s = make();
      await s.putRun(run('a', 1));
      const r = await s.getRun('a');
      r!.name = 'changed';
      r!.evals.push({ step: 1, epoch: 0, metrics: {} });
      expect(await s.getRun('a')).toEqual(run('a', 1));
    });
  });
}

describe('IndexedDB run storage', () => {
  it('survives reopening the database (a reload)', async () => {
    const name = `tabtune-reload-${++dbCounter}`;
    const first = createIdbRunStorage(name);
    await first.putRun(run('a', 1));
    await first.putCheckpoint(checkpoint('a', 10));
    const second = createIdbRunStorage(name);
    expect((await second.listRuns()).map((r) => r.id)).toEqual(['a']);
    expect((await second.latestCheckpoint('a'))?.step).toBe(10);
  });
});

describe('fingerprintFiles', () => {
  const enc = new TextEncoder();
  const file = (name: string, text: string) => ({ name, size: text.length, head: enc.encode(text) });

  it('is a SHA-256 hex digest independent of the drop order', async () => {
    const a = file('train.tsv', 'Quality\t#1 ID');
    const b = file('vocab.txt', '[PAD]\n[UNK]');
    const fp = await fingerprintFiles([a, b]);
    expect(fp).toMatch(/^[0-9a-f]{64}$/);
    expect(await fingerprintFiles([b, a])).toBe(fp);
  });

  it('changes with a name, a size or the first bytes', async () => {
    const base = await fingerprintFiles([file('train.tsv', 'abc')]);
    expect(await fingerprintFiles([file('dev.tsv', 'abc')])).not.toBe(base);
    expect(await fingerprintFiles([{ ...file('train.tsv', 'abc'), size: 4 }])).not.toBe(base);
    expect(await fingerprintFiles([file('train.tsv', 'abd')])).not.toBe(base);
    // Bytes past the first 64 KiB do not count.
    const long1 = new Uint8Array(70000);
    const long2 = long1.slice();
    long2[69999] = 1;
    expect(await fingerprintFiles([{ name: 'x', size: 70000, head: long1 }])).toBe(await fingerprintFiles([{ name: 'x', size: 70000, head: long2 }]));
  });
});
