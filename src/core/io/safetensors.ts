/**
 * safetensors: an 8-byte little-endian header length N, N bytes of JSON
 * `{name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__"?: {...}}`, then the data.
 * Offsets are relative to the end of the header. Reading validates every entry (dtype known,
 * byte size = product(shape) * itemsize, offsets inside the file, no overlap past the end)
 * before any tensor is materialised; F16 and BF16 are widened to float32.
 */
import { TabtuneError } from '../errors';
import { jsonErrorLocation } from '../data/json-error-position';
import { firstInvalidUtf8 } from '../data/source';

export type SafetensorsDtype = 'F32' | 'F16' | 'BF16' | 'F64' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';

const ITEM_SIZE: Record<SafetensorsDtype, number> = {
  F32: 4, F16: 2, BF16: 2, F64: 8, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1,
};

export interface SafetensorsEntry {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  /** Absolute byte range inside the file. */
  begin: number;
  end: number;
}

export interface SafetensorsIndex {
  entries: Map<string, SafetensorsEntry>;
  metadata: Record<string, string>;
  /** Absolute offset where tensor data starts (8 + header length). */
  dataStart: number;
}

export type NumericArray = Float32Array | Int32Array;

export interface LoadedTensor {
  dtype: 'float32' | 'int32';
  shape: number[];
  data: NumericArray;
}

const MAX_HEADER = 100 * 1024 * 1024;
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Parses and validates the header. `headerBytes` must hold at least the first 8 + N bytes. */
export function parseSafetensorsHeader(headerBytes: Uint8Array, fileSize: number, file = 'model.safetensors'): SafetensorsIndex {
  if (headerBytes.byteLength < 8 || fileSize < 8) {
    throw new TabtuneError('file is too short to be safetensors', { file, expected: 'an 8-byte header length followed by a JSON header', code: 'safetensors-header' });
  }
  const view = new DataView(headerBytes.buffer, headerBytes.byteOffset, headerBytes.byteLength);
  const n = Number(view.getBigUint64(0, true));
  if (n <= 0 || n > MAX_HEADER || 8 + n > fileSize) {
    throw new TabtuneError(`header length ${n} does not fit a file of ${fileSize} bytes`, { file, location: 'bytes 0-7 (header length)', expected: 'a safetensors file', code: 'safetensors-header' });
  }
  if (headerBytes.byteLength < 8 + n) {
    throw new TabtuneError(`need ${8 + n} header bytes, got ${headerBytes.byteLength}`, { file, code: 'safetensors-header' });
  }
  let json: Record<string, unknown>;
  const headerText = headerBytes.subarray(8, 8 + n);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(headerText);
  } catch {
    const at = firstInvalidUtf8(headerText);
    throw new TabtuneError(`header is not UTF-8 (byte 0x${(headerText[at] ?? 0).toString(16).padStart(2, '0')})`, { file, location: `header byte ${8 + at}`, expected: 'a safetensors file (a UTF-8 JSON header)', code: 'safetensors-header' });
  }
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new TabtuneError(`header is not valid JSON (${(e as Error).message})`, { file, location: `header ${jsonErrorLocation(text, (e as Error).message) ?? 'JSON'}`, expected: 'a safetensors file', code: 'safetensors-header' });
  }
  if (!json || typeof json !== 'object' || Array.isArray(json)) {
    throw new TabtuneError('header is not a JSON object', { file, location: 'header', expected: 'a safetensors file ({"name": {"dtype", "shape", "data_offsets"}})', code: 'safetensors-header' });
  }
  const dataStart = 8 + n;
  const entries = new Map<string, SafetensorsEntry>();
  let metadata: Record<string, string> = {};
  for (const [name, raw] of Object.entries(json)) {
    if (name === '__metadata__') {
      metadata = (raw ?? {}) as Record<string, string>;
      continue;
    }
    const r = raw as { dtype?: string; shape?: unknown; data_offsets?: unknown };
    if (!r || typeof r.dtype !== 'string' || !(r.dtype in ITEM_SIZE)) {
      throw new TabtuneError(`unsupported dtype ${JSON.stringify(r?.dtype)}`, { file, location: `tensor ${name}`, expected: `one of ${Object.keys(ITEM_SIZE).join(', ')}`, code: 'safetensors-dtype' });
    }
    if (!Array.isArray(r.shape) || !r.shape.every((d) => Number.isInteger(d) && d >= 0)) {
      throw new TabtuneError(`bad shape ${JSON.stringify(r.shape)}`, { file, location: `tensor ${name}`, expected: 'a list of non-negative integers', code: 'safetensors-shape' });
    }
    const offs = r.data_offsets;
    if (!Array.isArray(offs) || offs.length !== 2 || !offs.every((d) => Number.isInteger(d) && d >= 0)) {
      throw new TabtuneError(`bad data_offsets ${JSON.stringify(offs)}`, { file, location: `tensor ${name}`, expected: '[begin, end]', code: 'safetensors-offsets' });
    }
    const dtype = r.dtype as SafetensorsDtype;
    const shape = r.shape as number[];
    const count = shape.reduce((a, b) => a * b, 1);
    const [b, e] = offs as number[];
    if (e - b !== count * ITEM_SIZE[dtype]) {
      throw new TabtuneError(`holds ${e - b} bytes but shape [${shape}] of ${dtype} needs ${count * ITEM_SIZE[dtype]}`, { file, location: `tensor ${name}`, code: 'safetensors-offsets' });
    }
    if (dataStart + e > fileSize || b > e) {
      throw new TabtuneError(`data [${b}, ${e}) runs past the end of the file (${fileSize - dataStart} data bytes)`, { file, location: `tensor ${name}`, expected: 'offsets inside the file', code: 'safetensors-offsets' });
    }
    entries.set(name, { name, dtype, shape, begin: dataStart + b, end: dataStart + e });
  }
  // Two tensors sharing bytes is never what a writer meant (the reference reader refuses it too).
  const byBegin = [...entries.values()].filter((e) => e.end > e.begin).sort((x, y) => x.begin - y.begin);
  for (let i = 1; i < byBegin.length; i++) {
    const prev = byBegin[i - 1];
    const cur = byBegin[i];
    if (cur.begin < prev.end) {
      throw new TabtuneError(`data [${cur.begin - dataStart}, ${cur.end - dataStart}) overlaps tensor ${prev.name} [${prev.begin - dataStart}, ${prev.end - dataStart})`, {
        file, location: `tensor ${cur.name}`, expected: 'each tensor in bytes of its own', code: 'safetensors-overlap',
      });
    }
  }
  return { entries, metadata, dataStart };
}

