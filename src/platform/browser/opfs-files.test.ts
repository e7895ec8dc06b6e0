/**
 * The OPFS run-file store over an in-memory fake of the File System API (src/testing/opfs-fake.ts):
 * files go in slice by slice through a sync access handle (the worker) or a writable stream (the
 * page), come back byte for byte with the fingerprint they went in with, are listed with their
 * sizes, replaced by a new save, freed by a delete; a copy cut short reads as nothing kept.
 */
import { describe, expect, it } from 'vitest';
import { bytesSource, createMemoryRunFileStore, fingerprintFiles, FINGERPRINT_HEAD_BYTES, type RunFileStore } from '../../core/io';
import { createFakeOpfs } from '../../testing/opfs-fake';
import { createOpfsRunFileStore, OPFS_RUNS_DIR } from './opfs-files';

function bytes(n: number, seed: number): Uint8Array {
  const b = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    b[i] = x >>> 24;
  }
  return b;
}

/** 9 MiB + 3 bytes: three 4 MiB slices, the last one short. */
const MODEL = bytes(9 * 1024 * 1024 + 3, 1);
const VOCAB = new TextEncoder().encode('[PAD]\n[UNK]\n[CLS]\n[SEP]\nhello\n');
const TRAIN = bytes(70_000, 2);

const dropped = () => [
  { path: 'bert/model.safetensors', source: bytesSource(MODEL, 'model.safetensors') },
  { path: 'bert/vocab.txt', source: bytesSource(VOCAB, 'vocab.txt') },
  { path: 'train.tsv', source: bytesSource(TRAIN, 'train.tsv') },
];

/** The first index where two byte arrays differ (-1: equal); cheaper than a deep toEqual on MiBs. */
function firstDifference(a: Uint8Array, b: Uint8Array): number {
  if (a.byteLength !== b.byteLength) return Math.min(a.byteLength, b.byteLength);
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return i;
  return -1;
}

async function readAll(store: RunFileStore, runId: string): Promise<Record<string, Uint8Array>> {
  const out: Record<string, Uint8Array> = {};
  for (const f of await store.openFiles(runId)) out[f.path] = await f.source.read(0, f.source.size);
  return out;
}

async function fingerprint(files: Array<{ path: string; source: { size: number; read(b: number, e: number): Promise<Uint8Array> } }>): Promise<string> {
  return fingerprintFiles(await Promise.all(files.map(async (f) => ({ name: f.path, size: f.source.size, head: await f.source.read(0, Math.min(FINGERPRINT_HEAD_BYTES, f.source.size)) }))));
}

const variants: Array<[string, () => { store: RunFileStore; fs?: ReturnType<typeof createFakeOpfs> }]> = [
  ['OPFS, sync access handles (worker)', () => { const fs = createFakeOpfs({ sync: true }); return { fs, store: createOpfsRunFileStore(async () => fs.root) }; }],
  ['OPFS, writable streams (page)', () => { const fs = createFakeOpfs({ sync: false }); return { fs, store: createOpfsRunFileStore(async () => fs.root) }; }],
  ['memory', () => ({ store: createMemoryRunFileStore() })],
];

describe.each(variants)('RunFileStore: %s', (_name, make) => {
  it('keeps a run\'s files byte for byte, with their sizes and fingerprint', async () => {
    const { store } = make();
    const progress: Array<[number, number]> = [];
    const kept = await store.saveFiles('run-1', dropped(), (d, t) => progress.push([d, t]));
    const total = MODEL.byteLength + VOCAB.byteLength + TRAIN.byteLength;
    expect(kept).toEqual([
      { path: 'bert/model.safetensors', size: MODEL.byteLength },
      { path: 'bert/vocab.txt', size: VOCAB.byteLength },
      { path: 'train.tsv', size: TRAIN.byteLength },
    ]);
    expect(progress[progress.length - 1]).toEqual([total, total]);
    expect(progress.every(([d, t], i) => t === total && (i === 0 || d > progress[i - 1][0]))).toBe(true);
    expect(await store.listFiles('run-1')).toEqual(kept);
    const back = await readAll(store, 'run-1');
    expect(Object.keys(back)).toEqual(['bert/model.safetensors', 'bert/vocab.txt', 'train.tsv']);
    expect(firstDifference(back['bert/model.safetensors'], MODEL)).toBe(-1);
    expect(firstDifference(back['bert/vocab.txt'], VOCAB)).toBe(-1);
    expect(firstDifference(back['train.tsv'], TRAIN)).toBe(-1);
    // Sliced reads, as the model loader and the dataset reader make them.
    const model = (await store.openFiles('run-1'))[0].source;
    expect(Array.from(await model.read(4 * 1024 * 1024 - 2, 4 * 1024 * 1024 + 5))).toEqual(Array.from(MODEL.subarray(4 * 1024 * 1024 - 2, 4 * 1024 * 1024 + 5)));
    expect(await fingerprint(await store.openFiles('run-1'))).toBe(await fingerprint(dropped()));
  });

  it('a new save replaces the run\'s files; runs are kept apart; delete frees them', async () => {
    const { store, fs } = make();
    await store.saveFiles('a', dropped());
    await store.saveFiles('b', dropped().slice(1));
    await store.saveFiles('a', dropped().slice(2));
    expect((await store.listFiles('a')).map((f) => f.path)).toEqual(['train.tsv']);
    expect((await store.listFiles('b')).map((f) => f.path)).toEqual(['bert/vocab.txt', 'train.tsv']);
    expect((await store.listRuns()).sort()).toEqual(['a', 'b']);
    if (fs) expect(fs.usedBytes()).toBe(TRAIN.byteLength + VOCAB.byteLength + TRAIN.byteLength + 2 * (await manifestBytes(fs, 'a', 'b')));
    await store.deleteFiles('a');
    expect(await store.listFiles('a')).toEqual([]);
    expect(await store.openFiles('a')).toEqual([]);
    expect(await store.listRuns()).toEqual(['b']);
    await store.deleteFiles('a'); // nothing kept: no error
    await store.deleteFiles('never-stored');
    await store.deleteFiles('b');
    if (fs) expect(fs.usedBytes()).toBe(0);
  });
});

