/**
 * Node-only ByteSource over a file on disk: each read is one positioned `read` of the slice asked
 * for, so a 440 MB checkpoint is never held whole. Keep this file out of browser/worker imports.
 */
import { openSync, readSync, fstatSync, closeSync, readdirSync, readlinkSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { TabtuneError } from '../../core/errors';
import { detectModelFile, type ByteSource } from '../../core/io';

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

/**
 * Every regular file directly inside `dir` as a ByteSource (what a dropped folder gives the page).
 * A symbolic link counts as the file it points at. A link whose target is missing is an error
 * naming the link when its name is a model file the loader reads (config, weights, vocabulary,
 * tokenizer); any other broken link is left out and reported through `onSkipped`.
 */
export function nodeFolderSources(dir: string, options: { onSkipped?: (name: string, reason: string) => void } = {}): ByteSource[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (e) {
    throw new TabtuneError(`cannot read folder (${(e as Error).message})`, { file: dir, code: 'file-open' });
  }
  const out: ByteSource[] = [];
  for (const n of names.sort()) {
    const path = join(dir, n);
    let isFile: boolean;
    try {
      isFile = statSync(path).isFile();
    } catch (e) {
      let target = '?';
      try {
        target = readlinkSync(path);
      } catch {
        // not a link: the entry vanished or cannot be read
      }
      const reason = target === '?' ? `cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})` : `is a symbolic link to ${target}, which does not exist`;
      if (detectModelFile(n).kind !== 'unknown' && !IGNORED_KINDS.has(detectModelFile(n).kind)) {
        throw new TabtuneError(reason, { file: path, expected: `the model file ${n} (fix or remove the link)`, code: 'file-open' });
      }
      options.onSkipped?.(n, reason);
      continue;
    }
    if (isFile) out.push(nodeFileSource(path, n));
  }
  return out;
}

/** Model-folder files the loader never reads: a broken link to one is only a warning. */
const IGNORED_KINDS = new Set(['special-tokens', 'ckpt-meta']);
