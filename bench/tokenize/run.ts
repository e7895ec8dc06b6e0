/**
 * Tokenizer throughput: Tabtune's WordPiece vs Hugging Face tokenizers (Rust, npm
 * @anush008/tokenizers) on the same corpus, same vocabulary, same settings, in the same run.
 *
 *   npx tsx bench/tokenize/run.ts [--rounds N] [--batch N] [--cased]
 *
 * Hugging Face runs on one thread (TOKENIZERS_PARALLELISM=false, RAYON_NUM_THREADS=1) through
 * encodeBatch, so its per-call overhead is amortised; it is timed both without reading the
 * results back into JavaScript (the Rust work alone) and with reading ids, tokens and offsets
 * (what Tabtune's encode returns). Prints MB/s (UTF-8 MB = 10^6 bytes) and the ratios.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createTokenizer, parseVocab } from '../../src/core/tokenizer';
import { buildCorpus } from './corpus';

process.env.TOKENIZERS_PARALLELISM = 'false';
process.env.RAYON_NUM_THREADS = '1';
process.env.RAYON_RS_NUM_CPUS = '1';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const SHARED = resolve(ROOT, '../shared');
const VOCAB = resolve(SHARED, 'fixtures/vocab/bert-base-uncased.txt');

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    batch: { type: 'string', default: '1024' },
    cased: { type: 'boolean', default: false },
  },
});
const rounds = Math.max(1, Number(values.rounds));
const batchSize = Math.max(1, Number(values.batch));
const lowercase = !values.cased;

const hf = await import('@anush008/tokenizers');

const corpus = buildCorpus(resolve(SHARED, 'datasets'));
const mb = corpus.bytes / 1e6;
console.log(`corpus: ${corpus.texts.length} texts, ${mb.toFixed(2)} MB UTF-8 from ${corpus.sources.length} files`);
console.log(`settings: do_lower_case=${lowercase}, max_input_chars_per_word=200, ${rounds} rounds, HF batch ${batchSize}`);
console.log(`machine: node ${process.version}, ${process.arch}, one thread each\n`);

let t0 = performance.now();
const tabtune = createTokenizer(parseVocab(readFileSync(VOCAB, 'utf8'), VOCAB), { doLowerCase: lowercase });
console.log(`tabtune: built in ${(performance.now() - t0).toFixed(0)} ms`);

t0 = performance.now();
const model = await hf.WordPiece.fromFile(VOCAB, { unkToken: '[UNK]', continuingSubwordPrefix: '##', maxInputCharsPerWord: 200 });
const hfTok = new hf.Tokenizer(model);
hfTok.setNormalizer(hf.bertNormalizer({ cleanText: true, handleChineseChars: true, stripAccents: lowercase, lowercase }));
hfTok.setPreTokenizer(hf.bertPreTokenizer());
console.log(`hugging face: built in ${(performance.now() - t0).toFixed(0)} ms\n`);

const batches: string[][] = [];
for (let i = 0; i < corpus.texts.length; i += batchSize) batches.push(corpus.texts.slice(i, i + batchSize));

let sink = 0;

function runTabtune(): number {
  const start = performance.now();
  for (const text of corpus.texts) {
    const e = tabtune.encode(text);
    sink += e.ids.length;
  }
  return performance.now() - start;
}

async function runHf(readBack: boolean): Promise<number> {
  const start = performance.now();
  for (const batch of batches) {
    const encs = await hfTok.encodeBatch(batch, { addSpecialTokens: false });
    if (readBack) {
      for (const e of encs) {
        sink += e.getIds().length + e.getTokens().length + e.getOffsets().length;
      }
    } else {
      sink += encs.length;
    }
  }
  return performance.now() - start;
}

/** This binding reports offsets in code points; Tabtune (and the fixtures) in UTF-16 units. */
function utf16Offsets(text: string, offsets: number[][]): number[][] {
  const map: number[] = [];
  let u = 0;
  for (const ch of text) {
    map.push(u);
    u += ch.length;
  }
  map.push(u);
  return offsets.map(([s, e]) => [map[s], map[e]]);
}

// Agreement over the whole corpus (untimed).
let sameIds = 0;
let sameOffsets = 0;
let tokens = 0;
for (const batch of batches) {
  const encs = await hfTok.encodeBatch(batch, { addSpecialTokens: false });
  batch.forEach((text, i) => {
    const ours = tabtune.encode(text);
    tokens += ours.ids.length;
    const theirs = encs[i].getIds();
    if (theirs.length === ours.ids.length && theirs.every((id, k) => id === ours.ids[k])) sameIds++;
    if (JSON.stringify(utf16Offsets(text, encs[i].getOffsets())) === JSON.stringify(ours.offsets)) sameOffsets++;
  });
}
console.log(`agreement: ids identical on ${sameIds}/${corpus.texts.length} texts, offsets on ${sameOffsets}/${corpus.texts.length} (${tokens} tokens)\n`);

const times = { tabtune: [] as number[], hf: [] as number[], hfRead: [] as number[] };
for (let r = 0; r < rounds; r++) {
  times.tabtune.push(runTabtune());
  times.hf.push(await runHf(false));
  times.hfRead.push(await runHf(true));
  console.log(
    `round ${r + 1}: tabtune ${(mb / (times.tabtune[r] / 1000)).toFixed(2)} MB/s, ` +
      `hf ${(mb / (times.hf[r] / 1000)).toFixed(2)} MB/s, hf+read ${(mb / (times.hfRead[r] / 1000)).toFixed(2)} MB/s`,
  );
}

const best = (xs: number[]) => Math.min(...xs);
const rate = (ms: number) => mb / (ms / 1000);
const ours = rate(best(times.tabtune));
const theirs = rate(best(times.hf));
const theirsRead = rate(best(times.hfRead));
console.log(`\nbest of ${rounds} rounds (MB/s, higher is better):`);
console.log(`  tabtune encode (tokens, ids, offsets)           ${ours.toFixed(2)}`);
console.log(`  hugging face encodeBatch (results left in Rust) ${theirs.toFixed(2)}`);
console.log(`  hugging face encodeBatch + read ids/tokens/offs ${theirsRead.toFixed(2)}`);
console.log(`  ratio tabtune / hf           ${(ours / theirs).toFixed(2)}x`);
console.log(`  ratio tabtune / hf+read      ${(ours / theirsRead).toFixed(2)}x`);
if (sink === -1) console.log('');
