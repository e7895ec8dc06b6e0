/**
 * Writes float32 tensors as a TensorFlow tensor-bundle checkpoint (`.index` + data shards), the
 * inverse of tf-bundle.ts: used by tests (multi-shard checkpoints, corrupted variants) and
 * benchmarks (BERT-Base-sized files). Tensors are assigned to shards round-robin.
 */
import { crc32c, maskCrc } from './crc32c';
import type { LoadedTensor } from './safetensors';

class Bytes {
  private chunks: number[] = [];
  byte(b: number) { this.chunks.push(b & 0xff); return this; }
  varint(v: number) {
    while (v >= 0x80) { this.chunks.push((v % 0x80) | 0x80); v = Math.floor(v / 0x80); }
    this.chunks.push(v);
    return this;
  }
  u32(v: number) { for (let i = 0; i < 4; i++) this.chunks.push((v >>> (8 * i)) & 0xff); return this; }
  raw(b: Uint8Array | number[]) { for (const x of b) this.chunks.push(x); return this; }
  get length() { return this.chunks.length; }
  done() { return Uint8Array.from(this.chunks); }
}

const field = (n: number, wire: number) => n * 8 + wire;

function lenField(out: Bytes, n: number, payload: Uint8Array) {
  out.varint(field(n, 2)).varint(payload.byteLength).raw(payload);
}

function entryProto(shape: number[], shard: number, offset: number, size: number, crc: number): Uint8Array {
  const shapeMsg = new Bytes();
  for (const d of shape) {
    const dim = new Bytes().varint(field(1, 0)).varint(d).done();
    lenField(shapeMsg, 2, dim);
  }
  const e = new Bytes().varint(field(1, 0)).varint(1); // DT_FLOAT
  lenField(e, 2, shapeMsg.done());
  if (shard) e.varint(field(3, 0)).varint(shard);
  if (offset) e.varint(field(4, 0)).varint(offset);
  e.varint(field(5, 0)).varint(size);
  e.varint(field(6, 5)).u32(crc);
  return e.done();
}

function block(entries: { key: Uint8Array; value: Uint8Array }[], restartInterval = 16): Uint8Array {
  const b = new Bytes();
  const restarts: number[] = [];
  let prev: Uint8Array = new Uint8Array(0);
  entries.forEach(({ key, value }, i) => {
    let shared = 0;
    if (i % restartInterval === 0) restarts.push(b.length);
    else while (shared < prev.length && shared < key.length && prev[shared] === key[shared]) shared++;
    b.varint(shared).varint(key.length - shared).varint(value.length).raw(key.subarray(shared)).raw(value);
    prev = key;
  });
  if (!restarts.length) restarts.push(0);
  for (const r of restarts) b.u32(r);
  b.u32(restarts.length);
  return b.done();
}

export interface WrittenBundle {
  index: Uint8Array;
  shards: Uint8Array[];
}

export function writeTfBundle(tensors: Map<string, LoadedTensor>, options: { numShards?: number; entriesPerBlock?: number } = {}): WrittenBundle {
  const numShards = options.numShards ?? 1;
  const perBlock = options.entriesPerBlock ?? 32;
  const enc = new TextEncoder();
  const names = [...tensors.keys()].sort();
  const shardParts: Uint8Array[][] = Array.from({ length: numShards }, () => []);
  const shardSize = new Array<number>(numShards).fill(0);
  const entries: { key: Uint8Array; value: Uint8Array }[] = [];
  const header = new Bytes().varint(field(1, 0)).varint(numShards);
  lenField(header, 3, new Bytes().varint(field(1, 0)).varint(1).done());
  entries.push({ key: new Uint8Array(0), value: header.done() });
  names.forEach((name, i) => {
    const t = tensors.get(name)!;
    const data = new Uint8Array(Float32Array.from(t.data).buffer);
    const shard = i % numShards;
    entries.push({ key: enc.encode(name), value: entryProto(t.shape, shard, shardSize[shard], data.byteLength, maskCrc(crc32c(data))) });
    shardParts[shard].push(data);
    shardSize[shard] += data.byteLength;
  });
  const file = new Bytes();
  const writeBlock = (contents: Uint8Array) => {
    const offset = file.length;
    file.raw(contents).byte(0);
    const withType = new Uint8Array(contents.byteLength + 1);
    withType.set(contents);
    file.u32(maskCrc(crc32c(withType)));
    return { offset, size: contents.byteLength };
  };
  const index: { key: Uint8Array; value: Uint8Array }[] = [];
  for (let i = 0; i < entries.length; i += perBlock) {
    const group = entries.slice(i, i + perBlock);
    const h = writeBlock(block(group));
    index.push({ key: group[group.length - 1].key, value: new Bytes().varint(h.offset).varint(h.size).done() });
  }
  const meta = writeBlock(block([]));
  const idx = writeBlock(block(index, 1));
  const footer = new Bytes().varint(meta.offset).varint(meta.size).varint(idx.offset).varint(idx.size);
  while (footer.length < 40) footer.byte(0);
  footer.u32(0x8b80fb57).u32(0xdb477524);
  file.raw(footer.done());
  const shards = shardParts.map((parts, k) => {
    const out = new Uint8Array(shardSize[k]);
    let p = 0;
    for (const part of parts) { out.set(part, p); p += part.byteLength; }
    return out;
  });
  return { index: file.done(), shards };
}
