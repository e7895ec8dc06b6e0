/**
 * bench/studio-ab: the files the benchmark drops into both studios, written to a folder under
 * /tmp at run time (nothing is committed):
 *   config.json + model.safetensors  a random-initialised BERT-Tiny in Hugging Face's layout
 *                                    (2 layers, hidden 128, 2 heads, intermediate 512, 512
 *                                    positions, bert-base-uncased's 30,522-token vocabulary);
 *                                    safetensors F32, read by both builds
 *   vocab.txt                        ../shared/fixtures/vocab/bert-base-uncased.txt
 *   train.tsv / dev.tsv              MRPC rows from ../shared/datasets/glue/MRPC: the first
 *                                    `trainRows` training pairs with ≥ LONG_PAIR_WORDS words, so
 *                                    every sequence is longer than 64 WordPieces and every batch
 *                                    pads to the 128 bucket in both builds (their default buckets
 *                                    are 32, 64, 128, …); the first `devRows` dev rows.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { xorshiftUniform } from '../common/xorshift';

/**
 * Whitespace words in the two MRPC sentences together. MRPC's text is pre-tokenised (punctuation
 * separated by spaces), and each word gives at least one WordPiece, so a pair of ≥ 62 words is
 * ≥ 62 + 3 ([CLS], 2×[SEP]) = 65 tokens: past the 64 bucket, truncated at max_seq_length 128.
 */
export const LONG_PAIR_WORDS = 62;

export const BERT_TINY = {
  vocab_size: 30522,
  hidden_size: 128,
  num_hidden_layers: 2,
  num_attention_heads: 2,
  intermediate_size: 512,
  max_position_embeddings: 512,
  type_vocab_size: 2,
} as const;

function sharedPath(sharedDir: string, ...parts: string[]): string {
  const p = resolve(sharedDir, ...parts);
  if (!existsSync(p)) throw new Error(`studio-ab: missing ground-truth file ${p} (expected ../shared beside the repository)`);
  return p;
}

/** Parameter names and shapes of a Hugging Face BertForPreTraining checkpoint ([out, in] for dense weights). */
function bertTinyShapes(): Array<[string, number[]]> {
  const { vocab_size: V, hidden_size: H, intermediate_size: I, max_position_embeddings: P, type_vocab_size: T, num_hidden_layers: L } = BERT_TINY;
  const out: Array<[string, number[]]> = [
    ['bert.embeddings.word_embeddings.weight', [V, H]],
    ['bert.embeddings.position_embeddings.weight', [P, H]],
    ['bert.embeddings.token_type_embeddings.weight', [T, H]],
    ['bert.embeddings.LayerNorm.weight', [H]],
    ['bert.embeddings.LayerNorm.bias', [H]],
  ];
  for (let l = 0; l < L; l++) {
    const p = `bert.encoder.layer.${l}`;
    for (const m of ['query', 'key', 'value']) out.push([`${p}.attention.self.${m}.weight`, [H, H]], [`${p}.attention.self.${m}.bias`, [H]]);
    out.push(
      [`${p}.attention.output.dense.weight`, [H, H]], [`${p}.attention.output.dense.bias`, [H]],
      [`${p}.attention.output.LayerNorm.weight`, [H]], [`${p}.attention.output.LayerNorm.bias`, [H]],
      [`${p}.intermediate.dense.weight`, [I, H]], [`${p}.intermediate.dense.bias`, [I]],
      [`${p}.output.dense.weight`, [H, I]], [`${p}.output.dense.bias`, [H]],
      [`${p}.output.LayerNorm.weight`, [H]], [`${p}.output.LayerNorm.bias`, [H]],
    );
  }
  out.push(
    ['bert.pooler.dense.weight', [H, H]], ['bert.pooler.dense.bias', [H]],
    ['cls.predictions.bias', [V]],
    ['cls.predictions.transform.dense.weight', [H, H]], ['cls.predictions.transform.dense.bias', [H]],
    ['cls.predictions.transform.LayerNorm.weight', [H]], ['cls.predictions.transform.LayerNorm.bias', [H]],
    ['cls.seq_relationship.weight', [2, H]], ['cls.seq_relationship.bias', [2]],
  );
  return out;
}

