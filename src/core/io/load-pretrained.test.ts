import { describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { loadPretrained, type PretrainedModel } from './load-pretrained';
import { nodeFileSource } from '../../platform/node/byte-source';
import { bytesSource, readSafetensors, writeSafetensors, type ByteSource, type LoadedTensor } from './safetensors';
import { readShared, readSharedBytes, sharedPath } from '../../testing/shared';
import { TabtuneError } from '../errors';

const MODEL_FILES = ['config.json', 'model.safetensors', 'pytorch_model.bin'];

/** The fixture folder's files as ByteSources, with some replaced or dropped. */
function folder(dir: string, opts: { only?: string[]; replace?: Record<string, Uint8Array | string>; drop?: string[] } = {}): ByteSource[] {
  const path = sharedPath('fixtures/model', dir);
  const names = readdirSync(path).filter((n) => !n.includes('.') || /\.\w+/.test(n)).filter((n) => n !== 'google');
  const out: ByteSource[] = [];
  for (const n of names) {
    if (opts.only && !opts.only.includes(n)) continue;
    if (opts.drop?.includes(n)) continue;
    const r = opts.replace?.[n];
    out.push(r === undefined ? nodeFileSource(`${path}/${n}`) : bytesSource(typeof r === 'string' ? new TextEncoder().encode(r) : r, n));
  }
  return out;
}

function expectSameWeights(a: Map<string, LoadedTensor>, b: Map<string, LoadedTensor>) {
  expect([...a.keys()].sort()).toEqual([...b.keys()].sort());
  for (const [k, t] of a) {
    const u = b.get(k)!;
    expect(u.shape, k).toEqual(t.shape);
    expect(u.dtype, k).toBe('float32');
    expect(Buffer.from(u.data.buffer, u.data.byteOffset, u.data.byteLength).equals(Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength)), k).toBe(true);
  }
}

async function errorOf(p: Promise<unknown>): Promise<TabtuneError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(TabtuneError);
    return e as TabtuneError;
  }
  throw new Error('expected a TabtuneError');
}

describe.each(['tiny-uncased', 'tiny-odd'])('loadPretrained %s (Hugging Face layout)', (dir) => {
  const reference = readSafetensors(readSharedBytes('fixtures/model', dir, 'model.safetensors')).tensors;
  const bertOnly = new Map([...reference].filter(([k]) => k.startsWith('bert.')));
  const cls = [...reference.keys()].filter((k) => k.startsWith('cls.')).sort();

  let fromSt: PretrainedModel;
  it('loads model.safetensors: every bert.* tensor, cls.* skipped and listed', async () => {
    fromSt = await loadPretrained(folder(dir), { prefer: 'hf-safetensors' });
    expect(fromSt.format).toBe('hf-safetensors');
    expectSameWeights(fromSt.weights, bertOnly);
    expect(cls.length).toBeGreaterThan(0);
    expect(fromSt.skipped.sort()).toEqual(cls.map((c) => `${c} (pre-training head)`));
    const raw = JSON.parse(readShared('fixtures/model', dir, 'config.json'));
    expect(fromSt.rawConfig).toEqual(raw);
    expect(fromSt.config).toEqual({
      vocabSize: raw.vocab_size, hiddenSize: raw.hidden_size, numHiddenLayers: raw.num_hidden_layers, numAttentionHeads: raw.num_attention_heads,
      intermediateSize: raw.intermediate_size, hiddenAct: raw.hidden_act === 'gelu' ? 'gelu_erf' : 'gelu_tanh',
      hiddenDropoutProb: raw.hidden_dropout_prob, attentionProbsDropoutProb: raw.attention_probs_dropout_prob,
      maxPositionEmbeddings: raw.max_position_embeddings, typeVocabSize: raw.type_vocab_size, initializerRange: raw.initializer_range, layerNormEps: raw.layer_norm_eps,
    });
  });

  it('loads pytorch_model.bin to identical weights (restricted pickle, legacy names mapped)', async () => {
    const fromBin = await loadPretrained(folder(dir), { prefer: 'hf-bin' });
    expect(fromBin.format).toBe('hf-bin');
    expectSameWeights(fromBin.weights, bertOnly);
    // tiny-odd's .bin stores the legacy LayerNorm.gamma/.beta names; skipped lists stored names.
    const legacy = dir === 'tiny-odd';
    const stored = cls.map((c) => (legacy ? c.replace(/LayerNorm\.weight$/, 'LayerNorm.gamma').replace(/LayerNorm\.bias$/, 'LayerNorm.beta') : c));
    expect(fromBin.skipped.sort()).toEqual(stored.sort().map((c) => `${c} (pre-training head)`));
    expect(fromBin.config).toEqual(fromSt.config);
  });

  it('picks the .bin when it is the only weights file', async () => {
    const r = await loadPretrained(folder(dir, { only: ['config.json', 'pytorch_model.bin'] }));
    expect(r.format).toBe('hf-bin');
  });

  it('merges heads.safetensors: classifier.* and qa_outputs.* as stored', async () => {
    const heads = readSafetensors(readSharedBytes('fixtures/model', dir, 'heads.safetensors')).tensors;
    const r = await loadPretrained(folder(dir, { only: MODEL_FILES }), { extraWeights: [nodeFileSource(sharedPath('fixtures/model', dir, 'heads.safetensors'))] });
    expectSameWeights(r.weights, new Map([...bertOnly, ...heads]));
  });

  it('names the tensor and both shapes when the config disagrees', async () => {
    const raw = JSON.parse(readShared('fixtures/model', dir, 'config.json'));
    const bad = JSON.stringify({ ...raw, intermediate_size: raw.intermediate_size + 4 });
    const e = await errorOf(loadPretrained(folder(dir, { only: MODEL_FILES, replace: { 'config.json': bad } })));
    expect(e.location).toBe('tensor bert.encoder.layer.0.intermediate.dense.weight');
    expect(e.message).toContain(`has shape [${raw.intermediate_size},${raw.hidden_size}]`);
    expect(e.message).toContain(`needs [${raw.intermediate_size + 4},${raw.hidden_size}]`);
    expect(e.file).toBe('model.safetensors');
  });
});

