import { describe, expect, it } from 'vitest';
import { detectModelFile } from './detect';
import { readdirSync, openSync, readSync, closeSync } from 'node:fs';
import { sharedPath } from '../../testing/shared';

function head(path: string): Uint8Array {
  const b = new Uint8Array(16);
  const fd = openSync(path, 'r');
  const n = readSync(fd, b, 0, 16, 0);
  closeSync(fd);
  return b.subarray(0, n);
}

describe('detectModelFile', () => {
  it('recognises every file of the fixture folders', () => {
    const kinds = (dir: string) => Object.fromEntries(readdirSync(sharedPath(dir)).filter((n) => n !== 'google').map((n) => [n, detectModelFile(`${dir}/${n}`, head(sharedPath(dir, n))).kind]));
    expect(kinds('fixtures/model/tiny-odd')).toEqual({
      'config.json': 'config', 'golden.json': 'unknown', 'golden.safetensors': 'safetensors', 'heads.safetensors': 'safetensors',
      'model.safetensors': 'safetensors', 'pytorch_model.bin': 'pytorch-bin',
    });
    expect(kinds('fixtures/model/tiny-odd/google')).toEqual({
      'bert_config.json': 'google-config', 'bert_model.ckpt.index': 'ckpt-index', 'bert_model.ckpt.data-00000-of-00001': 'ckpt-data',
    });
    expect(detectModelFile('fixtures/vocab/bert-base-uncased.txt').kind).toBe('unknown');
    expect(detectModelFile('vocab.txt').kind).toBe('vocab');
  });

  it('tells shards, prefixes and tokenizer files apart', () => {
    expect(detectModelFile('model.ckpt-3000.data-00001-of-00004')).toMatchObject({ kind: 'ckpt-data', prefix: 'model.ckpt-3000', shard: { index: 1, count: 4 }, description: 'TensorFlow checkpoint data, shard 2 of 4' });
    expect(detectModelFile('model.ckpt-3000.index')).toMatchObject({ kind: 'ckpt-index', prefix: 'model.ckpt-3000' });
    expect(detectModelFile('checkpoint').kind).toBe('ckpt-state');
    expect(detectModelFile('uncased_L-12_H-768_A-12/bert_model.ckpt.meta')).toMatchObject({ kind: 'ckpt-meta', prefix: 'bert_model.ckpt' });
    expect(detectModelFile('model.ckpt-2000.meta').kind).toBe('ckpt-meta');
    expect(detectModelFile('tokenizer.json').kind).toBe('tokenizer-json');
    expect(detectModelFile('tokenizer_config.json').kind).toBe('tokenizer-config');
    expect(detectModelFile('special_tokens_map.json').kind).toBe('special-tokens');
    expect(detectModelFile('model.safetensors.index.json').kind).toBe('safetensors-index');
  });

  it('rejects files whose bytes contradict their names', () => {
    expect(detectModelFile('pytorch_model.bin', new Uint8Array([0x80, 0x02, 0x8a, 0x0a, 0x6c]))).toMatchObject({ kind: 'pytorch-bin', description: expect.stringContaining('pre-1.6') });
    expect(detectModelFile('pytorch_model.bin', new Uint8Array([1, 2, 3, 4])).kind).toBe('unknown');
    expect(detectModelFile('model.safetensors', new Uint8Array(16)).kind).toBe('unknown');
    expect(detectModelFile('config.json', new TextEncoder().encode('PK\x03\x04')).kind).toBe('unknown');
  });
});
