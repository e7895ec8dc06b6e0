/**
 * TensorFlow's tensor-bundle checkpoint (the format of Google's BERT downloads):
 * `<prefix>.index` (a table, see tf-table.ts: key "" -> BundleHeaderProto, tensor name ->
 * BundleEntryProto) and `<prefix>.data-0000k-of-0000N` shards holding the raw little-endian bytes.
 * Listing checks every entry (dtype, shape, shard present, offset + size inside the shard) before
 * anything is read; reading one tensor fetches only its bytes and verifies its masked CRC-32C.
 */
import { TabtuneError } from '../errors';
import { crc32c, unmaskCrc } from './crc32c';
import { protoFields, ProtobufError } from './protobuf';
import { decodeTensorBytes, type ByteSource, type SafetensorsDtype } from './safetensors';
import type { RawCheckpoint, RawTensor } from './raw-tensor';
import { readTable } from './tf-table';

/** TensorFlow DataType enum values (types.proto) this reader turns into weights. */
const FLOAT_TYPES: Record<number, SafetensorsDtype> = { 1: 'F32', 2: 'F64', 14: 'BF16', 19: 'F16' };
const ITEM: Record<string, number> = { F32: 4, F64: 8, BF16: 2, F16: 2 };
const DTYPE_NAMES: Record<number, string> = {
  1: 'DT_FLOAT', 2: 'DT_DOUBLE', 3: 'DT_INT32', 4: 'DT_UINT8', 5: 'DT_INT16', 6: 'DT_INT8', 7: 'DT_STRING',
  9: 'DT_INT64', 10: 'DT_BOOL', 14: 'DT_BFLOAT16', 19: 'DT_HALF', 20: 'DT_RESOURCE', 21: 'DT_VARIANT',
};

export interface BundleHeader { numShards: number; endianness: 'little' | 'big'; producer: number }

export interface BundleEntry {
  name: string;
  dtype: number;
  shape: number[];
  shardId: number;
  offset: number;
  size: number;
  /** Masked CRC-32C as stored. */
  crc32c: number;
  sliced: boolean;
}

export function shardFileName(prefix: string, k: number, n: number): string {
  return `${prefix}.data-${String(k).padStart(5, '0')}-of-${String(n).padStart(5, '0')}`;
}

function decodeHeader(bytes: Uint8Array): BundleHeader {
  const h: BundleHeader = { numShards: 0, endianness: 'little', producer: 0 };
  for (const f of protoFields(bytes)) {
    if (f.field === 1 && f.wire === 0) h.numShards = f.num;
    else if (f.field === 2 && f.wire === 0) h.endianness = f.num === 1 ? 'big' : 'little';
    else if (f.field === 3 && f.wire === 2) for (const v of protoFields(f.bytes)) if (v.field === 1 && v.wire === 0) h.producer = v.num;
  }
  return h;
}

function decodeEntry(name: string, bytes: Uint8Array): BundleEntry {
  const e: BundleEntry = { name, dtype: 0, shape: [], shardId: 0, offset: 0, size: 0, crc32c: 0, sliced: false };
  for (const f of protoFields(bytes)) {
    switch (f.field) {
      case 1: e.dtype = f.num; break;
      case 2:
        for (const d of protoFields(f.bytes)) {
          if (d.field !== 2 || d.wire !== 2) continue;
          let size = 0;
          for (const s of protoFields(d.bytes)) if (s.field === 1 && s.wire === 0) size = s.num;
          e.shape.push(size);
        }
        break;
      case 3: e.shardId = f.num; break;
      case 4: e.offset = f.num; break;
      case 5: e.size = f.num; break;
      case 6: e.crc32c = f.num; break;
      case 7: e.sliced = true; break;
      default: break;
    }
  }
  return e;
}

export interface TfBundle extends RawCheckpoint {
  header: BundleHeader;
  entries: BundleEntry[];
  compression: 'none' | 'snappy' | 'mixed';
}

/**
 * Lists a bundle. `shards` holds the data files, found by their names (`<prefix>.data-0000k-of-0000N`);
 * a missing one is an error naming it.
 */
