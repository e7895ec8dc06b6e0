/**
 * Careless commands (issue 13 §3): output paths that would destroy an input or another run,
 * resuming from the wrong place or on other data, a dangling symlink in a model folder, numeric
 * flags out of the settings table's bounds, labels outside the head's range. Every input here is
 * written at test time into a temporary folder (the tiny-uncased fixture model is linked, not
 * copied); each case checks the exit code, the message (naming the path and what was expected)
 * and that nothing was overwritten.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { initBackend } from '../core/backend';
import { readShared, sharedPath } from '../testing/shared';
import { run } from './main';

const tmp = mkdtempSync(join(tmpdir(), 'tabtune-hostile-out-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const FIXTURE = sharedPath('fixtures/model/tiny-uncased');
const VOCAB = sharedPath('fixtures/vocab/bert-base-uncased.txt');

/** A model folder of links to the fixture's files (a folder we may write near without touching ../shared). */
const model = join(tmp, 'model');
mkdirSync(model);
for (const n of ['config.json', 'model.safetensors']) symlinkSync(join(FIXTURE, n), join(model, n));
symlinkSync(VOCAB, join(model, 'vocab.txt'));

const mrpc = readShared('datasets', 'glue', 'MRPC', 'train.tsv').split('\n');
const dataA = join(tmp, 'data', 'a.tsv');
const dataB = join(tmp, 'data', 'b.tsv');
mkdirSync(join(tmp, 'data'));
writeFileSync(dataA, mrpc.slice(0, 9).join('\n') + '\n'); // 8 rows
writeFileSync(dataB, [mrpc[0], ...mrpc.slice(20, 28)].join('\n') + '\n'); // 8 other rows

const hash = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');
const SMALL = ['--max-seq-length', '32', '--train-batch-size', '4', '--num-train-epochs', '1', '--save-checkpoints-steps', '0'];
const trainArgs = (data: string, out: string, ...extra: string[]) => ['train', '--model', model, '--task', 'mrpc', '--train', data, '--out', out, ...SMALL, ...extra];

