import { describe, expect, it } from 'vitest';
import { createBridge, newRunId, type WorkerLike } from './bridge';
import { createStudioStore } from './store';
import { createMemoryRunStorage, type RunRecord } from '../core/io';
import type { Command } from '../protocol/commands';
import type { WorkerEvent } from '../protocol/events';
import { defaultSettings } from '../core/settings';

class FakeWorker implements WorkerLike {
  sent: Array<{ message: Command; transfer: Transferable[] }> = [];
  terminated = false;
  onmessage: ((ev: MessageEvent) => void) | null = null;
  onerror: ((ev: ErrorEvent | Event) => void) | null = null;
  onmessageerror: ((ev: MessageEvent) => void) | null = null;
  postMessage(message: unknown, transfer: Transferable[]): void {
    this.sent.push({ message: message as Command, transfer });
  }
  terminate(): void {
    this.terminated = true;
  }
  emit(ev: WorkerEvent): void {
    this.onmessage?.({ data: ev } as MessageEvent);
  }
  crash(message: string): void {
    this.onerror?.({ message, preventDefault() {} } as unknown as ErrorEvent);
  }
}

function record(id: string, created: number): RunRecord {
  return {
    id, name: id, created, updated: created, task: 'mrpc', settings: {}, labels: ['0', '1'], fingerprint: 'f', fileNames: ['train.tsv'],
    status: 'finished', isDemo: false, model: null, backend: 'wasm', totalSteps: 10, lastStep: 10, lastLoss: 0.1, lastCheckpointStep: 10,
    evals: [], finalMetrics: { accuracy: 1 }, error: null,
  };
}

/** Resolves once the store's state satisfies `holds` (now or at a later change): waits on the store's events, not on time. */
function until(store: ReturnType<typeof createStudioStore>, holds: (s: ReturnType<ReturnType<typeof createStudioStore>['getState']>) => boolean): Promise<void> {
  return new Promise((resolve) => {
    if (holds(store.getState())) return resolve();
    const off = store.subscribe((s) => {
      if (!holds(s)) return;
      off();
      resolve();
    });
  });
}

function setup(now?: () => number) {
  const workers: FakeWorker[] = [];
  const store = createStudioStore();
  const storage = createMemoryRunStorage();
  const bridge = createBridge({
    store,
    storage,
    now,
    createWorker: () => {
      const w = new FakeWorker();
      workers.push(w);
      return w;
    },
  });
  return { workers, store, storage, bridge, last: () => workers[workers.length - 1] };
}