export async function listTfBundle(index: ByteSource, shards: ByteSource[]): Promise<TfBundle> {
  const file = index.name;
  const prefix = file.replace(/\.index$/, '');
  const table = readTable(await index.read(0, index.size), file);
  let header: BundleHeader | undefined;
  const entries: BundleEntry[] = [];
  for (const { key, value } of table.entries) {
    try {
      if (key === '') header = decodeHeader(value);
      else entries.push(decodeEntry(key, value));
    } catch (e) {
      if (e instanceof ProtobufError) {
        throw new TabtuneError(`the entry is not a valid protocol buffer (${e.message})`, { file, location: key === '' ? 'bundle header' : `tensor ${key}`, expected: 'BundleEntryProto values', code: 'tf-index' });
      }
      throw e;
    }
  }
  if (!header) throw new TabtuneError('has no bundle header (empty key)', { file, location: 'bundle header', expected: 'a TensorFlow V2 checkpoint index', code: 'tf-index' });
  if (header.endianness === 'big') throw new TabtuneError('holds big-endian tensors', { file, location: 'bundle header', expected: 'a little-endian checkpoint', code: 'tf-index' });
  if (header.numShards < 1) throw new TabtuneError(`header says ${header.numShards} shards`, { file, location: 'header', expected: 'at least one data shard', code: 'tf-index' });

  const byName = new Map(shards.map((s) => [s.name.split(/[\\/]/).pop()!, s]));
  const shardSrc: ByteSource[] = [];
  for (let k = 0; k < header.numShards; k++) {
    const want = shardFileName(prefix.split(/[\\/]/).pop()!, k, header.numShards);
    const s = byName.get(want);
    if (!s) {
      throw new TabtuneError(`data shard ${want} is missing`, { file, location: `shard ${k + 1} of ${header.numShards}`, expected: `${want} beside ${file}`, code: 'tf-missing-shard' });
    }
    shardSrc.push(s);
  }

  const tensors: RawTensor[] = [];
  const skipped: string[] = [];
  const notes: string[] = [];
  for (const e of entries) {
    const dtype = FLOAT_TYPES[e.dtype];
    const typeName = DTYPE_NAMES[e.dtype] ?? `dtype ${e.dtype}`;
    if (!dtype) {
      skipped.push(`${e.name} (${typeName}${e.shape.length ? ` [${e.shape}]` : ' scalar'}: not a float tensor)`);
      continue;
    }
    if (e.sliced) {
      skipped.push(`${e.name} (partitioned variable: not supported)`);
      continue;
    }
    if (e.shardId < 0 || e.shardId >= header.numShards) {
      throw new TabtuneError(`shard id ${e.shardId} is out of range`, { file, location: `tensor ${e.name}`, expected: `0..${header.numShards - 1}`, code: 'tf-entry' });
    }
    const src = shardSrc[e.shardId];
    const count = e.shape.reduce((a, b) => a * b, 1);
    if (e.size !== count * ITEM[dtype]) {
      throw new TabtuneError(`holds ${e.size} bytes but shape [${e.shape}] of ${typeName} needs ${count * ITEM[dtype]}`, { file, location: `tensor ${e.name}`, code: 'tf-entry' });
    }
    if (e.offset + e.size > src.size) {
      throw new TabtuneError(`bytes [${e.offset}, ${e.offset + e.size}) run past the end of ${src.name} (${src.size} bytes)`, {
        file: src.name, location: `tensor ${e.name}`, expected: 'offsets inside the data shard (truncated file?)', code: 'tf-offset',
      });
    }
    tensors.push({
      name: e.name, dtype, shape: e.shape, file: src.name,
      read: async () => {
        const bytes = await src.read(e.offset, e.offset + e.size);
        const actual = crc32c(bytes);
        if (actual !== unmaskCrc(e.crc32c)) {
          throw new TabtuneError(`fails its CRC-32C check (stored ${unmaskCrc(e.crc32c).toString(16)}, computed ${actual.toString(16)}): the file is corrupt`, {
            file: src.name, location: `tensor ${e.name}`, expected: 'the bytes TensorFlow wrote', code: 'tf-crc',
          });
        }
        return decodeTensorBytes({ name: e.name, dtype, shape: e.shape }, bytes, src.name);
      },
    });
  }
  if (skipped.length) notes.push(`${skipped.length} non-float checkpoint entries skipped`);
  return { tensors, skipped, notes, header, entries, compression: table.compression };
}