/** Runs `tabtune <argv>` in-process: exit code, stdout and stderr. */
async function tabtune(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const dec = (s: string | Uint8Array) => (typeof s === 'string' ? s : new TextDecoder().decode(s));
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => ((stdout += dec(s)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => ((stderr += dec(s)), true));
  try {
    return { code: await run(argv), stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

beforeAll(async () => {
  await initBackend('wasm');
});

describe('output paths never land on an input', () => {
  const before = () => ({ model: hash(join(model, 'model.safetensors')), config: hash(join(model, 'config.json')), data: hash(dataA) });

  it('train --out the model folder, a symlink to it, or a folder holding the data is refused; nothing is written', async () => {
    const h = before();
    const same = await tabtune(trainArgs(dataA, model));
    expect(same.code).toBe(1);
    expect(same.stderr).toContain(`${model}: --out is the model folder (--model): writing there would overwrite the input`);
    const link = join(tmp, 'link-to-model');
    symlinkSync(model, link);
    const viaLink = await tabtune(trainArgs(dataA, link));
    expect(viaLink.code).toBe(1);
    expect(viaLink.stderr).toContain(`${link}: --out is the model folder (--model)`);
    const holder = await tabtune(trainArgs(dataA, join(tmp, 'data')));
    expect(holder.code).toBe(1);
    expect(holder.stderr).toContain(`--out holds the training file (--train) (${dataA})`);
    expect(before()).toEqual(h);
    expect(readdirSync(model).sort()).toEqual(['config.json', 'model.safetensors', 'vocab.txt']);
  });

  it('train --out that is a file is a clear error naming it', async () => {
    const file = join(tmp, 'not-a-folder.txt');
    writeFileSync(file, 'keep me');
    const r = await tabtune(trainArgs(dataA, file));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${file}: --out is an existing file (expected a folder to write into`);
    expect(readFileSync(file, 'utf8')).toBe('keep me');
  });

  it('predict --out the data file (directly or through a link) or the model folder is refused; an existing file needs --overwrite', async () => {
    const h = before();
    const args = (out: string, ...extra: string[]) => ['predict', '--model', model, '--task', 'mrpc', '--data', dataA, '--out', out, ...extra];
    const onData = await tabtune(args(dataA));
    expect(onData.code).toBe(1);
    expect(onData.stderr).toContain(`${dataA}: --out would write over the data file (--data)`);
    const link = join(tmp, 'data-link.tsv');
    symlinkSync(dataA, link);
    expect((await tabtune(args(link))).stderr).toContain(`${link}: --out would write over the data file (--data)`);
    expect((await tabtune(args(join(model, 'config.json')))).stderr).toContain('--out would write over a file of the model folder (config.json)');
    const folder = await tabtune(args(model));
    expect(folder.code).toBe(1);
    expect(folder.stderr).toContain(`${model}: --out is an existing folder (expected a file path to write`);
    const old = join(tmp, 'old-predictions.tsv');
    writeFileSync(old, 'earlier\n');
    const exists = await tabtune(args(old));
    expect(exists.code).toBe(1);
    expect(exists.stderr).toContain(`${old}: --out already exists (expected a new file, or --overwrite to replace it)`);
    expect(readFileSync(old, 'utf8')).toBe('earlier\n');
    expect(before()).toEqual(h);
  });

  it('export and export-job refuse the model folder and a non-empty --out without --overwrite', async () => {
    const exp = await tabtune(['export', '--model', model, '--format', 'onnx', '--out', model]);
    expect(exp.code).toBe(1);
    expect(exp.stderr).toContain(`${model}: --out is the model folder (--model)`);
    const busy = join(tmp, 'busy');
    mkdirSync(busy);
    writeFileSync(join(busy, 'notes.md'), 'mine');
    const job = await tabtune(['export-job', '--model', model, '--task', 'mrpc', '--train', dataA, '--out', busy]);
    expect(job.code).toBe(1);
    expect(job.stderr).toContain(`${busy}: --out is not empty (notes.md) (expected a new or empty folder, or --overwrite to write into it)`);
    expect(readFileSync(join(busy, 'notes.md'), 'utf8')).toBe('mine');
  });
});

describe('postprocess and run-batch never write over their inputs', () => {
  it('postprocess --out-dir where an input is named predictions.json, and run-batch --out the batch, are refused', async () => {
    const dir = join(tmp, 'squad-work');
    mkdirSync(dir);
    for (const n of ['dev.json', 'features.jsonl', 'predictions.json']) writeFileSync(join(dir, n), n);
    const pp = await tabtune(['postprocess', '--data', join(dir, 'dev.json'), '--features', join(dir, 'features.jsonl'), '--logits', join(dir, 'predictions.json'), '--out-dir', dir]);
    expect(pp.code).toBe(1);
    expect(pp.stderr).toContain(`${join(dir, 'predictions.json')}: --out-dir would write over the logits file (--logits)`);
    expect(readFileSync(join(dir, 'predictions.json'), 'utf8')).toBe('predictions.json');
    const rb = await tabtune(['run-batch', '--model', model, '--batch', join(dir, 'features.jsonl'), '--out', join(dir, 'features.jsonl')]);
    expect(rb.code).toBe(1);
    expect(rb.stderr).toContain(`${join(dir, 'features.jsonl')}: --out would write over the batch (--batch)`);
    expect(readFileSync(join(dir, 'features.jsonl'), 'utf8')).toBe('features.jsonl');
  });
});

describe('runs in --out: the same data only, checkpoints never lost', () => {
  const out = join(tmp, 'run');
  const ckpt = 'step-000000002';

  beforeAll(async () => {
    const r = await tabtune(trainArgs(dataA, out));
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(join(out, 'checkpoints'))).toEqual([ckpt]);
  }, 300_000);

  it('a non-empty folder that is not a run is refused without --overwrite', async () => {
    const other = join(tmp, 'photos');
    mkdirSync(other);
    writeFileSync(join(other, 'cat.jpg'), 'x');
    const r = await tabtune(trainArgs(dataA, other));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${other}: --out is not empty (cat.jpg) and is not a tabtune train run`);
  });

  it('another run of other data into the folder is refused, naming both fingerprints', async () => {
    const r = await tabtune(trainArgs(dataB, out));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/--out holds a run on other data \(the run's training file has fingerprint [0-9a-f]{12} \(.*a\.tsv\), the one given now [0-9a-f]{12}\)/);
  });

  it('a fresh run of the same data would replace its checkpoints: refused without --resume or --overwrite', async () => {
    const r = await tabtune(trainArgs(dataA, out));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${join(out, 'checkpoints')}: --out already holds the checkpoints of a run of this data (expected continue it with --resume`);
  });

  it('--resume on different data is refused, naming the fingerprint mismatch', async () => {
    const r = await tabtune(trainArgs(dataB, out, '--resume'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cannot resume on different data: the run's training file has fingerprint [0-9a-f]{12} \(.*a\.tsv\), the one given now [0-9a-f]{12}/);
    // The same through --resume-from into a new folder: the checkpoint carries the run's fingerprint.
    const from = await tabtune(trainArgs(dataB, join(tmp, 'elsewhere'), '--resume-from', join(out, 'checkpoints', ckpt)));
    expect(from.code).toBe(1);
    expect(from.stderr).toMatch(/checkpoints\/step-000000002: cannot resume on different data \(the checkpoint's run metadata\): the run's training file has fingerprint [0-9a-f]{12}/);
  });

  it('--resume with another --max-train-examples or --max-eval-examples is refused, naming both values (the same file, other examples)', async () => {
    expect(JSON.parse(readFileSync(join(out, 'tabtune_run.json'), 'utf8')).data_selection).toEqual({ maxTrainExamples: 0, maxEvalExamples: 0, columns: null });
    const r = await tabtune(trainArgs(dataA, out, '--resume', '--max-train-examples', '4'));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${out}: cannot resume on different data: max-train-examples: all for the run, 4 now`);
    const from = await tabtune(trainArgs(dataA, join(tmp, 'elsewhere'), '--resume-from', join(out, 'checkpoints', ckpt), '--max-train-examples', '4', '--max-eval-examples', '3'));
    expect(from.code).toBe(1);
    expect(from.stderr).toContain(`cannot resume on different data (the checkpoint's run metadata): max-train-examples: all for the run, 4 now; max-eval-examples: all for the run, 3 now`);
    // Without --resume it is another run of other data: refused too, unless --overwrite.
    const fresh = await tabtune(trainArgs(dataA, out, '--max-train-examples', '4'));
    expect(fresh.code).toBe(1);
    expect(fresh.stderr).toContain('--out holds a run on other data (max-train-examples: all for the run, 4 now)');
    expect(readdirSync(join(out, 'checkpoints'))).toEqual([ckpt]);
  });

  it('run metadata written before the example settings were kept still compares by its file, with a warning', async () => {
    const old = join(tmp, 'old-run');
    mkdirSync(old);
    const meta = JSON.parse(readFileSync(join(out, 'tabtune_run.json'), 'utf8')) as Record<string, unknown>;
    delete meta.data_selection;
    writeFileSync(join(old, 'tabtune_run.json'), JSON.stringify(meta));
    const other = await tabtune(trainArgs(dataB, old, '--resume'));
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(/cannot resume on different data: the run's training file has fingerprint [0-9a-f]{12}/);
    // The same file: resumable (no checkpoint in this folder, so it says that), after the warning.
    const same = await tabtune(trainArgs(dataA, old, '--resume'));
    expect(same.stderr).toContain(`warning: ${join(old, 'tabtune_run.json')}: the run was saved before its example limits and column mapping were recorded: only its files are checked`);
    expect(same.stderr).toContain('no checkpoint to resume from');
  });

  it('--resume-from a folder with subfolders (the run or its checkpoints/) names the checkpoint to pass', async () => {
    for (const dir of [out, join(out, 'checkpoints')]) {
      const r = await tabtune(trainArgs(dataA, join(tmp, 'resumed'), '--resume-from', dir));
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`${dir}: is a folder of checkpoints, not one checkpoint (newest inside: ${ckpt}) (expected one checkpoint folder, e.g. --resume-from ${join(out, 'checkpoints', ckpt)}`);
    }
    const empty = join(tmp, 'empty-ckpt');
    mkdirSync(join(empty, 'sub'), { recursive: true });
    const r = await tabtune(trainArgs(dataA, join(tmp, 'resumed'), '--resume-from', empty));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${empty}: is not a checkpoint folder (it holds the folders sub)`);
  });

  it('--overwrite with the same data moves the earlier checkpoints aside instead of deleting them', async () => {
    const kept = hash(join(out, 'checkpoints', ckpt, 'model.safetensors'));
    const r = await tabtune(trainArgs(dataA, out, '--overwrite', '--seed', '7'));
    expect(r.code, r.stderr).toBe(0);
    const aside = readdirSync(out).filter((n) => n.startsWith('checkpoints.replaced-'));
    expect(aside).toHaveLength(1);
    expect(r.stderr).toContain(`the earlier run's checkpoints were moved to ${join(out, aside[0])}`);
    expect(hash(join(out, aside[0], ckpt, 'model.safetensors'))).toBe(kept);
    expect(readdirSync(join(out, 'checkpoints'))).toEqual([ckpt]);
  }, 300_000);
});

describe('a dangling symlink in the model folder', () => {
  it('is an error naming the link when it is a model file', async () => {
    const broken = join(tmp, 'broken-model');
    mkdirSync(broken);
    symlinkSync(join(FIXTURE, 'config.json'), join(broken, 'config.json'));
    symlinkSync(join(tmp, 'gone', 'model.safetensors'), join(broken, 'model.safetensors'));
    const r = await tabtune(['train', '--model', broken, '--vocab', VOCAB, '--task', 'mrpc', '--train', dataA, '--out', join(tmp, 'never'), ...SMALL]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${join(broken, 'model.safetensors')}: is a symbolic link to ${join(tmp, 'gone', 'model.safetensors')}, which does not exist (expected the model file model.safetensors (fix or remove the link))`);
    expect(existsSync(join(tmp, 'never'))).toBe(false);
  });
});

describe('numeric flags are bounded by the settings table', () => {
  it.each([
    [['train', '--model', 'm', '--task', 'mrpc', '--train', 't', '--out', 'o', '--max-train-examples=-5'], '--max-train-examples: expected at least 0'],
    [['train', '--model', 'm', '--task', 'mrpc', '--train', 't', '--out', 'o', '--max-train-examples', '2.5'], '--max-train-examples: expected a whole number'],
    [['train', '--model', 'm', '--task', 'mrpc', '--train', 't', '--out', 'o', '--max-train-examples', '-5'], "Option '--max-train-examples' argument is ambiguous"],
    [['features', '--task', 'mrpc', '--data', 'x.tsv', '--vocab', 'v', '--max-seq-length', '1000000000'], "--max-seq-length: expected at most 512, got '1000000000'"],
    [['features', '--task', 'squad', '--data', 'x.json', '--vocab', 'v', '--max-seq-length', '64', '--doc-stride', '0'], "--doc-stride: expected at least 1, got '0'"],
    [['features', '--task', 'mrpc', '--data', 'x.tsv', '--vocab', 'v', '--max-seq-length', '64', '--max-examples=-1'], '--max-examples expects a whole number >= 1'],
    [['postprocess', '--data', 'd', '--features', 'f', '--logits', 'l', '--out-dir', 'o', '--n-best-size', '0'], "--n-best-size: expected at least 1, got '0'"],
    [['run-batch', '--model', 'm', '--batch', 'b', '--out', 'o', '--learning-rate=-1'], "--learning-rate: expected more than 0, got '-1'"],
    [['run-batch', '--model', 'm', '--batch', 'b', '--out', 'o', '--train-steps', '1e9'], '--train-steps expects a whole number >= 0 and <= 1000000'],
    [['tokenize', '--vocab', 'v', '--max-chars-per-word', '0'], '--max-chars-per-word expects a whole number >= 1'],
    [['evaluate', '--task', 'squad2', '--data', 'd', '--predictions', 'p', '--na-prob-thresh', 'Infinity'], "--na-prob-thresh expects a number, got 'Infinity'"],
  ])('%j', async (argv, message) => {
    const r = await tabtune(argv);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(message);
  });
});

describe('labels outside the head', () => {
  it("predict warns about each row whose label is not one of the fine-tuned head's classes, naming the line", async () => {
    const data = join(tmp, 'data', 'odd-labels.tsv');
    const rows = mrpc.slice(1, 5).map((r, i) => (i === 1 ? r.replace(/^[01]/, '2') : i === 3 ? r.replace(/^[01]/, '-1') : r));
    writeFileSync(data, [mrpc[0], ...rows].join('\n') + '\n');
    const r = await tabtune(['predict', '--model', join(tmp, 'run'), '--task', 'mrpc', '--data', data, '--out', join(tmp, 'odd-predictions.tsv'), '--max-seq-length', '32']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("odd-labels.tsv, line 3: label '2' is not one of the mrpc labels (expected one of 0, 1)");
    expect(r.stderr).toContain("odd-labels.tsv, line 5: label '-1' is not one of the mrpc labels (expected one of 0, 1)");
    expect(readFileSync(join(tmp, 'odd-predictions.tsv'), 'utf8').trim().split('\n')).toHaveLength(3); // header + the 2 good rows
  }, 300_000);
});
