/**
 * Where a command may write (Node only). Every output path is compared with every input by its
 * real path (symlinks resolved, also for a path that does not exist yet: its nearest existing
 * ancestor is resolved), so `--out` can never name, hold or sit on a file the command reads.
 *
 *   checkOutputFolder   --out DIR: not a file, not an input folder or file, holds no input
 *   checkOutputFile     --out FILE (and the files written beside it): not a folder, not an input,
 *                       an existing file only with --overwrite
 *   folderEntries       what an existing folder holds (for "non-empty" decisions)
 */
import { existsSync, lstatSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { TabtuneError } from '../../core/errors';

export interface InputPath {
  path: string;
  /** What it is, for messages: "the model folder (--model)". */
  what: string;
}

/**
 * The real path of `p`; for a path that does not exist, its nearest existing ancestor's real
 * path joined with the rest. An output (`output`) that is a dangling symlink is refused: writing
 * to it would create its target somewhere else; an input that is one stays as it is (its
 * reader reports it).
 */
export function realPathOf(p: string, output = false): string {
  const abs = resolve(p);
  const rest: string[] = [];
  let cur = abs;
  for (;;) {
    try {
      return join(realpathSync(cur), ...rest.reverse());
    } catch {
      // A dangling symlink: writing to it would write to its target.
      try {
        if (lstatSync(cur).isSymbolicLink() && !output) return join(cur, ...rest.reverse());
        if (lstatSync(cur).isSymbolicLink()) throw new TabtuneError('is a symbolic link to a missing target', { file: cur, expected: 'an output path that is a real folder or file (or does not exist yet)', code: 'out-path' });
      } catch (e) {
        if (e instanceof TabtuneError) throw e;
      }
      const parent = dirname(cur);
      if (parent === cur) return join(cur, ...rest.reverse());
      rest.push(basename(cur));
      cur = parent;
    }
  }
}

function inside(child: string, parent: string): boolean {
  return child.startsWith(parent.endsWith(sep) ? parent : parent + sep);
}

/** Names in an existing folder ([] when it does not exist). */
export function folderEntries(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir);
}

/**
 * `--out DIR` of a command that writes a folder. Refuses: an existing file; the folder of an
 * input or an input file itself; a folder holding an input (at any depth) except the paths in
 * `allowInside` (a checkpoint being resumed inside --out/checkpoints).
 */
export function checkOutputFolder(out: string, inputs: readonly InputPath[], options: { flag?: string; allowInside?: readonly string[] } = {}): void {
  const flag = options.flag ?? '--out';
  if (existsSync(out) && !statSync(out).isDirectory()) {
    throw new TabtuneError(`${flag} is an existing file`, { file: out, expected: 'a folder to write into (a new or empty one, or an earlier run of the same data)', code: 'out-is-file' });
  }
  const real = realPathOf(out, true);
  const allowed = (options.allowInside ?? []).map((p) => realPathOf(p));
  for (const input of inputs) {
    const r = realPathOf(input.path);
    if (r === real) {
      throw new TabtuneError(`${flag} is ${input.what}: writing there would overwrite the input`, { file: out, expected: `an output folder other than ${input.path}`, code: 'out-is-input' });
    }
    if (inside(r, real) && !allowed.some((a) => a === r || inside(r, a) || inside(a, r))) {
      throw new TabtuneError(`${flag} holds ${input.what} (${input.path}): writing there could overwrite the input`, { file: out, expected: 'an output folder that holds none of the inputs', code: 'out-holds-input' });
    }
  }
}

/**
 * `--out FILE` of a command that writes files: `file` and `companions` (names written in the
 * same folder, e.g. nbest_predictions.json). Refuses: a folder; an input (or an input's
 * folder); an existing file unless `overwrite`.
 */
export function checkOutputFile(out: string, inputs: readonly InputPath[], options: { flag?: string; companions?: readonly string[]; overwrite?: boolean } = {}): void {
  const flag = options.flag ?? '--out';
  if (existsSync(out) && statSync(out).isDirectory()) {
    throw new TabtuneError(`${flag} is an existing folder`, { file: out, expected: 'a file path to write (e.g. predictions.tsv)', code: 'out-is-folder' });
  }
  const targets = [out, ...(options.companions ?? []).map((n) => join(dirname(out), n))];
  for (const target of targets) {
    const real = realPathOf(target, true);
    for (const input of inputs) {
      const r = realPathOf(input.path);
      if (r === real) {
        throw new TabtuneError(`${flag} would write over ${input.what}`, { file: target, expected: `an output path other than ${input.path}`, code: 'out-is-input' });
      }
    }
    if (target !== out) continue;
    if (existsSync(target) && !options.overwrite) {
      throw new TabtuneError(`${flag} already exists`, { file: target, expected: 'a new file, or --overwrite to replace it', code: 'out-exists' });
    }
  }
}
