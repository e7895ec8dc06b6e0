/**
 * Node-only checkpoint store: one folder per checkpoint under `dir`. A checkpoint is written to
 * `<name>.partial` and renamed when complete, so an interrupted save never shadows a good one.
 */
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { TabtuneError } from '../../core/errors';
import type { CheckpointStore } from '../../core/train';

export function createFsCheckpointStore(dir: string): CheckpointStore {
  return {
    async save(name, files) {
      const tmp = join(dir, `${name}.partial`);
      const final = join(dir, name);
      await rm(tmp, { recursive: true, force: true });
      await mkdir(tmp, { recursive: true });
      for (const [file, bytes] of files) await writeFile(join(tmp, file), bytes);
      await rm(final, { recursive: true, force: true });
      await rename(tmp, final);
    },
    async load(name) {
      const folder = join(dir, name);
      if (!existsSync(folder)) {
        throw new TabtuneError('no such checkpoint', { file: folder, expected: 'a folder written by tabtune train (model.safetensors, optimizer.safetensors, trainer_state.json)', code: 'checkpoint-missing' });
      }
      const files = new Map<string, Uint8Array>();
      for (const f of await readdir(folder)) files.set(f, new Uint8Array(await readFile(join(folder, f))));
      return files;
    },
    async list() {
      if (!existsSync(dir)) return [];
      const entries = await readdir(dir, { withFileTypes: true });
      return entries
        .filter((e) => e.isDirectory() && !e.name.endsWith('.partial') && existsSync(join(dir, e.name, 'trainer_state.json')))
        .map((e) => e.name)
        .sort();
    },
    async remove(name) {
      await rm(join(dir, name), { recursive: true, force: true });
    },
  };
}
