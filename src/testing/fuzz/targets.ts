/**
 * Every reader a user's file reaches, as a fuzz target: how to make input i from the seed
 * corpus (../shared fixtures and datasets, read in place, never copied) and how to run the
 * reader on it the way the app does. `meta` carries the few settings a reader needs (task,
 * training flag) so a saved regression replays exactly.
 */
import { isTabtuneError } from '../../core/errors';
import { readGlue, readSquad, readTable, detectDataset, type DataSource } from '../../core/data';
import type { GlueTask } from '../../core/data';
import { parseBertConfig } from '../../core/io';
import { crc32c, maskCrc } from '../../core/io';
import { detectModelFile } from '../../core/io';
import { loadPretrained } from '../../core/io';
import { readVarint } from '../../core/io';
import { listSafetensors } from '../../core/io';
import { bytesSource, readSafetensors } from '../../core/io';
import { listTfBundle } from '../../core/io';
import { listTorchBin } from '../../core/io';
import { tokenizerFromBytes } from '../../core/tokenizer';
import { readSharedBytes } from '../shared';
import { concat, mutateBytes, mutateJson, mutateText, type Rand } from './mutate';

export interface FuzzFile {
  name: string;
  bytes: Uint8Array;
  meta?: Record<string, string | boolean>;
}

export interface FuzzTarget {
  name: string;
  /** The files of one input (the first one mutated), drawn with `r`. */
  make(r: Rand): FuzzFile[];
  /** Runs the reader as the app does; resolves when the input parses. */
  run(files: FuzzFile[]): Promise<unknown>;
}

const int = (r: Rand, n: number): number => Math.floor(r() * n);
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[int(r, xs.length)];
const enc = new TextEncoder();
const dec = new TextDecoder();

function lazy<T>(f: () => T): () => T {
  let v: T | undefined;
  return () => (v ??= f());
}

/** The first `n` bytes of a text file, cut at a line end. */
function head(bytes: Uint8Array, n: number): Uint8Array {
  if (bytes.length <= n) return bytes;
  const cut = bytes.lastIndexOf(0x0a, n);
  return bytes.slice(0, cut > 0 ? cut + 1 : n);
}

function textSource(file: FuzzFile, chunk = 4096): DataSource {
  const bytes = file.bytes;
  return {
    name: file.name,
    size: bytes.length,
    async *chunks() {
      for (let i = 0; i < bytes.length; i += chunk) yield bytes.subarray(i, i + chunk);
    },
  };
}

/** Text seeds get text or byte mutations; JSON seeds also structural ones. */
function mutateAny(seed: Uint8Array, r: Rand, others: readonly Uint8Array[], json: boolean): Uint8Array {
  const x = r();
  if (json && x < 0.5) return mutateJson(seed, r) ?? mutateBytes(seed, r, others);
  if (x < 0.75) return mutateText(seed, r);
  return mutateBytes(seed, r, others);
}

const GLUE_SEEDS = lazy(() =>
  ([['mrpc', 'MRPC'], ['cola', 'CoLA'], ['sst-2', 'SST-2'], ['rte', 'RTE']] as const).map(([task, dir]) => ({
    task,
    bytes: head(readSharedBytes('datasets/glue', dir, 'dev.tsv'), 6000),
  })),
);

