import { describe, expect, it } from 'vitest';
import { readSafetensors, writeSafetensors, readSafetensorsIndex, readSafetensorsTensor, bytesSource, halfToFloat } from './safetensors';
import { readSharedBytes } from '../../testing/shared';
import { TabtuneError } from '../errors';

describe('safetensors', () => {
  it('reads the tiny-odd fixture and round-trips it', async () => {
    const bytes = readSharedBytes('fixtures/model/tiny-odd/model.safetensors');
    const { tensors } = readSafetensors(bytes);
    const emb = tensors.get('bert.embeddings.word_embeddings.weight')!;
    expect(emb.shape).toEqual([128, 24]);
    const again = readSafetensors(writeSafetensors(tensors)).tensors;
    expect([...again.keys()].sort()).toEqual([...tensors.keys()].sort());
    for (const [k, t] of tensors) expect(Array.from(again.get(k)!.data)).toEqual(Array.from(t.data));
    const idx = await readSafetensorsIndex(bytesSource(bytes, 'm.safetensors'));
    const one = await readSafetensorsTensor(bytesSource(bytes, 'm.safetensors'), idx.entries.get('bert.embeddings.word_embeddings.weight')!);
    expect(Array.from(one.data)).toEqual(Array.from(emb.data));
  });

  it('rejects a truncated file with the tensor named', () => {
    const bytes = readSharedBytes('fixtures/model/tiny-odd/model.safetensors');
    expect(() => readSafetensors(bytes.subarray(0, bytes.byteLength - 10), 'x.safetensors')).toThrow(/x\.safetensors, tensor .*runs past the end/);
    expect(() => readSafetensors(new Uint8Array([1, 2, 3]), 'y.safetensors')).toThrow(TabtuneError);
  });

  it('widens half floats', () => {
    expect(halfToFloat(0x3c00)).toBe(1);
    expect(halfToFloat(0xc000)).toBe(-2);
    expect(halfToFloat(0x0001)).toBeCloseTo(5.96e-8, 10);
  });
});
