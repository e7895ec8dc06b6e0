/**
 * The bridge's fault handling (issue 13): a lost GPU replaces the worker once its run has ended
 * (the new worker asks for a new device) with the files re-sent; a run's Web Lock is taken on
 * start / resume and let go when the run ends or the worker crashes; another tab's run cannot be
 * resumed or deleted here and is listed read-only; a reload does not mark another tab's running
 * run interrupted; the development test hook crashes the worker through the real error path.
 */
import { describe, expect, it } from 'vitest';
import { createBridge, markOrphansInterrupted, type BridgeTestHooks, type WorkerLike } from './bridge';
import { createRunLocks } from './run-lock';
import { createStudioStore } from './store';
import { createMemoryRunStorage, type RunRecord } from '../core/io';
import type { Command } from '../protocol/commands';
import type { WorkerEvent } from '../protocol/events';
import { createFakeLockTable } from '../testing/fake-locks';
import { defaultSettings } from '../core/settings';

class FakeWorker implements WorkerLike {
  sent: Command[] = [];
  terminated = false;
  onmessage: ((ev: MessageEvent) => void) | null = null;
  onerror: ((ev: ErrorEvent | Event) => void) | null = null;
  onmessageerror: ((ev: MessageEvent) => void) | null = null;
  postMessage(message: unknown): void {
    this.sent.push(message as Command);
  }
  terminate(): void {
    this.terminated = true;
  }
  emit(ev: WorkerEvent): void {
    this.onmessage?.({ data: ev } as MessageEvent);
  }
}

function record(id: string, status: RunRecord['status']): RunRecord {
  return {
    id, name: `run ${id}`, created: 1, updated: 1, task: 'mrpc', settings: {}, labels: ['0', '1'], fingerprint: 'f', fileNames: ['train.tsv'],
    status, isDemo: false, model: null, backend: 'webgpu', totalSteps: 10, lastStep: 4, lastLoss: 0.5, lastCheckpointStep: 4,
    evals: [], finalMetrics: null, error: null,
  };
}

const settle = async () => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 0));
};

function setup(table = createFakeLockTable()) {
  const workers: FakeWorker[] = [];
  const store = createStudioStore();
  const storage = createMemoryRunStorage();
  let hooks: BridgeTestHooks | null = null;
  const bridge = createBridge({
    store, storage, locks: createRunLocks(table.tab()),
    createWorker: () => {
      const w = new FakeWorker();
      workers.push(w);
      return w;
    },
    onTestHooks: (h) => (hooks = h),
  });
  return { bridge, store, storage, workers, table, hooks: () => hooks!, last: () => workers[workers.length - 1] };
}