describe('loadPretrained: Google checkpoint (tiny-odd/google)', () => {
  const google = () => folder('tiny-odd/google');
  it('gives the same weights as model.safetensors + heads.safetensors, with Google config semantics', async () => {
    const g = await loadPretrained(google());
    const hf = await loadPretrained(folder('tiny-odd', { only: MODEL_FILES }), { extraWeights: [nodeFileSource(sharedPath('fixtures/model/tiny-odd/heads.safetensors'))] });
    expect(g.format).toBe('google-ckpt');
    // Kernels transposed to [out, in]; output_weights and cls/squad/output_weights kept as [L, H].
    expectSameWeights(g.weights, hf.weights);
    expect(g.config).toEqual(hf.config);
    expect(g.config.hiddenAct).toBe('gelu_tanh');
    expect(g.notes).toContain('hidden_act gelu (Google) runs as tanh approximation');
    expect(g.rawConfig).toEqual(JSON.parse(readShared('fixtures/model/tiny-odd/google/bert_config.json')));
    expect(g.skipped.sort()).toEqual(['bert/embeddings/LayerNorm/beta/adam_m (optimizer slot)', 'bert/embeddings/LayerNorm/beta/adam_v (optimizer slot)']);
  });

  it('takes a whole Google download folder (.meta ignored, vocab read) and picks the checkpoint the checkpoint file names', async () => {
    const dir = 'fixtures/model/tiny-odd/google';
    const idx = readSharedBytes(dir, 'bert_model.ckpt.index');
    const data = readSharedBytes(dir, 'bert_model.ckpt.data-00000-of-00001');
    const vocab = readShared('fixtures/vocab/bert-base-uncased.txt');
    const files = [
      bytesSource(readSharedBytes(dir, 'bert_config.json'), 'bert_config.json'),
      bytesSource(new Uint8Array([10, 20, 30]), 'model.ckpt-100.meta'),
      bytesSource(new TextEncoder().encode(vocab), 'vocab.txt'),
      ...['100', '200'].flatMap((step) => [bytesSource(idx, `model.ckpt-${step}.index`), bytesSource(data, `model.ckpt-${step}.data-00000-of-00001`)]),
    ];
    const latest = await loadPretrained(files);
    expect(latest.notes).toContain('2 checkpoints found; using model.ckpt-200 (highest step)');
    expect(latest.vocabText).toBe(vocab);
    const named = await loadPretrained([...files, bytesSource(new TextEncoder().encode('model_checkpoint_path: "model.ckpt-100"\nall_model_checkpoint_paths: "model.ckpt-100"\n'), 'checkpoint')]);
    expect(named.notes).toContain("2 checkpoints found; using model.ckpt-100 (named in the 'checkpoint' file)");
    expect(named.weights.size).toBe(59);
  });

  it('reports a missing shard by name', async () => {
    const e = await errorOf(loadPretrained(folder('tiny-odd/google', { drop: ['bert_model.ckpt.data-00000-of-00001'] })));
    expect(e.message).toContain('bert_model.ckpt.data-00000-of-00001 is missing');
    expect(e.file).toBe('bert_model.ckpt.index');
  });

  it('reports a data shard without its index', async () => {
    const e = await errorOf(loadPretrained(folder('tiny-odd/google', { drop: ['bert_model.ckpt.index'] })));
    expect(e.message).toContain('has no bert_model.ckpt.index beside it');
  });

  it('names the Google tensor and both shapes when bert_config.json disagrees', async () => {
    const raw = JSON.parse(readShared('fixtures/model/tiny-odd/google/bert_config.json'));
    const e = await errorOf(loadPretrained(folder('tiny-odd/google', { replace: { 'bert_config.json': JSON.stringify({ ...raw, intermediate_size: 50 }) } })));
    expect(e.location).toBe('tensor bert/encoder/layer_0/intermediate/dense/kernel');
    expect(e.message).toContain('has shape [48,24] after transposing the stored [24,48] but bert_config.json needs [50,24]');
  });
});

