/**
 * Node-only checkpoint store: one folder per checkpoint under `dir`. A checkpoint is written to
 * `<name>.partial` and renamed when complete, so an interrupted save never shadows a good one.
 *
 * Nothing this store did not write is ever deleted: `remove` (the loop's "keep the newest N")
 * only removes checkpoints saved through this very store, and `save` refuses to replace a
 * checkpoint folder it did not write. `extraFiles` (the run's metadata) go into every checkpoint.
 */
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { TabtuneError } from '../../core/errors';
import type { CheckpointStore } from '../../core/train';

export interface FsCheckpointStoreOptions {
  /** Written into every checkpoint beside its own files (e.g. tabtune_run.json). */
  extraFiles?: () => ReadonlyMap<string, Uint8Array>;
  /** Told when `remove` leaves a checkpoint alone because this store did not write it. */
  onKept?: (name: string) => void;
}

const CHECKPOINT_EXPECTED = 'a checkpoint folder written by tabtune train (model.safetensors, optimizer.safetensors, trainer_state.json)';

export function createFsCheckpointStore(dir: string, options: FsCheckpointStoreOptions = {}): CheckpointStore {
  const written = new Set<string>();
  return {
    async save(name, files) {
      const tmp = join(dir, `${name}.partial`);
      const final = join(dir, name);
      if (existsSync(final) && !written.has(name)) {
        throw new TabtuneError('a checkpoint of another run is in the way', { file: final, expected: 'a checkpoints folder holding only this run’s checkpoints (resume with --resume, or pass --overwrite)', code: 'checkpoint-exists' });
      }
      await rm(tmp, { recursive: true, force: true });
      await mkdir(tmp, { recursive: true });
      for (const [file, bytes] of files) await writeFile(join(tmp, file), bytes);
      for (const [file, bytes] of options.extraFiles?.() ?? []) if (!files.has(file)) await writeFile(join(tmp, file), bytes);
      await rm(final, { recursive: true, force: true });
      await rename(tmp, final);
      written.add(name);
    },
    async load(name) {
      const folder = join(dir, name);
      if (!existsSync(folder)) {
        throw new TabtuneError('no such checkpoint', { file: folder, expected: CHECKPOINT_EXPECTED, code: 'checkpoint-missing' });
      }
      if (!statSync(folder).isDirectory()) {
        throw new TabtuneError('is a file, not a checkpoint folder', { file: folder, expected: CHECKPOINT_EXPECTED, code: 'checkpoint-missing' });
      }
      const entries = await readdir(folder, { withFileTypes: true });
      if (!entries.some((e) => e.name === 'trainer_state.json')) {
        // A run folder or a folder of checkpoints instead of one checkpoint: name the newest inside.
        const base = existsSync(join(folder, 'checkpoints')) ? join(folder, 'checkpoints') : folder;
        const inner = createFsCheckpointStore(base);
        const names = await inner.list();
        const newest = names[names.length - 1];
        const sub = entries.filter((e) => e.isDirectory()).map((e) => e.name);
        throw new TabtuneError(
          newest
            ? `is a folder of checkpoints, not one checkpoint (newest inside: ${newest})`
            : `is not a checkpoint folder${sub.length ? ` (it holds the folders ${sub.slice(0, 5).join(', ')}${sub.length > 5 ? ', …' : ''})` : ''}`,
          { file: folder, expected: newest ? `one checkpoint folder, e.g. --resume-from ${join(base, newest)}, or --resume with --out` : CHECKPOINT_EXPECTED, code: 'checkpoint-folder' },
        );
      }
      const files = new Map<string, Uint8Array>();
      for (const e of entries) {
        const path = join(folder, e.name);
        // Only regular files (a symlink counts when it points at one); subfolders are not ours.
        let isFile = e.isFile();
        if (e.isSymbolicLink()) {
          try {
            isFile = statSync(path).isFile();
          } catch {
            throw new TabtuneError('is a symbolic link to a missing file', { file: path, expected: 'checkpoint files that exist', code: 'checkpoint-files' });
          }
        }
        if (isFile) files.set(e.name, new Uint8Array(await readFile(path)));
      }
      return files;
    },
    async list() {
      if (!existsSync(dir) || !statSync(dir).isDirectory()) return [];
      const entries = await readdir(dir, { withFileTypes: true });
      return entries
        .filter((e) => e.isDirectory() && !e.name.endsWith('.partial') && existsSync(join(dir, e.name, 'trainer_state.json')))
        .map((e) => e.name)
        .sort();
    },
    async remove(name) {
      if (!written.has(name)) {
        options.onKept?.(name);
        return;
      }
      await rm(join(dir, name), { recursive: true, force: true });
      written.delete(name);
    },
  };
}
