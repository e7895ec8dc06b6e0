/**
 * PyTorch checkpoints (`pytorch_model.bin`, `.pt`), read without running their pickle:
 *  - the zip format (`torch.save` since 1.6): `<prefix>/data.pkl` + one entry `<prefix>/data/<key>`
 *    per storage;
 *  - the legacy format (before 1.6, many 2019-era Hugging Face uploads): five pickles in a row
 *    (magic number, protocol version, system info, the state dict, the sorted storage keys), then
 *    each storage as an int64 element count followed by its raw bytes.
 * Each tensor is a view of a storage: element offset, size and stride. Contiguous views are one
 * slice of the storage; others are gathered through the strides.
 */
import { TabtuneError, isTabtuneError } from '../errors';
import { readRestrictedPickle, readRestrictedPickleAt, type PickleValue, type StorageRef, type TensorRef } from './pickle';
import { decodeTensorBytes, type ByteSource } from './safetensors';
import type { RawCheckpoint, RawTensor } from './raw-tensor';
import { openZip } from './zip-reader';

const ITEM: Record<string, number> = { F32: 4, F16: 2, BF16: 2, F64: 8, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1 };
const LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn;
const LEGACY_PROTOCOL = 1001;

/** Where a storage's bytes are: its size in bytes and a reader of a byte range within it. */
interface StorageBytes {
  bytes: number;
  read(begin: number, end: number): Promise<Uint8Array>;
}

function isTensor(v: PickleValue | undefined): v is TensorRef {
  return !!v && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Map) && (v as { kind?: string }).kind === 'tensor';
}

function stateDict(root: PickleValue, file: string, where: string): Map<PickleValue, PickleValue> {
  let dict = root;
  // Training scripts sometimes wrap the state dict: {"state_dict": {...}} or {"model": {...}}.
  if (dict instanceof Map && ![...dict.values()].some(isTensor)) {
    const inner = dict.get('state_dict') ?? dict.get('model');
    if (inner instanceof Map) dict = inner;
  }
  if (!(dict instanceof Map)) {
    throw new TabtuneError('pickle does not hold a dict of tensors', { file, location: where, expected: 'a state dict', code: 'torch-format' });
  }
  return dict;
}

function tensorsOf(dict: Map<PickleValue, PickleValue>, file: string, fileSize: number, storageOf: (s: StorageRef, name: string) => StorageBytes): RawCheckpoint {
  const tensors: RawTensor[] = [];
  const skipped: string[] = [];
  for (const [key, value] of dict) {
    if (typeof key !== 'string') {
      // String() of a deeply nested list would recurse: describe the key by its type only.
      skipped.push(`a ${Array.isArray(key) ? 'list' : key === null ? 'None' : typeof key} key (state dict keys are strings)`);
      continue;
    }
    const name = key;
    if (!isTensor(value)) {
      skipped.push(`${name} (not a tensor)`);
      continue;
    }
    const t = value;
    const item = ITEM[t.storage.dtype];
    const storage = storageOf(t.storage, name);
    const storageElems = Math.floor(storage.bytes / item);
    const count = t.shape.reduce((a, b) => a * b, 1);
    // Highest element index the view touches (+1): the span of the storage it needs.
    const span = count === 0 ? 0 : 1 + t.shape.reduce((acc, d, i) => acc + (d - 1) * t.stride[i], 0);
    if (t.offset + span > storageElems) {
      throw new TabtuneError(`view [offset ${t.offset}, size ${JSON.stringify(t.shape)}, stride ${JSON.stringify(t.stride)}] runs past its storage of ${storageElems} elements`, {
        file, location: `tensor ${name}`, expected: 'a view inside its storage', code: 'torch-storage',
      });
    }
    // A view (stride 0 repeats elements) decodes to count elements: never more than the file holds.
    if (count * item > fileSize) {
      throw new TabtuneError(`view of shape ${JSON.stringify(t.shape)} would decode to ${count * item} bytes, more than the ${fileSize}-byte file holds`, {
        file, location: `tensor ${name}`, expected: 'tensors no larger than the checkpoint', code: 'torch-storage',
      });
    }
    // Row-major strides (dimensions of size 1 may carry any stride).
    const contiguous = t.shape.every((d, i) => d === 1 || t.stride[i] === t.shape.slice(i + 1).reduce((a, b) => a * b, 1));
    tensors.push({
      name, dtype: t.storage.dtype, shape: t.shape, file,
      read: async () => {
        const raw = await storage.read(t.offset * item, (t.offset + span) * item);
        let bytes = raw;
        if (!contiguous) {
          bytes = new Uint8Array(count * item);
          const idx = new Array<number>(t.shape.length).fill(0);
          for (let n = 0; n < count; n++) {
            let src = 0;
            for (let d = 0; d < idx.length; d++) src += idx[d] * t.stride[d];
            bytes.set(raw.subarray(src * item, src * item + item), n * item);
            for (let d = idx.length - 1; d >= 0; d--) {
              if (++idx[d] < t.shape[d]) break;
              idx[d] = 0;
            }
          }
        }
        return decodeTensorBytes({ name, dtype: t.storage.dtype, shape: t.shape }, bytes.subarray(0, count * item), file);
      },
    });
  }
  return { tensors, skipped, notes: [] };
}

