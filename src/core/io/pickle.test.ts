import { describe, expect, it } from 'vitest';
import { zipSync } from 'fflate';
import { readRestrictedPickle, type TensorRef } from './pickle';
import { listTorchBin } from './torch-bin';
import { detectModelFile } from './detect';
import { bytesSource } from './safetensors';
import { TabtuneError } from '../errors';

/** A few protocol-2 opcodes, enough to hand-build test pickles. */
const P = {
  proto: [0x80, 2],
  global: (m: string, n: string) => [0x63, ...new TextEncoder().encode(`${m}\n${n}\n`)],
  str: (s: string) => { const b = new TextEncoder().encode(s); return [0x58, b.length & 0xff, (b.length >> 8) & 0xff, 0, 0, ...b]; },
  int: (n: number) => [0x4a, n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, (n >>> 24) & 0xff],
  mark: [0x28], tuple: [0x74], emptyTuple: [0x29], emptyDict: [0x7d], reduce: [0x52], setitems: [0x75], setitem: [0x73],
  binpersid: [0x51], newfalse: [0x89], stop: [0x2e], none: [0x4e], build: [0x62],
};
const pk = (...parts: number[][]) => new Uint8Array(parts.flat());

function tensorPickle(entries: { name: string; key: string; numel: number; offset: number; shape: number[]; stride: number[] }[], storage = 'FloatStorage', legacy = false): Uint8Array {
  const parts: number[][] = [P.proto, P.global('collections', 'OrderedDict'), P.emptyTuple, P.reduce, P.mark];
  for (const e of entries) {
    parts.push(P.str(e.name), P.global('torch._utils', '_rebuild_tensor_v2'), P.mark,
      P.mark, P.str('storage'), P.global('torch', storage), P.str(e.key), P.str('cpu'), P.int(e.numel), legacy ? P.none : [], P.tuple, P.binpersid,
      P.int(e.offset), P.mark, ...e.shape.map(P.int), P.tuple, P.mark, ...e.stride.map(P.int), P.tuple,
      P.newfalse, P.global('collections', 'OrderedDict'), P.emptyTuple, P.reduce, P.tuple, P.reduce);
  }
  // Hugging Face state dicts end with BUILD setting `_metadata` on the OrderedDict.
  parts.push(P.setitems, P.emptyDict, P.str('_metadata'), P.none, P.setitem, P.build, P.stop);
  return pk(...parts);
}

