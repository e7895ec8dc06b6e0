/**
 * One tensor as a checkpoint reader lists it, before any data is read: name as stored, dtype,
 * shape, and a `read()` that fetches and decodes only that tensor's bytes. Every reader
 * (safetensors, torch .bin, TensorFlow bundle) produces these so the loader can check names,
 * shapes and dtypes of the whole checkpoint before allocating anything.
 */
import { decodeTensorBytes, readSafetensorsIndex, type ByteSource, type LoadedTensor, type SafetensorsDtype } from './safetensors';

export interface RawTensor {
  /** Name as stored in the checkpoint. */
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  /** File the bytes live in (for errors). */
  file: string;
  read(): Promise<LoadedTensor>;
}

export interface RawCheckpoint {
  tensors: RawTensor[];
  /** Entries that are not tensors a model can use (strings, object graphs...), with why. */
  skipped: string[];
  notes: string[];
}

export const FLOAT_DTYPES: ReadonlySet<SafetensorsDtype> = new Set(['F32', 'F16', 'BF16', 'F64']);

export async function listSafetensors(src: ByteSource): Promise<RawCheckpoint> {
  const index = await readSafetensorsIndex(src);
  const tensors: RawTensor[] = [];
  for (const e of index.entries.values()) {
    tensors.push({
      name: e.name, dtype: e.dtype, shape: e.shape, file: src.name,
      read: async () => decodeTensorBytes(e, await src.read(e.begin, e.end), src.name),
    });
  }
  return { tensors, skipped: [], notes: [] };
}
