/**
 * At drop time the file list says which weight files a run will not load, with the choice
 * loadPretrained makes (checked against loadPretrained's own notes on the same files).
 */
import { describe, expect, it } from 'vitest';
import { loadPretrained } from '../io/load-pretrained';
import { bytesSource } from '../io/safetensors';
import { readSharedBytes } from '../../testing/shared';
import { recogniseFile } from './files';
import { annotateUnused } from './unused-files';

const model = (name: string) => readSharedBytes('fixtures', 'model', 'tiny-uncased', name);

async function kept(files: Array<[string, Uint8Array]>) {
  return Promise.all(files.map(([path, bytes]) => recogniseFile(path, bytesSource(bytes, path))));
}

describe('annotateUnused', () => {
  it('marks every .safetensors beside model.safetensors as not used, as loading does', async () => {
    const st = model('model.safetensors');
    const files = await kept([
      ['m/config.json', model('config.json')],
      ['m/model.safetensors', st],
      ['m/adapter.safetensors', st],
      ['m/old.safetensors', st],
    ]);
    const reports = annotateUnused(files);
    const byPath = new Map(reports.map((r) => [r.path, r]));
    expect(byPath.get('m/model.safetensors')).toMatchObject({ use: 'weights' });
    for (const p of ['m/adapter.safetensors', 'm/old.safetensors']) {
      expect(byPath.get(p)).toMatchObject({ use: 'ignored', accepted: true, reason: "the model's weights are model.safetensors" });
    }
    // loadPretrained ignores the same two.
    const loaded = await loadPretrained(files.map((f) => f.source));
    expect(loaded.notes.filter((n) => n.includes('ignored (not the model')).map((n) => n.split(' ')[0]).sort()).toEqual(['adapter.safetensors', 'old.safetensors']);
    // The kept reports themselves are not changed (the run's fingerprint reads the files as dropped).
    expect(files.map((f) => f.report.use)).toEqual(['model-config', 'weights', 'weights', 'weights']);
  });

  it('keeps a single weights file of any name, and says when several have none named model.safetensors', async () => {
    const st = model('model.safetensors');
    const one = annotateUnused(await kept([['m/config.json', model('config.json')], ['m/weights.safetensors', st]]));
    expect(one.find((r) => r.path === 'm/weights.safetensors')).toMatchObject({ use: 'weights' });
    const two = annotateUnused(await kept([['m/config.json', model('config.json')], ['m/a.safetensors', st], ['m/b.safetensors', st]]));
    for (const p of ['m/a.safetensors', 'm/b.safetensors']) expect(two.find((r) => r.path === p)).toMatchObject({ use: 'ignored', reason: 'several safetensors files and none named model.safetensors' });
  });
});
