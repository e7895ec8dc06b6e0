/**
 * PyTorch's zip checkpoint (`torch.save` since 1.6, e.g. `pytorch_model.bin`): `<prefix>/data.pkl`
 * (a pickle of the state dict, read with the restricted reader) and `<prefix>/data/<key>` (one raw
 * little-endian storage per key). Each tensor is a view of a storage: element offset, size and
 * stride. Contiguous views are one slice of the storage; others are gathered through the strides.
 */
import { TabtuneError } from '../errors';
import { readRestrictedPickle, type PickleValue, type TensorRef } from './pickle';
import { decodeTensorBytes, type ByteSource } from './safetensors';
import type { RawCheckpoint, RawTensor } from './raw-tensor';
import { openZip, type ZipEntry } from './zip-reader';

const ITEM: Record<string, number> = { F32: 4, F16: 2, BF16: 2, F64: 8, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1 };

function isTensor(v: PickleValue | undefined): v is TensorRef {
  return !!v && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Map) && (v as { kind?: string }).kind === 'tensor';
}

export async function listTorchBin(src: ByteSource): Promise<RawCheckpoint> {
  const file = src.name;
  const zip = await openZip(src);
  const pkl = [...zip.entries.values()].find((e) => e.name === 'data.pkl' || e.name.endsWith('/data.pkl'));
  if (!pkl) {
    throw new TabtuneError('has no data.pkl entry', { file, expected: 'a PyTorch zip checkpoint (torch.save since PyTorch 1.6)', code: 'torch-format' });
  }
  const prefix = pkl.name.slice(0, pkl.name.length - 'data.pkl'.length);
  const root = readRestrictedPickle(await zip.read(pkl), `${file}/${pkl.name}`);
  let dict = root;
  // Training scripts sometimes wrap the state dict: {"state_dict": {...}} or {"model": {...}}.
  if (dict instanceof Map && ![...dict.values()].some(isTensor)) {
    const inner = dict.get('state_dict') ?? dict.get('model');
    if (inner instanceof Map) dict = inner;
  }
  if (!(dict instanceof Map)) {
    throw new TabtuneError('pickle does not hold a dict of tensors', { file, location: pkl.name, expected: 'a state dict', code: 'torch-format' });
  }
  const tensors: RawTensor[] = [];
  const skipped: string[] = [];
  for (const [key, value] of dict) {
    const name = String(key);
    if (!isTensor(value)) {
      skipped.push(`${name} (not a tensor)`);
      continue;
    }
    const t = value;
    const item = ITEM[t.storage.dtype];
    const storageEntry: ZipEntry | undefined = zip.entries.get(`${prefix}data/${t.storage.key}`);
    if (!storageEntry) {
      throw new TabtuneError(`storage ${t.storage.key} is missing from the archive`, { file, location: `tensor ${name}`, expected: `an entry ${prefix}data/${t.storage.key}`, code: 'torch-storage' });
    }
    const storageElems = Math.floor(storageEntry.size / item);
    const count = t.shape.reduce((a, b) => a * b, 1);
    // Highest element index the view touches (+1): the span of the storage it needs.
    const span = count === 0 ? 0 : 1 + t.shape.reduce((acc, d, i) => acc + (d - 1) * t.stride[i], 0);
    if (t.offset + span > storageElems) {
      throw new TabtuneError(`view [offset ${t.offset}, size ${JSON.stringify(t.shape)}, stride ${JSON.stringify(t.stride)}] runs past its storage of ${storageElems} elements`, {
        file, location: `tensor ${name}`, expected: 'a view inside its storage', code: 'torch-storage',
      });
    }
    const contiguous = t.shape.every((_, i) => t.shape[i] === 1 || t.stride[i] === t.shape.slice(i + 1).reduce((a, b) => a * b, 1));
    tensors.push({
      name, dtype: t.storage.dtype, shape: t.shape, file,
      read: async () => {
        const raw = await zip.read(storageEntry, t.offset * item, (t.offset + span) * item);
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