describe('bridge faults', () => {
  it('a lost GPU: once the run has ended, a new worker gets the files again and the lock is let go', async () => {
    const t = setup();
    const file = new File(['x'], 'train.tsv');
    t.bridge.loadFiles([file]);
    const runId = t.bridge.start('r');
    await settle();
    expect(t.table.heldNames()).toEqual([`tabtune-run-${runId}`]);
    const w = t.workers[0];
    w.emit({ type: 'checkpoint', runId, step: 4, epoch: 0, bytes: 10 });
    w.emit({ type: 'error', fatal: true, lastCheckpointStep: 4, message: 'the GPU was lost', code: 'device-lost' });
    expect(t.workers).toHaveLength(1); // not while the run still reports its end
    w.emit({ type: 'finished', runId, reason: 'failed', step: 5, metrics: {} });
    w.emit({ type: 'status', status: 'failed', runId });
    expect(w.terminated).toBe(true);
    expect(t.workers).toHaveLength(2);
    expect(t.last().sent).toEqual([{ type: 'loadFiles', files: [{ path: 'train.tsv', data: file }] }]);
    expect(t.store.getState()).toMatchObject({ status: 'failed', workerReady: false });
    await settle();
    expect(t.table.heldNames()).toEqual([]);
    // Resume goes to the new worker, under the lock again.
    await t.bridge.resumeRun(runId);
    expect(t.last().sent.at(-1)).toEqual({ type: 'resumeRun', runId });
    expect(t.table.heldNames()).toEqual([`tabtune-run-${runId}`]);
  });

  it('a GPU lost with no run active: the worker is replaced at once, so one press of Start goes to the new worker', async () => {
    const t = setup();
    const file = new File(['x'], 'train.tsv');
    t.bridge.loadFiles([{ path: 'train.tsv', data: file }]);
    t.bridge.updateSettings({ trainBatchSize: 8 });
    const old = t.workers[0];
    old.emit({ type: 'settings', task: 'mrpc', settings: { ...defaultSettings('mrpc'), trainBatchSize: 8 }, edited: ['trainBatchSize'], adapted: [], issues: [] });
    old.emit({ type: 'error', fatal: false, lastCheckpointStep: null, message: 'the GPU was lost (the WebGPU device reported "unknown") while no run was active', code: 'device-lost' });
    expect(old.terminated).toBe(true);
    expect(t.workers).toHaveLength(2);
    // The new worker has the files and the user's settings before anything else.
    expect(t.last().sent[0]).toEqual({ type: 'loadFiles', files: [{ path: 'train.tsv', data: file }] });
    expect(t.last().sent[1]).toMatchObject({ type: 'configure', edits: { trainBatchSize: 8 } });
    expect(t.store.getState().errors.map((e) => e.code)).toEqual(['device-lost']);
    t.last().emit({ type: 'ready' });
    // Resolved: the message is dismissed and the log says the GPU was recovered.
    expect(t.store.getState().errors).toEqual([]);
    expect(t.store.getState().log.map((l) => l.message).join('\n')).toMatch(/GPU was lost while no run was active[^]*GPU was recovered/);
    const runId = t.bridge.start('r');
    expect(t.last().sent.at(-1)).toMatchObject({ type: 'start', runId });
    expect(t.workers).toHaveLength(2);
  });

  it('a GPU lost while a run is starting waits for that run to end (it fails on the lost device) before replacing the worker', () => {
    const t = setup();
    const runId = t.bridge.start('r');
    const w = t.workers[0];
    w.emit({ type: 'error', fatal: false, lastCheckpointStep: null, message: 'the GPU was lost while no run was active', code: 'device-lost' });
    expect(t.workers).toHaveLength(1);
    w.emit({ type: 'error', fatal: true, lastCheckpointStep: null, message: 'the GPU was lost', code: 'device-lost' });
    w.emit({ type: 'status', status: 'failed', runId });
    expect(w.terminated).toBe(true);
    expect(t.workers).toHaveLength(2);
  });

  it('another tab training the run: resume and delete are refused here, and it is listed read-only', async () => {
    const table = createFakeLockTable();
    const first = setup(table);
    const second = setup(table);
    await first.storage.putRun(record('shared', 'running'));
    await second.storage.putRun(record('shared', 'running'));
    await first.bridge.resumeRun('shared');
    expect(first.last().sent.at(-1)).toEqual({ type: 'resumeRun', runId: 'shared' });

    await second.bridge.refreshRuns();
    await second.bridge.resumeRun('shared');
    expect(second.last().sent).toEqual([]);
    expect(second.store.getState().status).toBe('idle');
    expect(second.store.getState().errors.at(-1)).toMatchObject({ code: 'run-locked', fatal: false });
    expect(second.store.getState().errors.at(-1)!.message).toContain('running in another tab');
    await expect(second.bridge.deleteRun('shared')).rejects.toThrow(/running in another tab/);
    expect(await second.storage.getRun('shared')).toBeDefined();
    await settle();
    expect(second.store.getState().lockedRunIds).toEqual(['shared']);

    // The run ends in the first tab: its lock is free, the second tab may take it.
    first.last().emit({ type: 'status', status: 'stopped', runId: 'shared' });
    await settle();
    await second.bridge.resumeRun('shared');
    expect(second.last().sent.at(-1)).toEqual({ type: 'resumeRun', runId: 'shared' });
  });

  it('a crash lets the lock go; the test hook crashes the worker through its error path', async () => {
    const t = setup();
    const runId = t.bridge.start('r');
    await settle();
    t.store.setState({ status: 'training' });
    t.hooks().crashWorker();
    expect(t.workers[0].terminated).toBe(true);
    expect(t.workers).toHaveLength(2);
    expect(t.store.getState().errors.at(-1)).toMatchObject({ code: 'worker-crash', fatal: true });
    expect(t.store.getState().errors.at(-1)!.message).toContain('terminated mid-run');
    await settle();
    expect(t.table.heldNames()).toEqual([]);
    expect(runId).toMatch(/^run-/);
  });

  it('at page load, running runs are marked interrupted except those another tab trains', async () => {
    const storage = createMemoryRunStorage();
    await storage.putRun(record('orphan', 'running'));
    await storage.putRun(record('elsewhere', 'running'));
    await storage.putRun(record('done', 'finished'));
    expect(await markOrphansInterrupted(storage, new Set(['elsewhere']))).toEqual(['orphan']);
    expect((await storage.listRuns()).map((r) => [r.id, r.status]).sort()).toEqual([['done', 'finished'], ['elsewhere', 'running'], ['orphan', 'interrupted']]);
  });
});
