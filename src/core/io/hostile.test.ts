/**
 * Hostile model files (issue 13, section 3), crafted here: every declared size is checked
 * against the file before anything is allocated, and internal errors become TabtuneErrors
 * naming the file and the item.
 */
import '@tensorflow/tfjs-backend-cpu';
import { describe, expect, it } from 'vitest';
import { TabtuneError } from '../errors';
import { readSharedBytes, readShared } from '../../testing/shared';
import { PickleBuilder, torchZip } from '../../testing/crafted';
import { parseBertConfig, CONFIG_LIMITS } from './config';
import { readRestrictedPickle } from './pickle';
import { bytesSource, parseSafetensorsHeader, readSafetensors, writeSafetensors } from './safetensors';
import { snappyUncompress, SnappyError } from './snappy';
import { listTorchBin } from './torch-bin';
import { openZip } from './zip-reader';
import { loadPretrained } from './load-pretrained';
import { MAX_VOCAB_TOKENS, parseVocab } from '../tokenizer/vocab';
import { disposeBatch, toDeviceBatch } from '../model/batch';
import type { HostBatch } from '../model/types';

async function rejects(p: Promise<unknown> | (() => unknown)): Promise<TabtuneError> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    expect(e).toBeInstanceOf(TabtuneError);
    return e as TabtuneError;
  }
  throw new Error('expected a TabtuneError, nothing was thrown');
}

describe('allocation before validation', () => {
  it('a config with num_hidden_layers 1e9 is refused at the key', async () => {
    const raw = JSON.parse(readShared('fixtures/model/tiny-odd/config.json'));
    const e = await rejects(() => parseBertConfig(JSON.stringify({ ...raw, num_hidden_layers: 1e9 }), 'config.json'));
    expect(e).toMatchObject({ file: 'config.json', location: 'num_hidden_layers', code: 'config-limit' });
    expect(e.message).toContain(`at most ${CONFIG_LIMITS.num_hidden_layers}`);
    for (const key of Object.keys(CONFIG_LIMITS)) {
      const big = await rejects(() => parseBertConfig(JSON.stringify({ ...raw, [key]: CONFIG_LIMITS[key] * 4 }), 'bert_config.json'));
      expect(big).toMatchObject({ file: 'bert_config.json', location: key });
    }
  });

  it('a stride-0 view declaring a huge shape in a .bin is refused before decoding', async () => {
    const pkl = new PickleBuilder().op(0x7d).str('bert.embeddings.word_embeddings.weight').tensor('0', 4, 0, [100000, 100000], [0, 0]).op(0x73).bytes();
    const bin = torchZip(pkl, { '0': new Uint8Array(16) });
    const e = await rejects(listTorchBin(bytesSource(bin, 'pytorch_model.bin')));
    expect(e).toMatchObject({ file: 'pytorch_model.bin', location: 'tensor bert.embeddings.word_embeddings.weight', code: 'torch-storage' });
    expect(e.message).toContain('40000000000 bytes');
  });

  it('a zip bomb inside a .bin is refused from its declared size, before inflating', async () => {
    const zeros = new Uint8Array(4 << 20);
    const pkl = new PickleBuilder().op(0x7d).str('w').tensor('0', zeros.length / 4, 0, [zeros.length / 4], [1]).op(0x73).bytes();
    const bin = torchZip(pkl, { '0': zeros }, 9);
    expect(bin.byteLength).toBeLessThan(64 * 1024); // ~1000:1
    const e = await rejects(openZip(bytesSource(bin, 'pytorch_model.bin')));
    expect(e).toMatchObject({ file: 'pytorch_model.bin', code: 'zip-format' });
    expect(e.message).toContain('entry archive/data/0 would inflate');
    // A small deflated entry (a re-zipped checkpoint) still reads.
    const small = torchZip(pkl.slice(), { '0': new Uint8Array(4096) }, 9);
    expect((await openZip(bytesSource(small, 'ok.bin'))).entries.size).toBe(2);
  });

  it('a Snappy block declaring 34 GB is refused before allocating', () => {
    // varint 34e9, then one literal byte
    const len = 34e9;
    const v: number[] = [];
    for (let x = len; ; ) {
      const b = x % 128;
      x = Math.floor(x / 128);
      if (x === 0) { v.push(b); break; }
      v.push(b | 0x80);
    }
    expect(() => snappyUncompress(new Uint8Array([...v, 0x00, 0x41]))).toThrow(SnappyError);
    expect(() => snappyUncompress(new Uint8Array([...v, 0x00, 0x41]))).toThrow(/declared length 34000000000 cannot come from 7 compressed bytes/);
  });
});

describe('internal errors become messages', () => {
  it('300k APPENDS and 300k-deep nesting in a pickle parse without overflowing the stack', async () => {
    const appends = new PickleBuilder().op(0x5d).mark();
    for (let i = 0; i < 300_000; i++) appends.op(0x4b, 1);
    const list = readRestrictedPickle(appends.op(0x65).bytes(), 'data.pkl');
    expect(Array.isArray(list) && list.length).toBe(300_000);

    // A state dict whose key is a 300k-deep list: skipped by type, never stringified.
    const deep = new PickleBuilder().op(0x7d);
    for (let i = 0; i < 300_000; i++) deep.op(0x5d);
    for (let i = 0; i < 299_999; i++) deep.op(0x61);
    deep.int(1).op(0x73);
    const bin = torchZip(deep.bytes(), {});
    const listed = await listTorchBin(bytesSource(bin, 'pytorch_model.bin'));
    expect(listed.tensors).toEqual([]);
    expect(listed.skipped).toEqual(['a list key (state dict keys are strings)']);
  });
});

