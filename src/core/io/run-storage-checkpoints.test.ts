import { describe, expect, it } from 'vitest';
import { createMemoryRunStorage } from './run-storage';
import { runCheckpointStore } from './run-storage-checkpoints';
import { CHECKPOINT_FILES, checkpointName } from '../train/checkpoint';

const state = (epoch: number) => new TextEncoder().encode(JSON.stringify({ format: 'tabtune-checkpoint', version: 1, state: { epoch } }));

describe('runCheckpointStore', () => {
  it("keeps the loop's checkpoints of one run in the run storage, by step", async () => {
    const storage = createMemoryRunStorage();
    const saved: Array<[number, number, number]> = [];
    const store = runCheckpointStore(storage, 'run-1', { onSaved: (step, epoch, bytes) => saved.push([step, epoch, bytes]) });
    const files = (epoch: number) => new Map([[CHECKPOINT_FILES.weights, new Uint8Array([1, 2, 3])], [CHECKPOINT_FILES.state, state(epoch)]]);
    await store.save(checkpointName(5), files(0));
    await store.save(checkpointName(10), files(1));
    await store.save(checkpointName(15), files(2));
    expect(await store.list()).toEqual(['step-000000005', 'step-000000010', 'step-000000015']);
    expect(saved.map(([s, e]) => [s, e])).toEqual([[5, 0], [10, 1], [15, 2]]);
    expect(saved[0][2]).toBe(3 + state(0).byteLength);
    const back = await store.load(checkpointName(10));
    expect([...back.keys()].sort()).toEqual([CHECKPOINT_FILES.weights, CHECKPOINT_FILES.state].sort());
    expect(Array.from(back.get(CHECKPOINT_FILES.weights)!)).toEqual([1, 2, 3]);
    await store.remove(checkpointName(5));
    expect(await store.list()).toEqual(['step-000000010', 'step-000000015']);
    expect((await storage.latestCheckpoint('run-1'))?.epoch).toBe(2);
    // Another run's store does not see them.
    expect(await runCheckpointStore(storage, 'run-2').list()).toEqual([]);
  });

  it('names what is missing or malformed', async () => {
    const store = runCheckpointStore(createMemoryRunStorage(), 'r');
    await expect(store.load(checkpointName(7))).rejects.toThrow(/run r has no checkpoint step-000000007/);
    await expect(store.save('latest', new Map())).rejects.toThrow(/unexpected checkpoint name latest/);
  });
});
