/**
 * Node-only DataSource over a file on disk (CLI, tests, benchmarks). Not exported from the
 * data module's index, so the browser bundle never sees node:fs.
 */
import { createReadStream, statSync } from 'node:fs';
import { basename } from 'node:path';
import { TabtuneError } from '../../core/errors';
import type { DataSource } from '../../core/data';

export function sourceFromFile(path: string, name = basename(path)): DataSource {
  let size: number;
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new Error('not a file');
    size = st.size;
  } catch {
    throw new TabtuneError('cannot read the file', { file: path, expected: 'an existing, readable file', code: 'file' });
  }
  return {
    name,
    size,
    async *chunks() {
      for await (const chunk of createReadStream(path, { highWaterMark: 1 << 16 })) {
        yield new Uint8Array(chunk as Buffer);
      }
    },
  };
}