describe('loadPretrained: bad input', () => {
  const st = readSafetensors(readSharedBytes('fixtures/model/tiny-odd/model.safetensors')).tensors;
  it('names missing required weights', async () => {
    const less = new Map(st);
    less.delete('bert.encoder.layer.2.output.LayerNorm.bias');
    const e = await errorOf(loadPretrained(folder('tiny-odd', { only: ['config.json', 'model.safetensors'], replace: { 'model.safetensors': writeSafetensors(less) } })));
    expect(e.message).toContain('1 required weight is missing: bert.encoder.layer.2.output.LayerNorm.bias');
  });

  it('accepts a checkpoint without the pooler (BertForQuestionAnswering) with a note', async () => {
    const less = new Map([...st].filter(([k]) => !k.startsWith('bert.pooler')));
    const r = await loadPretrained(folder('tiny-odd', { only: ['config.json', 'model.safetensors'], replace: { 'model.safetensors': writeSafetensors(less) } }));
    expect(r.weights.has('bert.pooler.dense.weight')).toBe(false);
    expect(r.notes).toContain('bert.pooler.dense.weight not in the checkpoint: the model initialises it');
  });

  it('maps names without the bert. prefix and refuses integer weights', async () => {
    const bare = new Map([...st].filter(([k]) => k.startsWith('bert.')).map(([k, v]) => [k.slice(5), v]));
    const r = await loadPretrained(folder('tiny-odd', { only: ['config.json', 'model.safetensors'], replace: { 'model.safetensors': writeSafetensors(bare) } }));
    expect([...r.weights.keys()].sort()).toEqual([...st.keys()].filter((k) => k.startsWith('bert.')).sort());
    const ints = new Map(st);
    const w = st.get('bert.pooler.dense.bias')!;
    ints.set('bert.pooler.dense.bias', { dtype: 'int32', shape: w.shape, data: new Int32Array(w.data.length) });
    const e = await errorOf(loadPretrained(folder('tiny-odd', { only: ['config.json', 'model.safetensors'], replace: { 'model.safetensors': writeSafetensors(ints) } })));
    expect(e.location).toBe('tensor bert.pooler.dense.bias');
    expect(e.message).toContain('has dtype I32');
  });

  it('reads do_lower_case from tokenizer_config.json, else from tokenizer.json', async () => {
    const files = folder('tiny-odd', { only: ['config.json', 'model.safetensors'] });
    const withCfg = await loadPretrained([...files, bytesSource(new TextEncoder().encode('{"do_lower_case": false}'), 'tokenizer_config.json')]);
    expect(withCfg.doLowerCase).toBe(false);
    expect(withCfg.notes).toContain('do_lower_case false (from tokenizer_config.json)');
    const tok = JSON.stringify({ model: { type: 'WordPiece', vocab: { '[UNK]': 0 } }, normalizer: { type: 'BertNormalizer', lowercase: true } });
    const withTok = await loadPretrained([...files, bytesSource(new TextEncoder().encode(tok), 'tokenizer.json')]);
    expect(withTok.doLowerCase).toBe(true);
    expect(withTok.tokenizerJson).toEqual(JSON.parse(tok));
    expect((await loadPretrained(files)).doLowerCase).toBeUndefined();
  });

  it('explains that a TensorFlow 2 object-based checkpoint is not a google-research/bert one', async () => {
    const dir = 'fixtures/tf-checkpoint/half_plus_two_tf2_cpu';
    const e = await errorOf(loadPretrained([
      bytesSource(new TextEncoder().encode(readShared('fixtures/model/tiny-odd/google/bert_config.json')), 'bert_config.json'),
      bytesSource(readSharedBytes(dir, 'variables.index'), 'variables.index'),
      bytesSource(readSharedBytes(dir, 'variables.data-00000-of-00001'), 'variables.data-00000-of-00001'),
    ]));
    expect(e.message).toContain('variables.index: is a TensorFlow 2 object-based checkpoint');
  });

  it('widens BF16 weights to float32', async () => {
    // A BF16 safetensors file written by hand: the upper 16 bits of each float32.
    const names = [...st.keys()].sort();
    const header: Record<string, unknown> = {};
    let off = 0;
    for (const n of names) {
      const t = st.get(n)!;
      header[n] = { dtype: 'BF16', shape: t.shape, data_offsets: [off, off + t.data.length * 2] };
      off += t.data.length * 2;
    }
    const json = new TextEncoder().encode(JSON.stringify(header));
    const file = new Uint8Array(8 + json.byteLength + off);
    new DataView(file.buffer).setBigUint64(0, BigInt(json.byteLength), true);
    file.set(json, 8);
    const dv = new DataView(file.buffer);
    let p = 8 + json.byteLength;
    const expected = new Map<string, LoadedTensor>();
    for (const n of names) {
      const t = st.get(n)!;
      const bits = new Uint32Array(Float32Array.from(t.data).buffer);
      for (let i = 0; i < bits.length; i++, p += 2) dv.setUint16(p, bits[i] >>> 16, true);
      expected.set(n, { dtype: 'float32', shape: t.shape, data: new Float32Array(bits.map((b) => b & 0xffff0000).buffer) });
    }
    const r = await loadPretrained(folder('tiny-odd', { only: ['config.json', 'model.safetensors'], replace: { 'model.safetensors': file } }));
    expectSameWeights(r.weights, new Map([...expected].filter(([k]) => k.startsWith('bert.'))));
  });

  it('needs a config and some weights', async () => {
    expect((await errorOf(loadPretrained(folder('tiny-odd', { only: ['model.safetensors'] })))).message).toContain('no model config');
    expect((await errorOf(loadPretrained(folder('tiny-odd', { only: ['config.json'] })))).message).toContain('no model weights');
  });

  it('refuses a head with a weight and no bias, or a wrong width', async () => {
    const heads = readSafetensors(readSharedBytes('fixtures/model/tiny-odd/heads.safetensors')).tensors;
    const onlyW = new Map([['classifier.weight', heads.get('classifier.weight')!]]);
    const e = await errorOf(loadPretrained(folder('tiny-odd', { only: MODEL_FILES }), { extraWeights: [bytesSource(writeSafetensors(onlyW), 'heads.safetensors')] }));
    expect(e.message).toContain('classifier has a weight but no bias');
    const wide = new Map([['qa_outputs.weight', { dtype: 'float32' as const, shape: [3, 24], data: new Float32Array(72) }], ['qa_outputs.bias', heads.get('qa_outputs.bias')!]]);
    const e2 = await errorOf(loadPretrained(folder('tiny-odd', { only: MODEL_FILES }), { extraWeights: [bytesSource(writeSafetensors(wide), 'heads.safetensors')] }));
    expect(e2.message).toContain('has shape [3,24] but hidden_size 24 and start/end needs [2,24]');
  });
});
