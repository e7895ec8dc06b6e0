import { describe, expect, it } from 'vitest';
import { listTfBundle } from './tf-bundle';
import { readTable } from './tf-table';
import { writeTfBundle } from './tf-bundle-writer';
import { loadPretrained } from './load-pretrained';
import { bytesSource, type ByteSource } from './safetensors';
import { readShared, readSharedBytes } from '../../testing/shared';
import { TabtuneError } from '../errors';

interface Expected {
  index_block_compression: 'none' | 'snappy';
  tensors: Record<string, number[]>;
  shapes: Record<string, number[]>;
  non_float_entries?: Record<string, string>;
}
const EXPECTED = JSON.parse(readShared('fixtures/tf-checkpoint/expected.json')) as Record<string, Expected>;
const SHARD = 'variables.data-00000-of-00001';

function ckpt(dir: string, edit: { index?: (b: Uint8Array) => Uint8Array; data?: (b: Uint8Array) => Uint8Array } = {}): { index: ByteSource; shards: ByteSource[] } {
  const index = readSharedBytes('fixtures/tf-checkpoint', dir, 'variables.index').slice();
  const data = readSharedBytes('fixtures/tf-checkpoint', dir, SHARD).slice();
  return {
    index: bytesSource(edit.index ? edit.index(index) : index, 'variables.index'),
    shards: [bytesSource(edit.data ? edit.data(data) : data, SHARD)],
  };
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

describe('TensorFlow tensor bundle: the four fixture checkpoints', () => {
  expect(Object.keys(EXPECTED).sort()).toEqual(['counter', 'half_plus_two_cpu', 'half_plus_two_mkl', 'half_plus_two_tf2_cpu']);
  it.each(Object.keys(EXPECTED))('%s matches expected.json', async (dir) => {
    const want = EXPECTED[dir];
    const { index, shards } = ckpt(dir);
    const bundle = await listTfBundle(index, shards);
    expect(bundle.compression).toBe(want.index_block_compression);
    expect(bundle.header.numShards).toBe(1);
    expect(bundle.tensors.map((t) => t.name).sort()).toEqual(Object.keys(want.tensors).sort());
    for (const t of bundle.tensors) {
      expect(t.shape, t.name).toEqual(want.shapes[t.name]);
      const loaded = await t.read();
      expect(loaded.dtype).toBe('float32');
      expect(loaded.shape).toEqual(want.shapes[t.name]);
      expect(Array.from(loaded.data), t.name).toEqual(want.tensors[t.name].map(Math.fround));
    }
    const nonFloat = Object.keys(want.non_float_entries ?? {});
    expect(bundle.skipped.map((s) => s.split(' ')[0]).sort()).toEqual(nonFloat.sort());
    for (const name of nonFloat) {
      const e = bundle.entries.find((x) => x.name === name)!;
      expect(want.non_float_entries![name]).toContain(`${e.size} bytes at offset ${e.offset}`);
      expect(bundle.skipped.find((s) => s.startsWith(name))).toContain('DT_STRING scalar');
    }
  });

  it('reads the tiny-odd Google checkpoint spread over several data blocks', () => {
    const t = readTable(readSharedBytes('fixtures/model/tiny-odd/google/bert_model.ckpt.index'), 'bert_model.ckpt.index');
    expect(t.dataBlocks).toBeGreaterThan(1);
    expect(t.entries.map((e) => e.key)).toEqual([...t.entries.map((e) => e.key)].sort());
  });
});

describe('TensorFlow tensor bundle: bad input', () => {
  it('refuses a truncated .index', async () => {
    const e = await errorOf(listTfBundle(...Object.values(ckpt('half_plus_two_mkl', { index: (b) => b.subarray(0, b.byteLength - 7) })) as [ByteSource, ByteSource[]]));
    expect(e.message).toContain('variables.index, footer: footer magic');
    expect(e.message).toContain('truncated');
    const short = await errorOf(listTfBundle(...Object.values(ckpt('counter', { index: (b) => b.subarray(0, 40) })) as [ByteSource, ByteSource[]]));
    expect(short.message).toContain('shorter than the 48-byte table footer');
  });

  it('refuses a wrong magic', async () => {
    const e = await errorOf(listTfBundle(...Object.values(ckpt('counter', { index: (b) => { b[b.byteLength - 1] ^= 0xff; return b; } })) as [ByteSource, ByteSource[]]));
    expect(e.message).toMatch(/footer magic is 0x24[0-9a-f]+, not 0xdb4775248b80fb57/);
    expect(e.file).toBe('variables.index');
  });

  it.each(['half_plus_two_mkl', 'half_plus_two_cpu'])('refuses an index block whose CRC does not match (%s)', async (dir) => {
    const e = await errorOf(listTfBundle(...Object.values(ckpt(dir, { index: (b) => { b[3] ^= 0x01; return b; } })) as [ByteSource, ByteSource[]]));
    expect(e.message).toContain('variables.index, data block at byte 0: fails its CRC-32C check');
    expect(e.message).toContain('corrupt');
  });

  it('refuses tensor bytes whose CRC does not match, naming file and tensor', async () => {
    const { index, shards } = ckpt('half_plus_two_mkl', { data: (b) => { b[17] ^= 0x40; return b; } });
    const bundle = await listTfBundle(index, shards);
    await expect(bundle.tensors.find((t) => t.name === 'a')!.read()).resolves.toBeTruthy();
    const e = await errorOf(bundle.tensors.find((t) => t.name === 'conv2d/kernel')!.read());
    expect(e.file).toBe(SHARD);
    expect(e.location).toBe('tensor conv2d/kernel');
    expect(e.message).toContain('fails its CRC-32C check');
  });

  it('refuses an entry whose bytes run past the end of its shard', async () => {
    const e = await errorOf(listTfBundle(...Object.values(ckpt('half_plus_two_mkl', { data: (b) => b.subarray(0, 30) })) as [ByteSource, ByteSource[]]));
    expect(e.file).toBe(SHARD);
    expect(e.location).toBe('tensor conv2d_2/bias');
    expect(e.message).toContain('bytes [28, 32) run past the end of variables.data-00000-of-00001 (30 bytes)');
  });

  it('names a missing shard', async () => {
    const { index } = ckpt('counter');
    const e = await errorOf(listTfBundle(index, []));
    expect(e.message).toContain('data shard variables.data-00000-of-00001 is missing');
    expect(e.location).toBe('shard 1 of 1');
  });

  it('loads nothing from a Google BERT checkpoint with one corrupt tensor', async () => {
    const dir = 'fixtures/model/tiny-odd/google';
    const index = readSharedBytes(dir, 'bert_model.ckpt.index');
    const data = readSharedBytes(dir, 'bert_model.ckpt.data-00000-of-00001').slice();
    const bundle = await listTfBundle(bytesSource(index, 'bert_model.ckpt.index'), [bytesSource(data, 'bert_model.ckpt.data-00000-of-00001')]);
    const target = bundle.entries.find((e) => e.name === 'bert/encoder/layer_1/output/dense/kernel')!;
    data[target.offset + 5] ^= 0x10;
    const files = [
      bytesSource(new TextEncoder().encode(readShared(dir, 'bert_config.json')), 'bert_config.json'),
      bytesSource(index, 'bert_model.ckpt.index'),
      bytesSource(data, 'bert_model.ckpt.data-00000-of-00001'),
    ];
    const e = await errorOf(loadPretrained(files));
    expect(e.message).toBe('bert_model.ckpt.data-00000-of-00001, tensor bert/encoder/layer_1/output/dense/kernel: ' + e.message.split('kernel: ')[1]);
    expect(e.code).toBe('tf-crc');
  });
});

describe('TensorFlow tensor bundle: several shards', async () => {
  const dir = 'fixtures/model/tiny-odd/google';
  const original = await listTfBundle(bytesSource(readSharedBytes(dir, 'bert_model.ckpt.index'), 'bert_model.ckpt.index'),
    [bytesSource(readSharedBytes(dir, 'bert_model.ckpt.data-00000-of-00001'), 'bert_model.ckpt.data-00000-of-00001')]);
  const tensors = new Map(await Promise.all(original.tensors.map(async (t) => [t.name, await t.read()] as const)));
  const written = writeTfBundle(tensors, { numShards: 3, entriesPerBlock: 5 });
  const files = (drop?: number) => [
    bytesSource(new TextEncoder().encode(readShared(dir, 'bert_config.json')), 'bert_config.json'),
    bytesSource(written.index, 'model.ckpt-12.index'),
    ...written.shards.map((s, k) => bytesSource(s, `model.ckpt-12.data-0000${k}-of-00003`)).filter((_, k) => k !== drop),
  ];

  it('reads a checkpoint spread over three shards and many blocks to the same weights', async () => {
    expect(readTable(written.index, 'x.index').dataBlocks).toBe(Math.ceil((tensors.size + 1) / 5));
    const fromShards = await loadPretrained(files());
    const fromFixture = await loadPretrained([bytesSource(readSharedBytes(dir, 'bert_config.json'), 'bert_config.json'),
      bytesSource(readSharedBytes(dir, 'bert_model.ckpt.index'), 'bert_model.ckpt.index'),
      bytesSource(readSharedBytes(dir, 'bert_model.ckpt.data-00000-of-00001'), 'bert_model.ckpt.data-00000-of-00001')]);
    expect([...fromShards.weights.keys()].sort()).toEqual([...fromFixture.weights.keys()].sort());
    for (const [k, t] of fromFixture.weights) expect(Array.from(fromShards.weights.get(k)!.data), k).toEqual(Array.from(t.data));
  });

  it('names the missing shard (2 of 3)', async () => {
    const e = await errorOf(loadPretrained(files(1)));
    expect(e.message).toBe('model.ckpt-12.index, shard 2 of 3: data shard model.ckpt-12.data-00001-of-00003 is missing (expected model.ckpt-12.data-00001-of-00003 beside model.ckpt-12.index)');
  });
});
