/**
 * A checkpoint save that fails (storage quota) is reported and training goes on; the next save
 * retries. Unit-level on the guard, then a whole session on WASM whose storage refuses one save.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend/init';
import { createMemoryRunStorage, type RunStorage } from '../io/run-storage';
import { bytesSource } from '../io/safetensors';
import { createMemoryCheckpointStore, type CheckpointStore } from '../train/checkpoint';
import { readShared, readSharedBytes } from '../../testing/shared';
import { guardCheckpointStore, isQuotaError, type CheckpointSaveFailure } from './checkpoint-guard';
import { createSession } from './session';
import type { SessionEvent, SessionEventOf, SessionEventType } from './events';

function quotaError(): Error {
  const e = new Error('The quota has been exceeded.');
  e.name = 'QuotaExceededError';
  return e;
}

describe('guardCheckpointStore', () => {
  it('reports a failed save without throwing, remembers it, and clears it when a retry succeeds', async () => {
    const inner = createMemoryCheckpointStore();
    let refuse = true;
    const flaky: CheckpointStore = { ...inner, save: async (n, f) => (refuse ? Promise.reject(quotaError()) : inner.save(n, f)) };
    const failures: CheckpointSaveFailure[] = [];
    const g = guardCheckpointStore(flaky, (f) => failures.push(f));
    await g.store.save('step-000000004', new Map([['a', new Uint8Array([1])]]));
    expect(g.failed('step-000000004')).toBe(true);
    expect(failures).toEqual([{ action: 'save', name: 'step-000000004', step: 4, quota: true, message: 'QuotaExceededError: The quota has been exceeded.' }]);
    expect(await g.store.list()).toEqual([]);
    refuse = false;
    await g.store.save('step-000000004', new Map([['a', new Uint8Array([1])]]));
    expect(g.failed('step-000000004')).toBe(false);
    expect(await g.store.list()).toEqual(['step-000000004']);
  });

  it("names an error that has no message by its name (Chromium's QuotaExceededError from IndexedDB)", async () => {
    const failures: CheckpointSaveFailure[] = [];
    const inner = createMemoryCheckpointStore();
    const g = guardCheckpointStore({ ...inner, save: () => Promise.reject(new DOMException('', 'QuotaExceededError')) }, (f) => failures.push(f));
    await g.store.save('step-000000006', new Map());
    expect(failures[0]).toMatchObject({ quota: true, message: 'QuotaExceededError', step: 6 });
  });

  it('tells quota errors from other storage failures', () => {
    expect(isQuotaError(quotaError())).toBe(true);
    expect(isQuotaError(new Error('Transaction failed: the quota was exceeded'))).toBe(true);
    expect(isQuotaError(new Error('disk I/O error'))).toBe(false);
    expect(isQuotaError(undefined)).toBe(false);
  });
});

describe('session: storage full while saving a checkpoint', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('says so, keeps the earlier checkpoint, trains on, and the next save stores', async () => {
    const memory = createMemoryRunStorage();
    const refused: number[] = [];
    const storage: RunStorage = {
      ...memory,
      async putCheckpoint(c, keep) {
        if (c.step === 2) {
          refused.push(c.step);
          throw quotaError();
        }
        return memory.putCheckpoint(c, keep);
      },
    };
    const events: SessionEvent[] = [];
    const of = <T extends SessionEventType>(type: T) => events.filter((e): e is SessionEventOf<T> => e.type === type);
    const session = createSession({ emit: (e) => events.push(e), storage, preferredBackend: 'wasm' });
    const enc = new TextEncoder();
    const rows = (file: string, n: number) => enc.encode(readShared('datasets', 'glue', 'MRPC', file).split('\n').slice(0, n + 1).join('\n') + '\n');
    const file = (path: string, bytes: Uint8Array) => ({ path, source: bytesSource(bytes, path) });
    await session.addFiles([
      file('m/config.json', readSharedBytes('fixtures', 'model', 'tiny-uncased', 'config.json')),
      file('m/model.safetensors', readSharedBytes('fixtures', 'model', 'tiny-uncased', 'model.safetensors')),
      file('m/vocab.txt', readSharedBytes('fixtures', 'vocab', 'bert-base-uncased.txt')),
      file('MRPC/train.tsv', rows('train.tsv', 32)),
    ]);
    await session.configure({ edits: { maxSeqLength: 32, trainBatchSize: 8, numTrainEpochs: 1, saveCheckpointsSteps: 1, evalEverySteps: 0 } });
    await session.start({ runId: 'quota', runName: 'quota' });
    await session.idle();

    expect(refused).toEqual([2]);
    const errors = of('error');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ fatal: false, code: 'storage-quota', lastCheckpointStep: 1, location: 'checkpoint at step 2' });
    expect(errors[0].message).toContain('storage for this page is full');
    expect(errors[0].message).toContain('the checkpoint at step 1 is kept');
    // Training went on: every step, and a checkpoint event only for the saves that happened.
    expect(of('step').flatMap((e) => e.steps.map((s) => s.step))).toEqual([1, 2, 3, 4]);
    expect(of('checkpoint').map((e) => e.step)).toEqual([1, 3, 4]);
    expect(of('log').map((l) => l.message)).not.toContain('checkpoint step-000000002 saved');
    expect(of('finished').at(-1)).toMatchObject({ reason: 'completed', step: 4 });
    expect((await memory.listCheckpoints('quota')).map((c) => c.step)).toEqual([3, 4]);
    expect(await memory.getRun('quota')).toMatchObject({ status: 'finished', lastCheckpointStep: 4 });
  }, 120_000);
});
