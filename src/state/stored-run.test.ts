/**
 * Reopening a stored run: the page's state from its record and curve (pure), and the bridge's
 * openRun / start / deleteRun around kept files and storage (fake worker, memory storage).
 */
import { describe, expect, it } from 'vitest';
import { createMemoryRunFileStore, createMemoryRunStorage, seriesFromSteps, bytesSource, type RunRecord } from '../core/io';
import { defaultSettings } from '../core/settings';
import type { StepMetrics } from '../core/train';
import type { Command } from '../protocol/commands';
import { createBridge, type WorkerLike } from './bridge';
import { createStudioStore } from './store';
import { canLoadModel, reopenedRunState, storedSettings } from './stored-run';

class FakeWorker implements WorkerLike {
  sent: Command[] = [];
  onmessage: ((ev: MessageEvent) => void) | null = null;
  onerror: ((ev: ErrorEvent | Event) => void) | null = null;
  postMessage(message: unknown): void {
    this.sent.push(message as Command);
  }
  terminate(): void {}
}

function record(over: Partial<RunRecord> = {}): RunRecord {
  return {
    id: 'r1', name: 'first', created: 1, updated: 2, task: 'squad', settings: { trainBatchSize: 16, learningRate: 1e-3, batchSize: 4 }, labels: [],
    fingerprint: 'f', fileNames: ['m/config.json', 'train.json'], status: 'finished', isDemo: false, model: null, backend: 'webgpu',
    totalSteps: 6, lastStep: 6, lastLoss: 1.5, lastCheckpointStep: 6,
    evals: [{ step: 6, epoch: 1, metrics: { f1: 40, exact_match: 30 } }, { step: 3, epoch: 0.5, metrics: { f1: 10, exact_match: 5 } }],
    finalMetrics: { f1: 40, exact_match: 30 }, error: null, keptFiles: ['m/config.json', 'train.json'], ...over,
  };
}

const step = (n: number): StepMetrics => ({ step: n, epoch: n / 6, loss: 3 - n / 4, learningRate: 1e-3, gradNorm: 1, examplesPerSec: 2, tokensPerSec: 0, memoryBytes: 0, numTensors: 0 });

describe('stored run state', () => {
  it('the run\'s settings: stored values over the task\'s defaults, legacy keys renamed', () => {
    const s = storedSettings(record());
    expect(s).toEqual({ ...defaultSettings('squad'), trainBatchSize: 4, learningRate: 1e-3 });
    expect(s.saveCheckpointsSeconds).toBe(120); // added after the run: its default
  });

  it('a finished run reopens with its curve\'s last step, its evaluations in order and its outcome', () => {
    const st = reopenedRunState(record(), [step(1), step(6)]);
    expect(st).toMatchObject({
      runId: 'r1', status: 'finished', lastStep: step(6), finished: { reason: 'completed', step: 6, metrics: { f1: 40, exact_match: 30 } },
      lastCheckpoint: { step: 6 }, prediction: null, exportState: null, spanPredictions: null,
    });
    expect(st.evals!.map((e) => e.step)).toEqual([3, 6]);
    expect(st.run).toMatchObject({ runId: 'r1', runName: 'first', task: 'squad', totalSteps: 6, isDemo: false });
  });

  it('an interrupted run without a checkpoint reopens as stopped, with "no checkpoint"', () => {
    const st = reopenedRunState(record({ status: 'interrupted', lastStep: 16, lastCheckpointStep: null, finalMetrics: null }), [step(1)]);
    expect(st).toMatchObject({ status: 'stopped', lastCheckpoint: null, finished: null });
  });

  it('the model can be loaded when a checkpoint and the data are at hand', () => {
    expect(canLoadModel(record())).toBe(true);
    expect(canLoadModel(record({ keptFiles: [] }))).toBe(false);
    expect(canLoadModel(record({ keptFiles: undefined }))).toBe(false);
    expect(canLoadModel(record({ keptFiles: [], isDemo: true }))).toBe(true);
    expect(canLoadModel(record({ lastCheckpointStep: null }))).toBe(false);
  });
});