describe('accepted silently before, refused now', () => {
  it('overlapping safetensors offsets', async () => {
    const header = JSON.stringify({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] } });
    const h = new TextEncoder().encode(header);
    const file = new Uint8Array(8 + h.length + 12);
    new DataView(file.buffer).setBigUint64(0, BigInt(h.length), true);
    file.set(h, 8);
    const e = await rejects(() => parseSafetensorsHeader(file, file.byteLength, 'model.safetensors'));
    expect(e).toMatchObject({ file: 'model.safetensors', location: 'tensor b', code: 'safetensors-overlap' });
    expect(e.message).toContain('overlaps tensor a [0, 8)');
  });

  it('NaN or Inf in a weight is refused, naming the tensor and the element', async () => {
    const { tensors } = readSafetensors(readSharedBytes('fixtures/model/tiny-odd/model.safetensors'));
    const name = 'bert.encoder.layer.1.attention.self.value.weight';
    for (const bad of [NaN, Infinity]) {
      const copy = new Map(tensors);
      const t = tensors.get(name)!;
      const data = Float32Array.from(t.data);
      data[7] = bad;
      copy.set(name, { ...t, data });
      const e = await rejects(loadPretrained([
        bytesSource(readSharedBytes('fixtures/model/tiny-odd/config.json'), 'config.json'),
        bytesSource(writeSafetensors(copy), 'model.safetensors'),
      ]));
      expect(e).toMatchObject({ file: 'model.safetensors', location: `tensor ${name}`, code: 'weights-not-finite' });
      expect(e.message).toContain(`holds ${bad} at element 7`);
    }
  });
});

describe('vocabularies', () => {
  it('a 10-million-line vocabulary is refused before its table is built', async () => {
    const e = await rejects(() => parseVocab('[CLS]\n[SEP]\n[UNK]\n' + 'x\n'.repeat(10_000_000), 'vocab.txt'));
    expect(e).toMatchObject({ file: 'vocab.txt', code: 'vocab-size', location: `line ${MAX_VOCAB_TOKENS + 1}` });
  });

  it('a duplicate token is refused, naming both lines', async () => {
    const e = await rejects(() => parseVocab('[PAD]\n[CLS]\n[SEP]\n[UNK]\nhello\nworld\nhello\n', 'vocab.txt'));
    expect(e).toMatchObject({ file: 'vocab.txt', location: 'line 7', code: 'vocab-duplicate' });
    expect(e.message).toContain('"hello" is on line 5 and again on line 7');
  });
});

describe('ids outside the model are refused before tfjs sees them', () => {
  const limits = { vocabSize: 100, typeVocabSize: 2, maxPositions: 8, numLabels: 3 };
  const host = (patch: Partial<HostBatch> = {}): HostBatch => ({
    batchSize: 2, seqLength: 4,
    inputIds: Int32Array.from([101, 5, 6, 102, 101, 7, 102, 0]).map((x) => x % 100),
    tokenTypeIds: new Int32Array(8), attentionMask: new Int32Array(8).fill(1),
    labels: Int32Array.from([0, 2]),
    ...patch,
  });

  it('input ids, token types, labels and span positions', async () => {
    const ids = host().inputIds.slice();
    ids[6] = 100;
    const e1 = await rejects(() => toDeviceBatch(host({ inputIds: ids }), limits));
    expect(e1).toMatchObject({ location: 'input_ids, example 1, position 2', code: 'batch-range' });
    const types = new Int32Array(8);
    types[3] = 2;
    const e2 = await rejects(() => toDeviceBatch(host({ tokenTypeIds: types }), limits));
    expect(e2).toMatchObject({ location: 'token_type_ids, example 0, position 3', code: 'batch-range' });
    const e3 = await rejects(() => toDeviceBatch(host({ labels: Int32Array.from([0, 3]) }), limits));
    expect(e3).toMatchObject({ location: 'labels, example 1', code: 'batch-range' });
    expect(e3.message).toContain("outside the head's 3 classes");
    const e4 = await rejects(() => toDeviceBatch(host({ labels: undefined, startPositions: Int32Array.from([0, -1]), endPositions: Int32Array.from([1, 1]) }), limits));
    expect(e4).toMatchObject({ location: 'start_positions, example 1' });
    const e5 = await rejects(() => toDeviceBatch({ ...host(), seqLength: 16, batchSize: 1, inputIds: new Int32Array(16), tokenTypeIds: new Int32Array(16), attentionMask: new Int32Array(16), labels: undefined }, limits));
    expect(e5.message).toContain("longer than the model's 8 positions");
  });

  it('a well-formed batch still becomes tensors', () => {
    const b = toDeviceBatch(host(), limits);
    expect(b.inputIds.shape).toEqual([2, 4]);
    disposeBatch(b);
  });
});