export async function listTorchBin(src: ByteSource): Promise<RawCheckpoint> {
  const head = await src.read(0, Math.min(4, src.size));
  if (head[0] === 0x80 && head[1] === 0x02 && head[2] === 0x8a) return listLegacyTorchBin(src);
  const file = src.name;
  const zip = await openZip(src);
  const pkl = [...zip.entries.values()].find((e) => e.name === 'data.pkl' || e.name.endsWith('/data.pkl'));
  if (!pkl) {
    throw new TabtuneError('has no data.pkl entry', { file, expected: 'a PyTorch zip checkpoint (torch.save)', code: 'torch-format' });
  }
  const prefix = pkl.name.slice(0, pkl.name.length - 'data.pkl'.length);
  const dict = stateDict(readRestrictedPickle(await zip.read(pkl), `${file}/${pkl.name}`), file, pkl.name);
  return tensorsOf(dict, file, src.size, (s, name) => {
    const entry = zip.entries.get(`${prefix}data/${s.key}`);
    if (!entry) {
      throw new TabtuneError(`storage ${s.key} is missing from the archive`, { file, location: `tensor ${name}`, expected: `an entry ${prefix}data/${s.key}`, code: 'torch-storage' });
    }
    return { bytes: entry.size, read: (b, e) => zip.read(entry, b, e) };
  });
}

/** The pre-1.6 format: pickles at the head (read in growing chunks), storages after them. */
async function listLegacyTorchBin(src: ByteSource): Promise<RawCheckpoint> {
  const file = src.name;
  let chunk = Math.min(src.size, 1 << 16);
  for (;;) {
    const bytes = await src.read(0, chunk);
    try {
      const values: PickleValue[] = [];
      let pos = 0;
      for (let i = 0; i < 5; i++) {
        const r = readRestrictedPickleAt(bytes, pos, file);
        values.push(r.value);
        pos = r.end;
      }
      const [magic, protocol, , root, keys] = values;
      if (magic !== LEGACY_MAGIC) throw new TabtuneError('does not start with the torch.save magic number', { file, expected: 'a PyTorch checkpoint', code: 'torch-format' });
      if (protocol !== LEGACY_PROTOCOL) throw new TabtuneError(`has legacy protocol version ${String(protocol)}`, { file, expected: String(LEGACY_PROTOCOL), code: 'torch-format' });
      if (!Array.isArray(keys) || !keys.every((k) => typeof k === 'string')) throw new TabtuneError('storage key list is not a list of strings', { file, code: 'torch-format' });
      const dict = stateDict(root, file, 'state dict pickle');
      // Each storage's dtype, from the tensors that use it.
      const dtypes = new Map<string, StorageRef>();
      for (const v of dict.values()) if (isTensor(v)) dtypes.set(v.storage.key, v.storage);
      const where = new Map<string, { start: number; bytes: number }>();
      let p = pos;
      for (const key of keys as string[]) {
        const ref = dtypes.get(key);
        if (!ref) throw new TabtuneError(`storage ${key} is not used by any tensor`, { file, location: `storage ${key}`, code: 'torch-storage' });
        if (p + 8 > src.size) throw new TabtuneError(`storage ${key} starts past the end of the file (truncated?)`, { file, location: `storage ${key}`, code: 'torch-storage' });
        const h = await src.read(p, p + 8);
        const numel = Number(new DataView(h.buffer, h.byteOffset, 8).getBigInt64(0, true));
        const nbytes = numel * ITEM[ref.dtype];
        if (numel !== ref.numel || p + 8 + nbytes > src.size) {
          throw new TabtuneError(`storage ${key} holds ${numel} elements at byte ${p} (the pickle says ${ref.numel}) and ends at byte ${p + 8 + nbytes} of ${src.size}`, {
            file, location: `storage ${key}`, expected: 'storages inside the file (truncated?)', code: 'torch-storage',
          });
        }
        where.set(key, { start: p + 8, bytes: nbytes });
        p += 8 + nbytes;
      }
      const out = tensorsOf(dict, file, src.size, (s, name) => {
        const w = where.get(s.key);
        if (!w) throw new TabtuneError(`storage ${s.key} is not in the file's storage list`, { file, location: `tensor ${name}`, code: 'torch-storage' });
        return { bytes: w.bytes, read: (b, e) => src.read(w.start + b, w.start + e) };
      });
      out.notes.push(`${file} is in the pre-1.6 PyTorch format`);
      return out;
    } catch (e) {
      if (isTabtuneError(e) && e.code === 'pickle-truncated' && chunk < src.size) {
        chunk = Math.min(src.size, chunk * 4);
        continue;
      }
      throw e;
    }
  }
}
