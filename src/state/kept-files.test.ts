/**
 * The run list's truth about kept files: each card's state comes from the store (kept, a copy cut
 * short, gone), and copies whose run was never recorded are freed unless their run's lock is
 * held (another tab may be copying them now).
 */
import { describe, expect, it } from 'vitest';
import { bytesSource, createMemoryRunFileStore, type RunRecord } from '../core/io';
import { createFakeOpfs } from '../testing/opfs-fake';
import { createOpfsRunFileStore, OPFS_RUNS_DIR } from '../platform/browser/opfs-files';
import { freeUnrecordedCopies, keptFilesStates } from './kept-files';

const files = () => [{ path: 'train.tsv', source: bytesSource(new TextEncoder().encode('a\tb\n'), 'train.tsv') }];

function record(id: string, keptFiles?: string[]): RunRecord {
  return {
    id, name: id, created: 1, updated: 1, task: 'mrpc', settings: {}, labels: ['0', '1'], fingerprint: 'f', fileNames: ['train.tsv'],
    status: 'interrupted', isDemo: false, model: null, backend: 'webgpu', totalSteps: 10, lastStep: 4, lastLoss: 0.5, lastCheckpointStep: 4,
    evals: [], finalMetrics: null, error: null, keptFiles,
  };
}

describe('kept files in the run list', () => {
  it("each run that recorded kept files gets the store's state: kept, unfinished or missing", async () => {
    const fs = createFakeOpfs();
    const store = createOpfsRunFileStore(async () => fs.root);
    await store.saveFiles('kept', files());
    await store.saveFiles('cut', files());
    await (await (await fs.root.getDirectoryHandle(OPFS_RUNS_DIR)).getDirectoryHandle('cut')).removeEntry('manifest.json');
    const runs = [record('kept', ['train.tsv']), record('cut', ['train.tsv']), record('gone', ['train.tsv']), record('none')];
    expect(await keptFilesStates(store, runs)).toEqual({ kept: 'kept', cut: 'unfinished', gone: 'missing' });
  });

  it('frees copies of runs never recorded, except under a lock held elsewhere, releasing each lock it took', async () => {
    const store = createMemoryRunFileStore();
    for (const id of ['recorded', 'orphan', 'copying-elsewhere']) await store.saveFiles(id, files());
    const claimed: string[] = [];
    const released: string[] = [];
    const freed = await freeUnrecordedCopies(
      store,
      new Set(['recorded']),
      async (id) => {
        if (id === 'copying-elsewhere') return false;
        claimed.push(id);
        return true;
      },
      (id) => released.push(id),
    );
    expect(freed).toEqual(['orphan']);
    expect(claimed).toEqual(['orphan']);
    expect(released).toEqual(['orphan']);
    expect((await store.listRuns()).sort()).toEqual(['copying-elsewhere', 'recorded']);
  });
});
