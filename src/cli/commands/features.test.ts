/**
 * `tabtune features` spawned as a user runs it: its stdout must equal every fixture file byte for
 * byte (classifier and SQuAD), the tsv task must reproduce a GLUE fixture from the same data as
 * TSV and as quoted CSV, and bad rows must be warned about (or fail with --fail-fast).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, readShared, sharedPath } from '../../testing/shared';

const VOCAB = sharedPath('fixtures/vocab/bert-base-uncased.txt');
const GLUE_DIR: Record<string, string> = { mrpc: 'MRPC', cola: 'CoLA' };

function features(args: string[]) {
  const r = spawnSync(process.execPath, [join(REPO_ROOT, 'bin/tabtune.mjs'), 'features', '--vocab', VOCAB, ...args], {
    encoding: 'utf8',
    cwd: REPO_ROOT,
    maxBuffer: 1 << 28,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('tabtune features', () => {
  for (const file of readdirSync(sharedPath('fixtures/classifier'))) {
    it(`writes classifier/${file} exactly`, () => {
      const [, task, split, len] = /^(\w+)-(\w+)-(\d+)\.jsonl$/.exec(file)!;
      const data = sharedPath('datasets/glue', GLUE_DIR[task], `${split}.tsv`);
      const r = features(['--task', task, '--data', data, '--max-seq-length', len, '--max-examples', '200']);
      expect(r.stderr).toContain('0 skipped');
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(readShared('fixtures/classifier', file));
    });
  }

  for (const set of readdirSync(sharedPath('fixtures/squad'))) {
    for (const file of readdirSync(sharedPath('fixtures/squad', set)).filter((f) => /^features-.*\.jsonl$/.test(f))) {
      it(`writes squad/${set}/${file} exactly`, () => {
        const [, mode, seq, stride, query] = /^features-(train|eval)-(\d+)-(\d+)-(\d+)\.jsonl$/.exec(file)!;
        const input = sharedPath('fixtures/squad', set, mode === 'train' ? 'input-train.json' : 'input.json');
        const task = set.includes('v2.0') ? 'squad2' : 'squad';
        const r = features(['--task', task, '--data', input, '--max-seq-length', seq, '--doc-stride', stride, '--max-query-length', query, '--mode', mode]);
        expect(r.code).toBe(0);
        expect(r.stdout).toBe(readShared('fixtures/squad', set, file));
      });
    }
  }

  it('--task tsv reproduces the MRPC fixture from the TSV and from a quoted CSV of the same rows', () => {
    const expected = readShared('fixtures/classifier/mrpc-dev-128.jsonl');
    const mapping = ['--text-a', '#1 String', '--text-b', '#2 String', '--label', 'Quality', '--max-seq-length', '128', '--max-examples', '200'];
    const tsv = features(['--task', 'tsv', '--data', sharedPath('datasets/glue/MRPC/dev.tsv'), ...mapping]);
    expect(tsv.code).toBe(0);
    expect(tsv.stdout).toBe(expected);

    // The same table as RFC 4180 CSV: MRPC's literal quotes become "" inside quoted fields.
    const rows = readShared('datasets/glue/MRPC/dev.tsv').replace(/^\ufeff/, '').split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
    const dir = mkdtempSync(join(tmpdir(), 'tabtune-features-'));
    const csv = join(dir, 'mrpc-dev.csv');
    writeFileSync(csv, Papa.unparse(rows, { quotes: true, newline: '\n' }));
    expect(readFileSync(csv, 'utf8')).toContain('""');
    const fromCsv = features(['--task', 'tsv', '--data', csv, ...mapping]);
    expect(fromCsv.stderr).toContain('0 skipped');
    expect(fromCsv.stdout).toBe(expected);
  });

  it('warns about bad rows on stderr and keeps the others; --fail-fast stops with the error', () => {
    const lines = readShared('datasets/glue/MRPC/dev.tsv').split('\n');
    lines[3] = lines[3].split('\t').slice(0, 4).join('\t'); // line 4: 4 columns
    lines[6] = '7' + lines[6].slice(1); // line 7: label 7
    const dir = mkdtempSync(join(tmpdir(), 'tabtune-features-'));
    const data = join(dir, 'dev.tsv');
    writeFileSync(data, lines.join('\n'));

    const r = features(['--task', 'mrpc', '--data', data, '--max-seq-length', '32']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('warning: dev.tsv, line 4: the row has 4 columns (expected 5 tab-separated columns)');
    expect(r.stderr).toContain("warning: dev.tsv, line 7: label '7' is not one of the mrpc labels (expected one of 0, 1)");
    expect(r.stderr).toContain('406 of 408 records read, 2 skipped');
    const guids = r.stdout.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l).guid);
    expect(guids.length).toBe(406);
    expect(guids).not.toContain('dev-3');
    expect(guids).not.toContain('dev-6');
    expect(guids).toContain('dev-4');

    const strict = features(['--task', 'mrpc', '--data', data, '--max-seq-length', '32', '--fail-fast']);
    expect(strict.code).toBe(1);
    expect(strict.stderr).toContain('error: dev.tsv, line 4: the row has 4 columns');
    expect(strict.stdout).toBe('');
  });

  it('rejects usage errors and unreadable input with a message', () => {
    const noTask = features(['--data', 'x.tsv', '--max-seq-length', '8']);
    expect(noTask.code).toBe(2);
    expect(noTask.stderr).toContain('missing required flag --task');
    const badTask = features(['--task', 'imdb', '--data', 'x.tsv', '--max-seq-length', '8']);
    expect(badTask.code).toBe(2);
    expect(badTask.stderr).toContain("unknown --task 'imdb'");
    const missing = features(['--task', 'mrpc', '--data', join(tmpdir(), 'no-such-file.tsv'), '--max-seq-length', '8']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no-such-file.tsv: cannot read the file');
    const notJson = features(['--task', 'squad', '--data', sharedPath('datasets/glue/RTE/dev.tsv'), '--max-seq-length', '64']);
    expect(notJson.code).toBe(1);
    expect(notJson.stderr).toMatch(/dev\.tsv, line 1, column \d+: the file is not valid JSON/);
  });
});