/** The same rows as a user's CSV: fields quoted where needed (made here from the GLUE seeds). */
const CSV_SEEDS = lazy(() =>
  GLUE_SEEDS().map(({ bytes }) =>
    enc.encode(
      dec
        .decode(bytes)
        .split('\n')
        .map((line) => line.split('\t').map((f) => (/[",\n]/.test(f) ? `"${f.replace(/"/g, '""')}"` : f)).join(','))
        .join('\n'),
    ),
  ),
);

const VOCAB_HEAD = lazy(() => head(readSharedBytes('fixtures/vocab/bert-base-uncased.txt'), 24000));

const TOKENIZER_JSON = lazy(() => {
  const tokens = dec.decode(VOCAB_HEAD()).split('\n').filter((t) => t !== '');
  const vocab: Record<string, number> = {};
  tokens.forEach((t, i) => (vocab[t] = i));
  return enc.encode(
    JSON.stringify({
      version: '1.0',
      normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
      pre_tokenizer: { type: 'BertPreTokenizer' },
      model: { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 100, vocab },
    }),
  );
});

const SAMPLE = 'Hello, World! ÉCOLE naïve 北京 \u03a3\u0301x [UNK] ##ing';

async function readAll(list: { tensors: Array<{ read(): Promise<unknown> }> }): Promise<void> {
  for (const t of list.tensors) await t.read();
}

/** Rewrites a safetensors file's header as mutated JSON with a matching length prefix. */
function mutateSafetensorsHeader(bytes: Uint8Array, r: Rand): Uint8Array | undefined {
  if (bytes.length < 8) return undefined;
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
  if (8 + n > bytes.length) return undefined;
  const header = mutateJson(bytes.subarray(8, 8 + n), r);
  if (!header) return undefined;
  const prefix = new Uint8Array(8);
  new DataView(prefix.buffer).setBigUint64(0, BigInt(header.length), true);
  return concat(prefix, header, bytes.subarray(8 + n));
}

/**
 * Recomputes the CRCs of a TensorFlow index's blocks after a mutation (when its footer and
 * index block still parse), so mutations reach the entries instead of stopping at the CRC.
 */
function fixTableCrcs(b: Uint8Array): void {
  try {
    if (b.length < 48) return;
    const f = b.length - 48;
    const handles: number[] = [];
    let p = f;
    for (let i = 0; i < 4; i++) {
      const [v, q] = readVarint(b, p);
      handles.push(v);
      p = q;
    }
    const fix = (off: number, size: number) => {
      if (off + size + 5 > f) return;
      const crc = maskCrc(crc32c(b.subarray(off, off + size + 1)));
      new DataView(b.buffer, b.byteOffset).setUint32(off + size + 1, crc, true);
    };
    fix(handles[0], handles[1]);
    const [io, is] = [handles[2], handles[3]];
    if (io + is + 5 > f) return;
    if (b[io + is] === 0) {
      const blk = b.subarray(io, io + is);
      const restarts = new DataView(blk.buffer, blk.byteOffset, blk.length).getUint32(blk.length - 4, true);
      const end = blk.length - 4 - 4 * restarts;
      let q = 0;
      while (q < end) {
        const [, q1] = readVarint(blk, q);
        const [nonShared, q2] = readVarint(blk, q1);
        const [valueLen, q3] = readVarint(blk, q2);
        const value = blk.subarray(q3 + nonShared, q3 + nonShared + valueLen);
        const [off, v1] = readVarint(value, 0);
        const [size] = readVarint(value, v1);
        fix(off, size);
        q = q3 + nonShared + valueLen;
      }
    }
    fix(io, is);
  } catch {
    // The mutation broke the structure: the reader meets the CRCs as they are.
  }
}

const TF_SEEDS = lazy(() => [
  { prefix: 'bert_model.ckpt', index: readSharedBytes('fixtures/model/tiny-odd/google/bert_model.ckpt.index'), data: readSharedBytes('fixtures/model/tiny-odd/google/bert_model.ckpt.data-00000-of-00001') },
  ...['counter', 'half_plus_two_cpu', 'half_plus_two_mkl', 'half_plus_two_tf2_cpu'].map((d) => ({
    prefix: 'variables',
    index: readSharedBytes('fixtures/tf-checkpoint', d, 'variables.index'),
    data: readSharedBytes('fixtures/tf-checkpoint', d, 'variables.data-00000-of-00001'),
  })),
]);

const MODEL = lazy(() => ({
  config: readSharedBytes('fixtures/model/tiny-odd/config.json'),
  googleConfig: readSharedBytes('fixtures/model/tiny-odd/google/bert_config.json'),
  safetensors: readSharedBytes('fixtures/model/tiny-odd/model.safetensors'),
  bin: readSharedBytes('fixtures/model/tiny-odd/pytorch_model.bin'),
  heads: readSharedBytes('fixtures/model/tiny-odd/heads.safetensors'),
}));

const DROP_NAMES = ['config.json', 'bert_config.json', 'model.safetensors', 'pytorch_model.bin', 'vocab.txt', 'tokenizer.json', 'checkpoint', 'bert_model.ckpt.index', 'bert_model.ckpt.data-00000-of-00001', 'notes.txt', 'model.pt', 'train.tsv'];

export const FUZZ_TARGETS: readonly FuzzTarget[] = [
  {
    name: 'tsv-glue',
    make(r) {
      const seeds = GLUE_SEEDS();
      const s = pick(r, seeds);
      return [{ name: 'dev.tsv', bytes: mutateAny(s.bytes, r, seeds.map((x) => x.bytes), false), meta: { task: s.task } }];
    },
    run: ([f]) => readGlue(f.meta!.task as GlueTask, textSource(f), { split: 'dev' }),
  },
  {
    name: 'table-user',
    make(r) {
      const csv = r() < 0.5;
      const seeds = csv ? CSV_SEEDS() : GLUE_SEEDS().map((s) => s.bytes);
      return [{ name: csv ? 'mine.csv' : 'mine.tsv', bytes: mutateAny(pick(r, seeds), r, seeds, false) }];
    },
    run: ([f]) => readTable(textSource(f), { columns: { textA: 0, textB: 1, label: 2 } }).catch((e) => {
      // A seed with two columns has no column 2: read it as text + label instead.
      if (isTabtuneError(e) && e.code === 'tsv-mapping') return readTable(textSource(f), { columns: { textA: 0, label: 1 } });
      throw e;
    }),
  },
  {
    name: 'squad-json',
    make(r) {
      const seeds = [readSharedBytes('fixtures/squad/xquad.en/input-train.json'), readSharedBytes('fixtures/squad/cs224n-dev-v2.0/input.json')];
      return [{ name: 'train.json', bytes: mutateAny(pick(r, seeds), r, seeds, true), meta: { training: r() < 0.5 } }];
    },
    run: ([f]) => readSquad(textSource(f, 65536), { training: f.meta?.training === true }),
  },
  {
    name: 'vocab-txt',
    make: (r) => [{ name: 'vocab.txt', bytes: mutateAny(VOCAB_HEAD(), r, [], false) }],
    run: async ([f]) => tokenizerFromBytes(f.bytes, f.name).encode(SAMPLE),
  },
  {
    name: 'tokenizer-json',
    make: (r) => [{ name: 'tokenizer.json', bytes: mutateAny(TOKENIZER_JSON(), r, [], true) }],
    run: async ([f]) => tokenizerFromBytes(f.bytes, f.name).encode(SAMPLE),
  },
  {
    name: 'config',
    make(r) {
      const m = MODEL();
      const google = r() < 0.5;
      const seed = google ? m.googleConfig : m.config;
      return [{ name: google ? 'bert_config.json' : 'config.json', bytes: mutateAny(seed, r, [m.config, m.googleConfig], true) }];
    },
    run: async ([f]) => parseBertConfig(dec.decode(f.bytes), f.name),
  },
  {
    name: 'safetensors',
    make(r) {
      const m = MODEL();
      const seed = r() < 0.8 ? m.safetensors : m.heads;
      const bytes = (r() < 0.5 ? mutateSafetensorsHeader(seed, r) : undefined) ?? mutateBytes(seed, r, [m.heads]);
      return [{ name: 'model.safetensors', bytes }];
    },
    async run([f]) {
      readSafetensors(f.bytes, f.name);
      await readAll(await listSafetensors(bytesSource(f.bytes, f.name)));
    },
  },
  {
    name: 'torch-bin',
    make: (r) => [{ name: 'pytorch_model.bin', bytes: mutateBytes(MODEL().bin, r) }],
    run: async ([f]) => readAll(await listTorchBin(bytesSource(f.bytes, f.name))),
  },
  {
    name: 'tf-bundle',
    make(r) {
      const s = pick(r, TF_SEEDS());
      const indexName = `${s.prefix}.index`;
      const dataName = `${s.prefix}.data-00000-of-00001`;
      if (r() < 0.7) {
        const index = mutateBytes(s.index, r);
        if (r() < 0.7) fixTableCrcs(index);
        return [{ name: indexName, bytes: index }, { name: dataName, bytes: s.data }];
      }
      return [{ name: dataName, bytes: mutateBytes(s.data, r) }, { name: indexName, bytes: s.index }];
    },
    async run(files) {
      const index = files.find((f) => f.name.endsWith('.index'))!;
      const data = files.filter((f) => f !== index).map((f) => bytesSource(f.bytes, f.name));
      await readAll(await listTfBundle(bytesSource(index.bytes, index.name), data));
    },
  },
  {
    name: 'dropped-files',
    make(r) {
      const m = MODEL();
      const sets: FuzzFile[][] = [
        [{ name: 'model.safetensors', bytes: m.safetensors }, { name: 'config.json', bytes: m.config }],
        [{ name: 'pytorch_model.bin', bytes: m.bin }, { name: 'config.json', bytes: m.config }],
        [{ name: 'config.json', bytes: m.config }, { name: 'model.safetensors', bytes: m.safetensors }, { name: 'vocab.txt', bytes: VOCAB_HEAD() }],
      ];
      const files = pick(r, sets).map((f) => ({ ...f }));
      const k = int(r, files.length);
      const victim = files[k];
      if (r() < 0.3) victim.name = pick(r, DROP_NAMES.filter((n) => !files.some((f) => f.name === n)));
      else victim.bytes = victim.name.endsWith('.json') || victim.name.endsWith('.txt') ? mutateAny(victim.bytes, r, [], victim.name.endsWith('.json')) : mutateBytes(victim.bytes, r);
      files.splice(k, 1);
      return [victim, ...files];
    },
    async run(files) {
      for (const f of files) {
        detectModelFile(f.name, f.bytes.subarray(0, 4096));
        detectDataset(f.name, dec.decode(f.bytes.subarray(0, 4096)));
      }
      return loadPretrained(files.map((f) => bytesSource(f.bytes, f.name)));
    },
  },
];

export function targetByName(name: string): FuzzTarget {
  const t = FUZZ_TARGETS.find((x) => x.name === name);
  if (!t) throw new Error(`no fuzz target ${name}`);
  return t;
}

