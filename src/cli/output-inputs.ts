/**
 * The inputs a command's output must stay clear of (the model folder and each file in it, the
 * vocabulary, the data files), and the "non-empty folder needs --overwrite" rule of the
 * commands that write a folder but are not training runs (export, export-job).
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { TabtuneError } from '../core/errors';
import { folderEntries, type InputPath } from '../platform/node/output-paths';

export function modelInputs(modelDir: string, vocab: string | undefined, data: readonly InputPath[]): InputPath[] {
  const files = existsSync(modelDir) && statSync(modelDir).isDirectory() ? readdirSync(modelDir).map((n) => ({ path: join(modelDir, n), what: `a file of the model folder (${n})` })) : [];
  return [
    { path: modelDir, what: 'the model folder (--model)' },
    ...files,
    ...(vocab ? [{ path: vocab, what: 'the vocabulary (--vocab)' }] : []),
    ...data,
  ];
}

export function refuseNonEmpty(out: string, overwrite: boolean, flag = '--out'): void {
  const entries = folderEntries(out);
  if (entries.length > 0 && !overwrite) {
    throw new TabtuneError(`${flag} is not empty (${entries.slice(0, 3).join(', ')}${entries.length > 3 ? ', …' : ''})`, { file: out, expected: 'a new or empty folder, or --overwrite to write into it', code: 'out-not-empty' });
  }
}
