import { describe, expect, it } from 'vitest';
import { nodeFileSource, nodeFolderSources } from './byte-source';
import { readSharedBytes, sharedPath } from '../../testing/shared';

describe('nodeFileSource', () => {
  it('reads slices of a file, clamped to its size', async () => {
    const path = sharedPath('fixtures/model/tiny-odd/model.safetensors');
    const whole = readSharedBytes('fixtures/model/tiny-odd/model.safetensors');
    const src = nodeFileSource(path);
    expect(src.name).toBe('model.safetensors');
    expect(src.size).toBe(whole.byteLength);
    expect(Array.from(await src.read(100, 164))).toEqual(Array.from(whole.subarray(100, 164)));
    expect((await src.read(src.size - 4, src.size + 100)).byteLength).toBe(4);
  });

  it('lists a folder and names a missing file', () => {
    expect(nodeFolderSources(sharedPath('fixtures/model/tiny-odd/google')).map((s) => s.name)).toEqual([
      'bert_config.json', 'bert_model.ckpt.data-00000-of-00001', 'bert_model.ckpt.index',
    ]);
    expect(() => nodeFileSource('/nonexistent/x.bin')).toThrow(/\/nonexistent\/x\.bin: cannot open file/);
  });
});