/** Converts one tensor's raw little-endian bytes to float32 (floats) or int32 (integers). */
export function decodeTensorBytes(entry: Pick<SafetensorsEntry, 'dtype' | 'shape' | 'name'>, bytes: Uint8Array, file = 'model.safetensors'): LoadedTensor {
  const count = entry.shape.reduce((a, b) => a * b, 1);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (entry.dtype) {
    case 'F32': {
      // A fresh buffer holding exactly this tensor (what ByteSource slices return) is used as is: no copy.
      if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.byteLength === count * 4 && LITTLE_ENDIAN && bytes.buffer instanceof ArrayBuffer) {
        return { dtype: 'float32', shape: entry.shape, data: new Float32Array(bytes.buffer, 0, count) };
      }
      const out = new Float32Array(count);
      if (bytes.byteOffset % 4 === 0) out.set(new Float32Array(bytes.buffer, bytes.byteOffset, count));
      else for (let i = 0; i < count; i++) out[i] = view.getFloat32(i * 4, true);
      return { dtype: 'float32', shape: entry.shape, data: out };
    }
    case 'F16': {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = halfToFloat(view.getUint16(i * 2, true));
      return { dtype: 'float32', shape: entry.shape, data: out };
    }
    case 'BF16': {
      const out = new Float32Array(count);
      const u = new Uint32Array(out.buffer);
      for (let i = 0; i < count; i++) u[i] = view.getUint16(i * 2, true) << 16;
      return { dtype: 'float32', shape: entry.shape, data: out };
    }
    case 'F64': {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(i * 8, true);
      return { dtype: 'float32', shape: entry.shape, data: out };
    }
    case 'I64': {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = Number(view.getBigInt64(i * 8, true));
      return { dtype: 'int32', shape: entry.shape, data: out };
    }
    case 'I32': {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt32(i * 4, true);
      return { dtype: 'int32', shape: entry.shape, data: out };
    }
    case 'I16': {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt16(i * 2, true);
      return { dtype: 'int32', shape: entry.shape, data: out };
    }
    case 'I8': {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt8(i);
      return { dtype: 'int32', shape: entry.shape, data: out };
    }
    case 'U8':
    case 'BOOL': {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getUint8(i);
      return { dtype: 'int32', shape: entry.shape, data: out };
    }
    default:
      throw new TabtuneError(`unsupported dtype ${entry.dtype as string}`, { file, location: `tensor ${entry.name}`, code: 'safetensors-dtype' });
  }
}