describe('bridge', () => {
  it('sends typed commands, transferring file bytes; task and edits go to the session as they are', () => {
    const { bridge, last, store } = setup();
    const bytes = new ArrayBuffer(4);
    bridge.loadFiles([{ path: 'data/train.tsv', data: bytes }]);
    expect(store.getState().recognising).toBe(true);
    expect(last().sent[0]).toEqual({ message: { type: 'loadFiles', files: [{ path: 'data/train.tsv', data: bytes }] }, transfer: [bytes] });
    bridge.setTask('rte');
    bridge.updateSettings({ trainBatchSize: 8 });
    bridge.resetSettings();
    const runId = bridge.start('my run');
    expect(last().sent.map((s) => s.message)).toEqual([
      { type: 'loadFiles', files: [{ path: 'data/train.tsv', data: bytes }] },
      { type: 'configure', task: 'rte' },
      { type: 'configure', edits: { trainBatchSize: 8 } },
      { type: 'configure', reset: true },
      { type: 'start', runId, runName: 'my run' },
    ]);
    expect(store.getState().status).toBe('preparing');
    bridge.pause();
    bridge.resume();
    bridge.stop();
    bridge.evaluate();
    expect(last().sent.slice(-4).map((s) => s.message.type)).toEqual(['pause', 'resume', 'stop', 'evaluate']);
  });

  it('numbers predict / export requests and records them as pending', () => {
    const { bridge, last, store } = setup();
    const a = bridge.predict({ kind: 'classification', textA: 'x' });
    const b = bridge.exportModel();
    expect(b).toBe(a + 1);
    expect(store.getState().prediction).toMatchObject({ requestId: a, status: 'pending' });
    expect(store.getState().exportState).toMatchObject({ requestId: b, status: 'pending' });
    last().emit({ type: 'prediction', requestId: a, result: { kind: 'classification', labels: ['0', '1'], probabilities: [0.25, 0.75] } });
    expect(store.getState().prediction?.result).toEqual({ kind: 'classification', labels: ['0', '1'], probabilities: [0.25, 0.75] });
    const demoId = bridge.startDemo({ seed: 3 });
    expect(last().sent[last().sent.length - 1].message).toEqual({ type: 'demo', runId: demoId, runName: 'Demo: generated questions', options: { seed: 3 } });
  });

  it('writes worker events into the store and series, refreshing runs on checkpoints', async () => {
    const { bridge, last, store, storage } = setup();
    await storage.putRun(record('a', 1));
    last().emit({ type: 'step', steps: [{ step: 1, epoch: 0, loss: 2, learningRate: 1e-5, gradNorm: 1, examplesPerSec: 1, tokensPerSec: 1, memoryBytes: 0, numTensors: 0 }] });
    expect(bridge.series.length).toBe(1);
    last().emit({ type: 'checkpoint', runId: 'a', step: 1, epoch: 0, bytes: 10 });
    // The checkpoint event makes the bridge re-read the stored runs into the store.
    await until(store, (s) => s.runs.length > 0);
    expect(store.getState().runs.map((r) => r.id)).toEqual(['a']);
  });

  it('shows an edit at once, and the session\'s validated settings replace it when they arrive', () => {
    const { bridge, last, store } = setup();
    store.setState({ settings: defaultSettings('mrpc') });
    bridge.updateSettings({ trainableParameters: 'lora' });
    expect(store.getState().settings.trainableParameters).toBe('lora');
    expect(last().sent.at(-1)?.message).toEqual({ type: 'configure', edits: { trainableParameters: 'lora' } });
    // The session refused the edit (say, this model cannot take adapters): its answer stands.
    last().emit({ type: 'settings', task: 'mrpc', settings: defaultSettings('mrpc'), edited: [], adapted: [], issues: [] });
    expect(store.getState().settings.trainableParameters).toBe('full');
  });

  it('restarts a crashed worker, re-sending the kept files and the configuration', async () => {
    const { bridge, workers, store, storage } = setup();
    await storage.putRun({ ...record('r9', 5), status: 'running' });
    store.setState({ status: 'training', runId: 'r9' });
    const file = new File(['a\tb'], 'train.tsv');
    bridge.loadFiles([file]);
    bridge.setTask('mrpc');
    bridge.updateSettings({ trainBatchSize: 8 });
    // The session's answers: the user's task and edit are in force.
    workers[0].emit({ type: 'taskDetected', detection: { task: 'mrpc', reason: 'chosen by you (detected: rte)', candidates: ['rte', 'mrpc'], labels: ['0', '1'], counts: { train: 1, dev: 0, test: 0 }, model: null, ready: false, missing: [] } });
    workers[0].emit({ type: 'settings', task: 'mrpc', settings: { ...defaultSettings('mrpc'), trainBatchSize: 8 }, edited: ['trainBatchSize'], adapted: [], issues: [] });
    store.setState({ lastCheckpoint: { step: 30, epoch: 1, bytes: 1, time: 0 } });
    workers[0].crash('out of memory');
    expect(workers[0].terminated).toBe(true);
    expect(workers).toHaveLength(2);
    expect(workers[1].sent.map((s) => s.message.type)).toEqual(['loadFiles', 'configure']);
    expect((workers[1].sent[0].message as Extract<Command, { type: 'loadFiles' }>).files[0]).toEqual({ path: 'train.tsv', data: file });
    expect(workers[1].sent[1].message).toEqual({ type: 'configure', task: 'mrpc', edits: { trainBatchSize: 8 }, columns: undefined });
    const s = store.getState();
    expect(s.status).toBe('failed');
    expect(s.errors[0]).toMatchObject({ fatal: true, code: 'worker-crash', lastCheckpointStep: 30 });
    expect(s.errors[0].message).toContain('out of memory');
    expect(s.errors[0].message).toContain('step 30');
    // The run the crashed worker was training is marked interrupted (resumable) and listed.
    await until(store, (s) => s.runs.some((r) => r.status === 'interrupted'));
    expect((await storage.getRun('r9'))?.status).toBe('interrupted');
    expect(store.getState().runs.map((r) => [r.id, r.status])).toEqual([['r9', 'interrupted']]);
    // The bridge keeps working with the new worker.
    bridge.evaluate();
    expect(workers[1].sent[2].message).toEqual({ type: 'evaluate' });
  });

  it('stops restarting a worker that crashes more than 3 times a minute, and says what to do', () => {
    let t = 0;
    const { bridge, workers, store } = setup(() => t);
    bridge.setTask('mrpc');
    for (let i = 0; i < 3; i++) {
      t += 1000;
      workers[workers.length - 1].crash(`boom ${i}`);
    }
    expect(workers).toHaveLength(4);
    expect(store.getState().errors.map((e) => e.code)).toEqual(['worker-crash', 'worker-crash', 'worker-crash']);
    t += 1000;
    workers[3].crash('boom 3');
    expect(workers).toHaveLength(4);
    expect(workers[3].terminated).toBe(true);
    const last = store.getState().errors.at(-1)!;
    expect(last).toMatchObject({ fatal: true, code: 'worker-crash-loop' });
    expect(last.message).toContain('4 times within a minute');
    expect(last.message).toContain('Reload the page');
    // Commands are refused with a logged error instead of going to a dead worker.
    const before = workers[3].sent.length;
    bridge.evaluate();
    expect(workers[3].sent).toHaveLength(before);
    expect(store.getState().log.at(-1)).toMatchObject({ level: 'error' });
    expect(store.getState().log.at(-1)!.message).toContain('reload the page');
  });

  it('restarts again once earlier crashes are more than a minute old', () => {
    let t = 0;
    const { workers } = setup(() => t);
    for (let i = 0; i < 3; i++) workers[workers.length - 1].crash('boom');
    t += 61_000;
    workers[workers.length - 1].crash('boom');
    expect(workers).toHaveLength(5);
  });

  it("never answers the session's answers: detection, settings and plan go into the store, nothing goes back", () => {
    const { bridge, last, store } = setup();
    bridge.updateSettings({ maxSeqLength: 32, doLowerCase: false });
    expect(last().sent.map((x) => x.message)).toEqual([{ type: 'configure', edits: { maxSeqLength: 32, doLowerCase: false } }]);
    const detection = { task: 'mrpc' as const, reason: 'header', candidates: ['mrpc' as const], labels: ['0', '1'], counts: { train: 3, dev: 0, test: 0 }, model: null, ready: false, missing: [] };
    last().emit({ type: 'taskDetected', detection });
    const settings = { ...defaultSettings('mrpc'), maxSeqLength: 32, doLowerCase: false };
    last().emit({ type: 'settings', task: 'mrpc', settings, edited: ['maxSeqLength', 'doLowerCase'], adapted: [], issues: [] });
    last().emit({ type: 'plan', plan: { examples: [{ guid: 'g', tokens: ['[CLS]', '[SEP]'], segmentIds: [0, 0] }], trainExamples: 3, devExamples: 0, estimatedSteps: 1 } });
    expect(store.getState()).toMatchObject({ task: 'mrpc', settings, plan: { trainExamples: 3 }, preview: [{ guid: 'g' }] });
    expect(last().sent).toHaveLength(1);
  });

  it('lists, renames, deletes and loads stored runs', async () => {
    const { bridge, store, storage } = setup();
    await storage.putRun(record('old', 1));
    await storage.putRun(record('new', 2));
    await storage.putSeries('old', { step: Float64Array.of(1, 2), epoch: Float64Array.of(0, 0), loss: Float64Array.of(3, 2), learningRate: Float64Array.of(1, 1), gradNorm: Float64Array.of(1, 1), examplesPerSec: Float64Array.of(5, 5) });
    await bridge.refreshRuns();
    expect(store.getState().runs.map((r) => r.id)).toEqual(['new', 'old']);
    await bridge.renameRun('old', 'baseline');
    expect(store.getState().runs.find((r) => r.id === 'old')?.name).toBe('baseline');
    expect((await bridge.loadRunSeries('old')).map((s) => s.loss)).toEqual([3, 2]);
    store.getState().setCompare(['new', 'old']);
    await bridge.deleteRun('old');
    expect(store.getState().runs.map((r) => r.id)).toEqual(['new']);
    expect(store.getState().compareIds).toEqual(['new']);
    expect(await bridge.loadRunSeries('old')).toEqual([]);
  });

  it('makes distinct run ids', () => {
    const ids = new Set(Array.from({ length: 50 }, () => newRunId(123)));
    expect(ids.size).toBe(50);
  });
});