/** The manifests' mean size (two runs): the rest of the bytes are the files'. */
async function manifestBytes(fs: ReturnType<typeof createFakeOpfs>, ...runs: string[]): Promise<number> {
  let n = 0;
  for (const r of runs) {
    const dir = await (await fs.root.getDirectoryHandle(OPFS_RUNS_DIR)).getDirectoryHandle(r);
    n += (await (await dir.getFileHandle('manifest.json')).getFile()).size;
  }
  return n / runs.length;
}

describe('createOpfsRunFileStore', () => {
  it('lays the files out under tabtune-runs/<run id>/, the manifest written last', async () => {
    const fs = createFakeOpfs();
    const store = createOpfsRunFileStore(async () => fs.root);
    await store.saveFiles('run/1 ä', dropped());
    const dir = `${OPFS_RUNS_DIR}/${encodeURIComponent('run/1 ä')}`;
    expect(fs.paths()).toEqual([`${dir}/f-0`, `${dir}/f-1`, `${dir}/f-2`, `${dir}/manifest.json`]);
    expect(await store.listRuns()).toEqual(['run/1 ä']);
  });

  it('a copy that ran out of quota leaves nothing behind and says why', async () => {
    const fs = createFakeOpfs({ quota: 5 * 1024 * 1024 });
    const store = createOpfsRunFileStore(async () => fs.root);
    await expect(store.saveFiles('big', dropped())).rejects.toThrow(/quota/);
    expect(await store.listFiles('big')).toEqual([]);
    expect(fs.usedBytes()).toBe(0);
    // Smaller files still fit.
    await store.saveFiles('small', dropped().slice(1));
    expect((await store.listFiles('small')).length).toBe(2);
  });

  it('a copy cut short (no manifest: a reload mid-copy) reads as nothing kept, and says it is unfinished', async () => {
    const fs = createFakeOpfs();
    const store = createOpfsRunFileStore(async () => fs.root);
    await store.saveFiles('r', dropped());
    expect(await store.keptState('r')).toBe('kept');
    expect(await store.keptState('never-stored')).toBe('missing');
    const runDir = await (await fs.root.getDirectoryHandle(OPFS_RUNS_DIR)).getDirectoryHandle('r');
    await runDir.removeEntry('manifest.json');
    expect(await store.listFiles('r')).toEqual([]);
    expect(await store.openFiles('r')).toEqual([]);
    expect(await store.keptState('r')).toBe('unfinished');
    await store.deleteFiles('r');
    expect(await store.keptState('r')).toBe('missing');
    expect(fs.usedBytes()).toBe(0);
  });

  it('a kept file shorter than written is an error naming the file', async () => {
    const fs = createFakeOpfs();
    const store = createOpfsRunFileStore(async () => fs.root);
    await store.saveFiles('r', dropped());
    const runDir = await (await fs.root.getDirectoryHandle(OPFS_RUNS_DIR)).getDirectoryHandle('r');
    const sync = await (await runDir.getFileHandle('f-2')).createSyncAccessHandle!();
    sync.truncate(10);
    sync.close();
    await expect(store.openFiles('r')).rejects.toThrow(/train\.tsv has 10 bytes, 70000 were written/);
  });

  it('without OPFS, saving says so', async () => {
    const store = createOpfsRunFileStore(() => undefined);
    await expect(store.saveFiles('r', dropped())).rejects.toThrow(/no Origin Private File System/);
  });
});
