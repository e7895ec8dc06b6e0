/**
 * Child process of bench/features/run.ts (started with --expose-gc): reads a large SQuAD file and
 * converts it with the features streamed to a counter; prints one line with times and memory
 * (heap held after reading, after a full GC, and the process's peak RSS).
 *
 *   node --expose-gc --import tsx bench/features/large-squad.ts FILE
 */
import { readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sourceFromFile } from '../../src/platform/node/data-source';
import { forEachSquadFeature } from '../../src/core/data';
import { readSquad } from '../../src/core/data';
import { createTokenizer, parseVocab } from '../../src/core/tokenizer';

const file = process.argv[2];
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const VOCAB = resolve(ROOT, '../shared/fixtures/vocab/bert-base-uncased.txt');
const tokenizer = createTokenizer(parseVocab(readFileSync(VOCAB, 'utf8'), VOCAB), { doLowerCase: true });
const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
const mib = (n: number) => `${(n / 2 ** 20).toFixed(0)} MiB`;

gc();
const heap0 = process.memoryUsage().heapUsed;
let t0 = performance.now();
const { examples, stats } = await readSquad(sourceFromFile(file), { training: false });
const readMs = performance.now() - t0;
gc();
const held = process.memoryUsage().heapUsed - heap0;
const contexts = new Set(examples.map((e) => e.contextText));
let textChars = 0;
for (const c of contexts) textChars += c.length;
for (const e of examples) textChars += e.questionText.length;

let progressCalls = 0;
t0 = performance.now();
const features = forEachSquadFeature(
  examples,
  tokenizer,
  { maxSeqLength: 384, docStride: 128, maxQueryLength: 64, training: false },
  () => undefined,
  () => progressCalls++,
);
const convMs = performance.now() - t0;
const maxRss = process.resourceUsage().maxRSS * 1024;
console.log(
  `squad ${stats.records} questions (${mib(statSync(file).size)} JSON, eval, 384/128/64): read ${readMs.toFixed(0)} ms = ${Math.round((stats.records / readMs) * 1000)}/s, ` +
    `convert ${convMs.toFixed(0)} ms = ${Math.round((stats.records / convMs) * 1000)} examples/s (${features} features streamed, ${progressCalls} progress calls); ` +
    `heap held after reading ${mib(held)} (context + question text ${mib(textChars * 2)} as UTF-16), peak RSS ${mib(maxRss)}`,
);