function setup() {
  const store = createStudioStore();
  const storage = createMemoryRunStorage();
  const runFiles = createMemoryRunFileStore();
  const worker = new FakeWorker();
  const persisted: boolean[] = [];
  const quota = {
    use: async () => ({ usage: 1234, quota: 10_000, persisted: persisted.length > 0 }),
    persist: async () => {
      persisted.push(true);
      return true;
    },
  };
  const bridge = createBridge({ store, storage, runFiles, quota, createWorker: () => worker });
  return { store, storage, runFiles, worker, bridge, persisted };
}

describe('bridge: stored runs', () => {
  it('openRun shows the stored curve and results at once, and loads a finished run\'s model in the worker', async () => {
    const { bridge, storage, store, worker } = setup();
    await storage.putRun(record());
    await storage.putSeries('r1', seriesFromSteps([step(1), step(2), step(6)]));
    await bridge.openRun('r1');
    expect(Array.from(bridge.series.columns().step)).toEqual([1, 2, 6]);
    expect(store.getState().evals.map((e) => e.step)).toEqual([3, 6]);
    expect(worker.sent.at(-1)).toEqual({ type: 'resumeRun', runId: 'r1' });
  });

  it('openRun of an interrupted run loads its last checkpoint without training it (Resume trains)', async () => {
    const { bridge, storage, store, worker } = setup();
    await storage.putRun(record({ status: 'interrupted', lastStep: 4, lastCheckpointStep: 2 }));
    await storage.putSeries('r1', seriesFromSteps([step(1), step(2), step(3), step(4)]));
    await bridge.openRun('r1');
    expect(store.getState()).toMatchObject({ status: 'stopped', runId: 'r1', lastStep: step(4) });
    expect(worker.sent.filter((c) => c.type === 'resumeRun')).toEqual([]);
    expect(worker.sent.at(-1)).toEqual({ type: 'openRun', runId: 'r1' });
  });

  it('openRun of a run with no checkpoint, or whose files were not kept, only shows it', async () => {
    const { bridge, storage, worker } = setup();
    await storage.putRun(record({ id: 'none', status: 'interrupted', lastStep: 1, lastCheckpointStep: null }));
    await storage.putRun(record({ id: 'unkept', status: 'interrupted', lastStep: 4, lastCheckpointStep: 2, keptFiles: [] }));
    await bridge.openRun('none');
    await bridge.openRun('unkept');
    expect(worker.sent.filter((c) => c.type === 'resumeRun' || c.type === 'openRun')).toEqual([]);
  });

  it('start keeps the files by default and asks for persistent storage for the first kept run only', async () => {
    const { bridge, worker, storage, persisted, store } = setup();
    bridge.start('one');
    expect(worker.sent.at(-1)).toMatchObject({ type: 'start', runName: 'one' });
    expect(worker.sent.at(-1)).not.toHaveProperty('keepFiles'); // the session's default: kept
    await new Promise((r) => setTimeout(r, 0));
    expect(persisted).toEqual([true]);
    expect(store.getState().storageUse).toEqual({ usage: 1234, quota: 10_000, persisted: true });
    await storage.putRun(record());
    await bridge.refreshRuns();
    bridge.start('two');
    bridge.start('three', { keepFiles: false });
    expect(worker.sent.at(-1)).toMatchObject({ type: 'start', keepFiles: false });
    await new Promise((r) => setTimeout(r, 0));
    expect(persisted).toEqual([true]);
  });

  it('deleting a run frees its kept files', async () => {
    const { bridge, storage, runFiles } = setup();
    await storage.putRun(record());
    await runFiles.saveFiles('r1', [{ path: 'train.json', source: bytesSource(new Uint8Array(10), 'train.json') }]);
    await runFiles.saveFiles('r2', [{ path: 'train.json', source: bytesSource(new Uint8Array(10), 'train.json') }]);
    await bridge.deleteRun('r1');
    expect(await storage.getRun('r1')).toBeUndefined();
    expect(await runFiles.listRuns()).toEqual(['r2']);
  });
});
