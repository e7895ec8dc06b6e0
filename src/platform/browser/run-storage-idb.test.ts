/**
 * Atomic checkpoint writes in the IndexedDB run storage (fake-indexeddb): a checkpoint and the
 * pruning of the run's older ones commit together or not at all, so a failed write (storage full,
 * a value that cannot be stored) leaves the stored checkpoints exactly as they were.
 */
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import type { StoredCheckpoint } from '../../core/io';
import { createIdbRunStorage } from './run-storage-idb';

let n = 0;
const fresh = () => createIdbRunStorage(`tabtune-atomic-${++n}`);

function checkpoint(step: number, meta: unknown = { step }): StoredCheckpoint {
  const weights = new Uint8Array(64).map((_, i) => (i * 7 + step) & 0xff);
  return { runId: 'r', step, epoch: 0, created: step, files: { 'model.safetensors': weights, 'trainer_state.json': new TextEncoder().encode(`{"step":${step}}`) }, meta };
}

const proto = (globalThis as unknown as { IDBObjectStore: { prototype: { delete: (...a: unknown[]) => unknown } } }).IDBObjectStore.prototype;
const realDelete = proto.delete;
afterEach(() => {
  proto.delete = realDelete;
});

describe('IndexedDB run storage: atomic checkpoints', () => {
  it('keeps the newest `keep` checkpoints, pruning in the same write', async () => {
    const s = fresh();
    for (const step of [2, 4, 6]) await s.putCheckpoint(checkpoint(step), 2);
    expect((await s.listCheckpoints('r')).map((c) => c.step)).toEqual([4, 6]);
    expect((await s.latestCheckpoint('r'))?.files['model.safetensors']).toEqual(checkpoint(6).files['model.safetensors']);
  });

  it('a write that fails while pruning stores nothing and deletes nothing', async () => {
    const s = fresh();
    await s.putCheckpoint(checkpoint(2), 2);
    await s.putCheckpoint(checkpoint(4), 2);
    proto.delete = function () {
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    };
    await expect(s.putCheckpoint(checkpoint(6), 2)).rejects.toMatchObject({ name: 'QuotaExceededError' });
    proto.delete = realDelete;
    expect((await s.listCheckpoints('r')).map((c) => c.step)).toEqual([2, 4]);
    expect(await s.getCheckpoint('r', 6)).toBeUndefined();
    for (const step of [2, 4]) expect(await s.getCheckpoint('r', step)).toEqual(checkpoint(step));
    // The next save goes through.
    await s.putCheckpoint(checkpoint(6), 2);
    expect((await s.listCheckpoints('r')).map((c) => c.step)).toEqual([4, 6]);
  });

  it('a checkpoint that cannot be stored leaves the earlier ones readable and unchanged', async () => {
    const s = fresh();
    await s.putCheckpoint(checkpoint(2), 1);
    await expect(s.putCheckpoint(checkpoint(4, { notCloneable: () => 1 }), 1)).rejects.toMatchObject({ name: 'DataCloneError' });
    expect((await s.listCheckpoints('r')).map((c) => c.step)).toEqual([2]);
    expect(await s.latestCheckpoint('r')).toEqual(checkpoint(2));
  });
});
