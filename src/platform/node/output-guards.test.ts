/**
 * The Node file guards under the CLI: real-path comparison of outputs with inputs (through
 * symlinks, for paths that do not exist yet), a checkpoint store that never removes or replaces
 * what it did not write and loads only files, and a model folder with dangling links.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkOutputFile, checkOutputFolder, realPathOf } from './output-paths';
import { createFsCheckpointStore } from './checkpoint-store';
import { nodeFolderSources } from './byte-source';

const tmp = mkdtempSync(join(tmpdir(), 'tabtune-guards-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('output paths', () => {
  const inputs = join(tmp, 'in');
  mkdirSync(join(inputs, 'deep'), { recursive: true });
  writeFileSync(join(inputs, 'deep', 'train.tsv'), 'x');
  symlinkSync(inputs, join(tmp, 'in-link'));

  it('resolves symlinks, also under a path that does not exist yet', () => {
    expect(realPathOf(join(tmp, 'in-link', 'deep', 'new', 'file'))).toBe(join(realPathOf(inputs), 'deep', 'new', 'file'));
  });

  it('refuses an output folder that is, or holds, an input; allows a resumed checkpoint inside it', () => {
    const train = { path: join(inputs, 'deep', 'train.tsv'), what: 'the training file (--train)' };
    expect(() => checkOutputFolder(join(tmp, 'in-link', 'deep'), [{ path: join(inputs, 'deep'), what: 'the model folder (--model)' }])).toThrow(/--out is the model folder/);
    expect(() => checkOutputFolder(join(tmp, 'in-link'), [train])).toThrow(/--out holds the training file \(--train\)/);
    expect(() => checkOutputFolder(join(tmp, 'in-link'), [train], { allowInside: [join(inputs, 'deep')] })).not.toThrow();
    expect(() => checkOutputFolder(join(tmp, 'fresh', 'out'), [train])).not.toThrow();
    expect(() => checkOutputFolder(train.path, [])).toThrow(/--out is an existing file/);
  });

  it('refuses an output file on an input, on a companion input, on a folder, or on a dangling link', () => {
    const data = { path: join(inputs, 'deep', 'train.tsv'), what: 'the data file (--data)' };
    expect(() => checkOutputFile(join(tmp, 'in-link', 'deep', 'train.tsv'), [data])).toThrow(/--out would write over the data file/);
    expect(() => checkOutputFile(join(inputs, 'deep', 'p.json'), [data], { companions: ['train.tsv'] })).toThrow(/deep\/train\.tsv: --out would write over the data file/);
    expect(() => checkOutputFile(inputs, [data])).toThrow(/--out is an existing folder/);
    symlinkSync(join(tmp, 'nowhere', 'x'), join(tmp, 'dangling-out'));
    expect(() => checkOutputFile(join(tmp, 'dangling-out'), [data])).toThrow(/dangling-out: is a symbolic link to a missing target/);
  });
});

describe('the filesystem checkpoint store', () => {
  const files = () => new Map([['trainer_state.json', new TextEncoder().encode('{}')], ['model.safetensors', new Uint8Array(8)]]);

  it('removes only what it wrote and never replaces a checkpoint of another run', async () => {
    const dir = join(tmp, 'ckpts');
    const earlier = createFsCheckpointStore(dir);
    await earlier.save('step-000000010', files());
    const kept: string[] = [];
    const current = createFsCheckpointStore(dir, { onKept: (n) => kept.push(n), extraFiles: () => new Map([['tabtune_run.json', new TextEncoder().encode('{}')]]) });
    await current.remove('step-000000010');
    expect(kept).toEqual(['step-000000010']);
    expect(existsSync(join(dir, 'step-000000010', 'trainer_state.json'))).toBe(true);
    await expect(current.save('step-000000010', files())).rejects.toThrow(/step-000000010: a checkpoint of another run is in the way/);
    await current.save('step-000000020', files());
    expect(existsSync(join(dir, 'step-000000020', 'tabtune_run.json'))).toBe(true);
    await current.remove('step-000000020');
    expect(await current.list()).toEqual(['step-000000010']);
  });

  it('loads only the files of a checkpoint folder (a stray subfolder is not read)', async () => {
    const dir = join(tmp, 'ckpts2');
    const store = createFsCheckpointStore(dir);
    await store.save('step-000000001', files());
    mkdirSync(join(dir, 'step-000000001', 'extra'));
    expect([...(await store.load('step-000000001')).keys()].sort()).toEqual(['model.safetensors', 'trainer_state.json']);
  });
});

describe('a model folder with dangling links', () => {
  it('skips a broken link to a file the loader does not read, with a warning; names a broken model file', () => {
    const dir = join(tmp, 'model');
    mkdirSync(dir);
    writeFileSync(join(dir, 'config.json'), '{}');
    symlinkSync(join(tmp, 'gone.md'), join(dir, 'README.md'));
    const skipped: string[] = [];
    expect(nodeFolderSources(dir, { onSkipped: (n, why) => skipped.push(`${n} ${why}`) }).map((s) => s.name)).toEqual(['config.json']);
    expect(skipped).toEqual([`README.md is a symbolic link to ${join(tmp, 'gone.md')}, which does not exist`]);
    symlinkSync(join(tmp, 'gone.txt'), join(dir, 'vocab.txt'));
    expect(() => nodeFolderSources(dir)).toThrow(`${join(dir, 'vocab.txt')}: is a symbolic link to ${join(tmp, 'gone.txt')}, which does not exist (expected the model file vocab.txt`);
  });
});
