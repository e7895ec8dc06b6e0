/**
 * Feature-conversion throughput on the real files in ../shared/datasets:
 *   - SQuAD (cs224n-dev-v2.0.json, xquad.en.json): examples converted per second at
 *     max_seq_length 384 / doc_stride 128 / max_query_length 64, eval and train mode;
 *   - SST-2 train.tsv (67k rows): rows read per second (streamed) and converted per second;
 *   - a 100k-question SQuAD file (cs224n dev repeated, written to a temp dir): read and
 *     converted with features streamed to a counter, in a child process (large-squad.ts) that
 *     reports the heap held after reading and the peak RSS: one copy of the text plus examples.
 *
 *   npx tsx bench/features/run.ts [--rounds N] [--skip-large]
 *
 * Times are the best of N rounds (default 3), one thread, tokenizer built once.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { convertExamples } from '../../src/core/data';
import { readGlue } from '../../src/core/data';
import { sourceFromFile } from '../../src/platform/node/data-source';
import { forEachSquadFeature } from '../../src/core/data';
import { readSquad } from '../../src/core/data';
import { createTokenizer, parseVocab } from '../../src/core/tokenizer';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const SHARED = resolve(ROOT, '../shared');
const VOCAB = resolve(SHARED, 'fixtures/vocab/bert-base-uncased.txt');

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '3' }, 'skip-large': { type: 'boolean', default: false } } });
const rounds = Math.max(1, Number(values.rounds));

const tokenizer = createTokenizer(parseVocab(readFileSync(VOCAB, 'utf8'), VOCAB), { doLowerCase: true });
const WINDOW = { maxSeqLength: 384, docStride: 128, maxQueryLength: 64 };

async function best<T>(fn: () => Promise<T> | T): Promise<{ ms: number; result: T }> {
  let ms = Infinity;
  let result!: T;
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    result = await fn();
    ms = Math.min(ms, performance.now() - t0);
  }
  return { ms, result };
}

const rate = (n: number, ms: number) => `${Math.round((n / ms) * 1000).toLocaleString('en-US')}/s`;

console.log(`machine: node ${process.version}, ${process.arch}, one thread; best of ${rounds} rounds`);
console.log(`window: max_seq_length ${WINDOW.maxSeqLength}, doc_stride ${WINDOW.docStride}, max_query_length ${WINDOW.maxQueryLength}, do_lower_case\n`);

for (const file of ['cs224n-dev-v2.0.json', 'xquad.en.json']) {
  const path = resolve(SHARED, 'datasets/squad', file);
  for (const training of [false, true]) {
    const mode = training ? 'train' : 'eval';
    const read = await best(() => readSquad(sourceFromFile(path), { training, useFirstAnswer: true }));
    const examples = read.result.examples;
    const convert = await best(() =>
      forEachSquadFeature(examples, tokenizer, { ...WINDOW, training }, () => {
        /* counted by the return value */
      }),
    );
    console.log(
      `squad ${file} (${mode}): ${examples.length} examples -> ${convert.result} features; ` +
        `read ${read.ms.toFixed(0)} ms, convert ${convert.ms.toFixed(0)} ms = ${rate(examples.length, convert.ms)} examples, ` +
        `${rate(convert.result, convert.ms)} features; read+convert ${rate(examples.length, read.ms + convert.ms)} examples`,
    );
  }
}

const sst = resolve(SHARED, 'datasets/glue/SST-2/train.tsv');
const sstRead = await best(() => readGlue('sst-2', sourceFromFile(sst)));
const rows = sstRead.result.examples;
for (const maxSeqLength of [64, 128]) {
  const conv = await best(() => convertExamples(rows, tokenizer, { maxSeqLength, labels: sstRead.result.labels }));
  console.log(
    `sst-2 train.tsv (${rows.length} rows, max_seq_length ${maxSeqLength}): read ${sstRead.ms.toFixed(0)} ms = ${rate(rows.length, sstRead.ms)} rows; ` +
      `convert ${conv.ms.toFixed(0)} ms = ${rate(rows.length, conv.ms)} rows; read+convert ${rate(rows.length, sstRead.ms + conv.ms)} rows`,
  );
}

if (!values['skip-large']) {
  // ~100k questions: cs224n dev repeated with fresh ids, written as one JSON file.
  const base = JSON.parse(readFileSync(resolve(SHARED, 'datasets/squad/cs224n-dev-v2.0.json'), 'utf8')) as {
    version: string;
    data: Array<{ title: string; paragraphs: Array<{ context: string; qas: Array<{ id: string }> }> }>;
  };
  const copies = Math.ceil(100_000 / 6078);
  const data = [];
  for (let c = 0; c < copies; c++) {
    for (const a of base.data) data.push({ ...a, paragraphs: a.paragraphs.map((p) => ({ ...p, qas: p.qas.map((q) => ({ ...q, id: `${q.id}-${c}` })) })) });
  }
  const dir = mkdtempSync(join(tmpdir(), 'tabtune-bench-'));
  const big = join(dir, 'squad-100k.json');
  writeFileSync(big, JSON.stringify({ version: base.version, data }));
  data.length = 0;
  const child = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', resolve(ROOT, 'bench/features/large-squad.ts'), big], { encoding: 'utf8', cwd: ROOT });
  process.stdout.write(child.stdout);
  if (child.status !== 0) process.stderr.write(child.stderr);
  rmSync(dir, { recursive: true, force: true });
}
