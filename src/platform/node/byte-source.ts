/**
 * Node-only ByteSource over a file on disk: each read is one positioned `read` of the slice asked
 * for, so a 440 MB checkpoint is never held whole. Keep this file out of browser/worker imports.
 */
import { openSync, readSync, fstatSync, closeSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { TabtuneError } from '../../core/errors';
import type { ByteSource } from '../../core/io';

export function nodeFileSource(path: string, name = basename(path)): ByteSource {
  let size: number;
  try {
    size = statSync(path).size;
  } catch (e) {
    throw new TabtuneError(`cannot open file (${(e as Error).message})`, { file: path, code: 'file-open' });
  }
  return {
    size,
    name,
    read: async (begin, end) => {
      const b = Math.max(0, Math.min(begin, size));
      const e = Math.max(b, Math.min(end, size));
      const out = new Uint8Array(e - b);
      const fd = openSync(path, 'r');
      try {
        const st = fstatSync(fd);
        if (st.size !== size) {
          throw new TabtuneError(`changed size while being read (${size} -> ${st.size} bytes)`, { file: path, code: 'file-changed' });
        }
        let done = 0;
        while (done < out.byteLength) {
          const n = readSync(fd, out, done, out.byteLength - done, b + done);
          if (n <= 0) break;
          done += n;
        }
        if (done !== out.byteLength) {
          throw new TabtuneError(`short read at byte ${b + done}`, { file: path, expected: `${out.byteLength} bytes`, code: 'file-read' });
        }
      } finally {
        closeSync(fd);
      }
      return out;
    },
  };
}

/** Every regular file directly inside `dir` as a ByteSource (what a dropped folder gives the page). */
export function nodeFolderSources(dir: string): ByteSource[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (e) {
    throw new TabtuneError(`cannot read folder (${(e as Error).message})`, { file: dir, code: 'file-open' });
  }
  return names
    .sort()
    .filter((n) => statSync(join(dir, n)).isFile())
    .map((n) => nodeFileSource(join(dir, n), n));
}
