/**
 * Builds, in a test's output folder, the folders a user would drop: a BERT folder from
 * ../shared/fixtures/model, a vocabulary, and a slice of a real dataset. Nothing is committed:
 * the files are copied or cut from ../shared at test time.
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { shared, tsvHead } from './helpers';

export function tinyUncasedFiles(dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  const model = shared('fixtures/model/tiny-uncased');
  copyFileSync(join(model, 'config.json'), join(dir, 'config.json'));
  copyFileSync(join(model, 'model.safetensors'), join(dir, 'model.safetensors'));
  copyFileSync(shared('fixtures/vocab/bert-base-uncased.txt'), join(dir, 'vocab.txt'));
  return ['config.json', 'model.safetensors', 'vocab.txt'].map((f) => join(dir, f));
}

export function mrpcFiles(dir: string, trainRows: number, devRows: number): string[] {
  return [
    tsvHead(shared('datasets/glue/MRPC/train.tsv'), trainRows, dir, 'train.tsv'),
    tsvHead(shared('datasets/glue/MRPC/dev.tsv'), devRows, dir, 'dev.tsv'),
  ];
}

interface SquadFile {
  version?: string;
  data: Array<{ title: string; paragraphs: Array<{ context: string; qas: unknown[] }> }>;
}

/** The first `questions` questions of a SQuAD file (whole paragraphs' contexts, cut question lists). */
export function squadHead(src: string, questions: number, dir: string, name: string): string {
  const json = JSON.parse(readFileSync(src, 'utf8')) as SquadFile;
  let left = questions;
  const data: SquadFile['data'] = [];
  for (const article of json.data) {
    const paragraphs = [];
    for (const p of article.paragraphs) {
      if (left <= 0) break;
      const qas = p.qas.slice(0, left);
      left -= qas.length;
      paragraphs.push({ ...p, qas });
    }
    if (paragraphs.length) data.push({ ...article, paragraphs });
    if (left <= 0) break;
  }
  mkdirSync(dir, { recursive: true });
  const out = join(dir, name);
  writeFileSync(out, JSON.stringify({ version: json.version, data }));
  return out;
}

/**
 * tiny-odd as Google ships BERT (bert_config.json + bert_model.ckpt.*) with a 128-token
 * vocabulary (tiny-odd's vocab_size) made of the special tokens and MRPC's most frequent words.
 */
export function tinyOddGoogleFiles(dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  const google = shared('fixtures/model/tiny-odd/google');
  const names = ['bert_config.json', 'bert_model.ckpt.index', 'bert_model.ckpt.data-00000-of-00001'];
  for (const n of names) copyFileSync(join(google, n), join(dir, n));
  const counts = new Map<string, number>();
  const rows = readFileSync(shared('datasets/glue/MRPC/train.tsv'), 'utf8').split('\n').slice(1, 400);
  for (const row of rows) {
    for (const w of row.split('\t').slice(3).join(' ').toLowerCase().split(/[^a-z]+/)) {
      if (w) counts.set(w, (counts.get(w) ?? 0) + 1);
    }
  }
  const words = [...counts.entries()].sort((a, b) => b[1] - a[1]).map(([w]) => w);
  const vocab = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', ...words].slice(0, 128);
  writeFileSync(join(dir, 'vocab.txt'), vocab.join('\n') + '\n');
  return [...names, 'vocab.txt'].map((n) => join(dir, n));
}