/** Seeded N(0, 0.02) weights (xorshift32 + Box–Muller), LayerNorm gains 1, biases 0: the same bytes every run. */
function randomTensor(name: string, n: number, next: () => number): Float32Array {
  const data = new Float32Array(n);
  if (name.includes('LayerNorm') && name.endsWith('.weight')) return data.fill(1);
  if (name.endsWith('.bias')) return data;
  for (let i = 0; i < n; i += 2) {
    const r = Math.sqrt(-2 * Math.log(next())) * 0.02;
    const a = 2 * Math.PI * next();
    data[i] = r * Math.cos(a);
    if (i + 1 < n) data[i + 1] = r * Math.sin(a);
  }
  return data;
}

/** safetensors: u64 LE header length, JSON header {name: {dtype, shape, data_offsets}}, then the data. */
function safetensors(tensors: Array<[string, number[], Float32Array]>): Buffer {
  const header: Record<string, unknown> = { __metadata__: { format: 'pt' } };
  let offset = 0;
  for (const [name, shape, data] of tensors) {
    header[name] = { dtype: 'F32', shape, data_offsets: [offset, offset + data.byteLength] };
    offset += data.byteLength;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (json.length % 8)) % 8); // keeps the data 8-byte aligned
  const head = Buffer.alloc(8);
  head.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([head, Buffer.from(json, 'utf8'), ...tensors.map(([, , d]) => Buffer.from(d.buffer, d.byteOffset, d.byteLength))]);
}

export function writeBertTiny(dir: string, sharedDir: string, seed = 1): string[] {
  mkdirSync(dir, { recursive: true });
  const next = xorshiftUniform(seed);
  const tensors = bertTinyShapes().map(([name, shape]): [string, number[], Float32Array] => [name, shape, randomTensor(name, shape.reduce((a, b) => a * b, 1), next)]);
  writeFileSync(join(dir, 'model.safetensors'), safetensors(tensors));
  const config = {
    architectures: ['BertForPreTraining'],
    model_type: 'bert',
    pad_token_id: 0,
    attention_probs_dropout_prob: 0.1,
    hidden_dropout_prob: 0.1,
    position_embedding_type: 'absolute',
    initializer_range: 0.02,
    layer_norm_eps: 1e-12,
    hidden_act: 'gelu',
    ...BERT_TINY,
  };
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config, null, 2) + '\n');
  copyFileSync(sharedPath(sharedDir, 'fixtures/vocab/bert-base-uncased.txt'), join(dir, 'vocab.txt'));
  return ['config.json', 'model.safetensors', 'vocab.txt'].map((f) => join(dir, f));
}

/** MRPC train rows whose two sentences have ≥ LONG_PAIR_WORDS words (see above), and the first dev rows. */
export function writeMrpcLong(dir: string, sharedDir: string, trainRows: number, devRows: number): string[] {
  mkdirSync(dir, { recursive: true });
  const src = sharedPath(sharedDir, 'datasets/glue/MRPC/train.tsv');
  const [header, ...rows] = readFileSync(src, 'utf8').split('\n');
  const long = rows.filter((r) => {
    const c = r.split('\t');
    return c.length === 5 && `${c[3]} ${c[4]}`.split(/\s+/).filter(Boolean).length >= LONG_PAIR_WORDS;
  });
  if (long.length < trainRows) throw new Error(`studio-ab: ${src} has ${long.length} pairs of ≥ ${LONG_PAIR_WORDS} words, expected at least ${trainRows}`);
  const train = join(dir, 'train.tsv');
  writeFileSync(train, [header, ...long.slice(0, trainRows)].join('\n') + '\n');
  const devLines = readFileSync(sharedPath(sharedDir, 'datasets/glue/MRPC/dev.tsv'), 'utf8').split('\n');
  const dev = join(dir, 'dev.tsv');
  writeFileSync(dev, devLines.slice(0, devRows + 1).join('\n') + '\n');
  return [train, dev];
}