export function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

/** Reads every tensor of an in-memory safetensors file. */
export function readSafetensors(bytes: Uint8Array, file = 'model.safetensors'): { tensors: Map<string, LoadedTensor>; metadata: Record<string, string> } {
  const index = parseSafetensorsHeader(bytes, bytes.byteLength, file);
  const tensors = new Map<string, LoadedTensor>();
  for (const entry of index.entries.values()) {
    tensors.set(entry.name, decodeTensorBytes(entry, bytes.subarray(entry.begin, entry.end), file));
  }
  return { tensors, metadata: index.metadata };
}

/** A random-access byte source: a Blob/File in the browser, a file handle in Node. */
export interface ByteSource {
  readonly size: number;
  readonly name: string;
  read(begin: number, end: number): Promise<Uint8Array>;
}

export function blobSource(blob: Blob, name = (blob as File).name ?? 'blob'): ByteSource {
  return {
    size: blob.size,
    name,
    read: async (b, e) => new Uint8Array(await blob.slice(b, e).arrayBuffer()),
  };
}

export function bytesSource(bytes: Uint8Array, name: string): ByteSource {
  return { size: bytes.byteLength, name, read: async (b, e) => bytes.subarray(b, e) };
}

/**
 * Streams a safetensors file tensor by tensor: only the header and one tensor's bytes are in
 * memory at a time (a 440 MB BERT-base file is never copied whole).
 */
export async function readSafetensorsIndex(src: ByteSource): Promise<SafetensorsIndex> {
  const head = await src.read(0, Math.min(8, src.size));
  if (head.byteLength < 8) return parseSafetensorsHeader(head, src.size, src.name);
  const n = Number(new DataView(head.buffer, head.byteOffset, 8).getBigUint64(0, true));
  if (n <= 0 || n > MAX_HEADER || 8 + n > src.size) return parseSafetensorsHeader(head, src.size, src.name);
  const header = await src.read(0, 8 + n);
  return parseSafetensorsHeader(header, src.size, src.name);
}

export async function readSafetensorsTensor(src: ByteSource, entry: SafetensorsEntry): Promise<LoadedTensor> {
  return decodeTensorBytes(entry, await src.read(entry.begin, entry.end), src.name);
}

/** Writes float32 / int32 tensors as safetensors (names sorted, as the Python writer does). */
export function writeSafetensors(tensors: Map<string, LoadedTensor> | Record<string, LoadedTensor>, metadata?: Record<string, string>): Uint8Array {
  const map = tensors instanceof Map ? tensors : new Map(Object.entries(tensors));
  const names = [...map.keys()].sort();
  const header: Record<string, unknown> = {};
  if (metadata) header.__metadata__ = metadata;
  let offset = 0;
  for (const name of names) {
    const t = map.get(name)!;
    const nbytes = t.data.length * 4;
    header[name] = { dtype: t.dtype === 'float32' ? 'F32' : 'I32', shape: t.shape, data_offsets: [offset, offset + nbytes] };
    offset += nbytes;
  }
  let json = JSON.stringify(header);
  // Pad the header with spaces so tensor data starts 8-byte aligned.
  const enc = new TextEncoder();
  let headerBytes = enc.encode(json);
  const pad = (8 - ((8 + headerBytes.byteLength) % 8)) % 8;
  if (pad) {
    json += ' '.repeat(pad);
    headerBytes = enc.encode(json);
  }
  const out = new Uint8Array(8 + headerBytes.byteLength + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.byteLength), true);
  out.set(headerBytes, 8);
  let pos = 8 + headerBytes.byteLength;
  for (const name of names) {
    const t = map.get(name)!;
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.length * 4), pos);
    pos += t.data.length * 4;
  }
  return out;
}