describe('restricted pickle reader', () => {
  it('refuses a GLOBAL of os.system before anything runs', () => {
    const evil = pk(P.proto, P.global('os', 'system'), P.mark, P.str('echo pwned'), P.tuple, P.reduce, P.stop);
    let err: unknown;
    try { readRestrictedPickle(evil, 'evil.pkl'); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(TabtuneError);
    expect((err as TabtuneError).message).toContain('refuses global os.system');
    expect((err as TabtuneError).code).toBe('pickle-global');
    expect((err as TabtuneError).file).toBe('evil.pkl');
  });

  it('refuses builtins.eval via STACK_GLOBAL and unknown opcodes (INST, OBJ)', () => {
    const sg = pk(P.proto, [0x8c, 8, ...new TextEncoder().encode('builtins')], [0x8c, 4, ...new TextEncoder().encode('eval')], [0x93], P.stop);
    expect(() => readRestrictedPickle(sg)).toThrow(/refuses global builtins\.eval/);
    expect(() => readRestrictedPickle(pk(P.proto, [0x69], P.stop))).toThrow(/refuses pickle opcode 0x69/);
    expect(() => readRestrictedPickle(pk(P.proto, P.mark, [0x6f], P.stop))).toThrow(/refuses pickle opcode 0x6f/);
  });

  it('refuses a truncated pickle', () => {
    expect(() => readRestrictedPickle(pk(P.proto, P.emptyDict))).toThrow(/ends without STOP/);
    expect(() => readRestrictedPickle(pk(P.proto, [0x58, 200, 0, 0, 0, 65]))).toThrow(/ends in the middle of an opcode/);
  });

  it('reads a state dict of tensor views', () => {
    const v = readRestrictedPickle(tensorPickle([{ name: 'w', key: '0', numel: 6, offset: 0, shape: [2, 3], stride: [3, 1] }]));
    expect(v).toBeInstanceOf(Map);
    const t = (v as Map<string, TensorRef>).get('w')!;
    expect(t).toEqual({ kind: 'tensor', storage: { kind: 'storage', dtype: 'F32', key: '0', location: 'cpu', numel: 6 }, offset: 0, shape: [2, 3], stride: [3, 1] });
  });
});

describe('torch zip checkpoint', () => {
  const storage = new Float32Array([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  const make = (entries: Parameters<typeof tensorPickle>[0], dtype = 'FloatStorage', data: Uint8Array = new Uint8Array(storage.buffer)) =>
    bytesSource(zipSync({ 'archive/data.pkl': tensorPickle(entries, dtype), 'archive/data/0': data, 'archive/version': new TextEncoder().encode('3\n') }, { level: 0 }), 'pytorch_model.bin');

  it('reads storage offsets and gathers non-contiguous views through their strides', async () => {
    const ck = await listTorchBin(make([
      { name: 'contig', key: '0', numel: 12, offset: 2, shape: [2, 3], stride: [3, 1] },
      { name: 'transposed', key: '0', numel: 12, offset: 0, shape: [3, 2], stride: [1, 3] },
      { name: 'strided', key: '0', numel: 12, offset: 1, shape: [2, 2], stride: [6, 2] },
    ]));
    const read = async (n: string) => Array.from((await ck.tensors.find((t) => t.name === n)!.read()).data);
    expect(await read('contig')).toEqual([2, 3, 4, 5, 6, 7]);
    expect(await read('transposed')).toEqual([0, 3, 1, 4, 2, 5]);
    expect(await read('strided')).toEqual([1, 3, 7, 9]);
  });

  it('widens half-precision storages and reads deflated entries', async () => {
    const half = new Uint16Array([0x3c00, 0xc000, 0x3800]); // 1, -2, 0.5
    const zipped = bytesSource(zipSync({ 'm/data.pkl': tensorPickle([{ name: 'h', key: '0', numel: 3, offset: 0, shape: [3], stride: [1] }], 'HalfStorage'), 'm/data/0': new Uint8Array(half.buffer) }, { level: 6 }), 'x.bin');
    const ck = await listTorchBin(zipped);
    expect(ck.tensors[0].dtype).toBe('F16');
    expect(Array.from((await ck.tensors[0].read()).data)).toEqual([1, -2, 0.5]);
  });

  it('refuses a view that runs past its storage, naming the tensor', async () => {
    await expect(listTorchBin(make([{ name: 'big', key: '0', numel: 12, offset: 4, shape: [3, 3], stride: [3, 1] }]))).rejects.toThrow(
      'pytorch_model.bin, tensor big: view [offset 4, size [3,3], stride [3,1]] runs past its storage of 12 elements',
    );
  });

  it('refuses a checkpoint whose pickle calls os.system', async () => {
    const evil = pk(P.proto, P.global('os', 'system'), P.mark, P.str('touch /tmp/pwned'), P.tuple, P.reduce, P.stop);
    const src = bytesSource(zipSync({ 'archive/data.pkl': evil }, { level: 0 }), 'pytorch_model.bin');
    await expect(listTorchBin(src)).rejects.toThrow('pytorch_model.bin/archive/data.pkl, byte 2: refuses global os.system');
  });

  it('refuses a missing storage and a file that is not a zip', async () => {
    await expect(listTorchBin(make([{ name: 'w', key: '7', numel: 1, offset: 0, shape: [1], stride: [1] }]))).rejects.toThrow(/tensor w: storage 7 is missing/);
    await expect(listTorchBin(bytesSource(new Uint8Array(100), 'junk.bin'))).rejects.toThrow(/junk\.bin, last 100 bytes: no end-of-central-directory record/);
  });
});

describe('torch legacy (pre-1.6) checkpoint', () => {
  const MAGIC = [0x8a, 10, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19];
  const int64 = (n: number) => Array.from(new Uint8Array(new BigInt64Array([BigInt(n)]).buffer));
  const floats = (a: number[]) => Array.from(new Uint8Array(new Float32Array(a).buffer));
  function legacyFile(truncate = 0): Uint8Array {
    const main = tensorPickle([
      { name: 'bert.embeddings.LayerNorm.gamma', key: '140', numel: 4, offset: 0, shape: [4], stride: [1] },
      { name: 'w', key: '93', numel: 6, offset: 0, shape: [3, 2], stride: [1, 3] },
    ], 'FloatStorage', true);
    const out = pk(
      P.proto, MAGIC, P.stop,
      P.proto, [0x4d, 0xe9, 0x03], P.stop,
      P.proto, P.emptyDict, P.str('little_endian'), [0x88], P.setitem, P.stop,
      Array.from(main),
      P.proto, [0x5d], P.mark, P.str('140'), P.str('93'), [0x65], P.stop,
      int64(4), floats([1, 2, 3, 4]),
      int64(6), floats([0, 1, 2, 3, 4, 5]),
    );
    return out.subarray(0, out.byteLength - truncate);
  }

  it('reads tensors after the five pickles, storages in key order', async () => {
    const bytes = legacyFile();
    expect(detectModelFile('pytorch_model.bin', bytes.subarray(0, 16)).kind).toBe('pytorch-bin');
    const ck = await listTorchBin(bytesSource(bytes, 'pytorch_model.bin'));
    expect(ck.notes).toEqual(['pytorch_model.bin is in the pre-1.6 PyTorch format']);
    expect(ck.tensors.map((t) => [t.name, t.shape])).toEqual([['bert.embeddings.LayerNorm.gamma', [4]], ['w', [3, 2]]]);
    expect(Array.from((await ck.tensors[0].read()).data)).toEqual([1, 2, 3, 4]);
    expect(Array.from((await ck.tensors[1].read()).data)).toEqual([0, 3, 1, 4, 2, 5]);
  });

  it('refuses a truncated legacy file, naming the storage', async () => {
    await expect(listTorchBin(bytesSource(legacyFile(8), 'old.bin'))).rejects.toThrow(/old\.bin, storage 93: storage 93 holds 6 elements .* ends at byte \d+ of \d+/);
  });
});
