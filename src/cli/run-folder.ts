/**
 * A `tabtune train --out` folder as a run: tabtune_run.json (task and data fingerprint) marks it,
 * and a copy goes into every checkpoint. Decides whether a run may write into a folder:
 *   - new or empty: yes;
 *   - a run of the same data: yes (with --resume, or after its checkpoints are moved aside by
 *     --overwrite; its checkpoints are never deleted);
 *   - anything else (other files, or a run of other data): only with --overwrite.
 * And refuses to resume from a checkpoint made on other data, naming both fingerprints.
 */
import { existsSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { TabtuneError } from '../core/errors';
import { fingerprintFiles, FINGERPRINT_HEAD_BYTES } from '../core/io';
import { nodeFileSource } from '../platform/node/byte-source';
import { folderEntries } from '../platform/node/output-paths';

export const RUN_FILE = 'tabtune_run.json';

export interface RunMeta {
  format: 'tabtune-run';
  version: 1;
  task: string;
  /** fingerprintFiles() of the training file (size and first 64 KiB), under the name "train:<task>". */
  data_fingerprint: string;
  train: string;
  dev?: string;
  model: string;
  created: string;
}

/** The data fingerprint of a run: the training file's size and head, and the task (not the file's name or folder). */
export async function dataFingerprint(trainFile: string, task: string): Promise<string> {
  const src = nodeFileSource(trainFile);
  const head = await src.read(0, FINGERPRINT_HEAD_BYTES);
  return fingerprintFiles([{ name: `train:${task}`, size: src.size, head }]);
}

export function runMetaBytes(meta: RunMeta): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(meta, null, 2) + '\n');
}

function parseRunMeta(text: string, file: string): RunMeta {
  let json: Partial<RunMeta>;
  try {
    json = JSON.parse(text) as Partial<RunMeta>;
  } catch (e) {
    throw new TabtuneError(`is not JSON (${(e as Error).message})`, { file, expected: 'the run metadata tabtune train writes', code: 'run-meta' });
  }
  if (json?.format !== 'tabtune-run' || typeof json.data_fingerprint !== 'string') {
    throw new TabtuneError('is not tabtune run metadata', { file, expected: 'format "tabtune-run" with a data_fingerprint', code: 'run-meta' });
  }
  return json as RunMeta;
}

/** The run metadata in `dir`, or null when there is none. */
export function readRunMeta(dir: string): RunMeta | null {
  const file = join(dir, RUN_FILE);
  if (!existsSync(file)) return null;
  return parseRunMeta(readFileSync(file, 'utf8'), file);
}

const short = (fp: string) => fp.slice(0, 12);

export interface RunFolderDecision {
  /** The metadata already there (same data), kept as it is. */
  existing: RunMeta | null;
}

/**
 * May a run of `fingerprint` write into `out`? Throws a TabtuneError naming the folder and what
 * is expected when not. With `overwrite`, an earlier run's checkpoints/ is renamed
 * checkpoints.replaced-<time> (not deleted) so the two runs' checkpoints never mix.
 */
export function prepareRunFolder(out: string, fingerprint: string, options: { overwrite: boolean; resuming: boolean; log: (m: string) => void; now?: Date }): RunFolderDecision {
  const entries = folderEntries(out);
  if (entries.length === 0) return { existing: null };
  const meta = readRunMeta(out);
  const sameData = meta !== null && meta.data_fingerprint === fingerprint;
  const checkpoints = join(out, 'checkpoints');
  const hasCheckpoints = folderEntries(checkpoints).some((n) => !n.endsWith('.partial'));
  if (options.resuming) {
    // Continuing a run: its checkpoints stay where they are, whatever --overwrite says.
    if (meta && !sameData) {
      throw new TabtuneError(`cannot resume on different data: the run in --out was trained on data with fingerprint ${short(meta.data_fingerprint)} (${meta.train}), the files given now have ${short(fingerprint)}`, {
        file: out,
        expected: `the training file the run was started with (${meta.train}), or a new --out without --resume`,
        code: 'resume-data',
      });
    }
    if (meta || hasCheckpoints || options.overwrite) return { existing: meta };
  }
  if (!meta && !options.overwrite) {
    throw new TabtuneError(`--out is not empty (${entries.slice(0, 3).join(', ')}${entries.length > 3 ? ', …' : ''}) and is not a tabtune train run`, {
      file: out,
      expected: `a new or empty folder, an earlier run of the same data (with ${RUN_FILE}), or --overwrite`,
      code: 'out-not-empty',
    });
  }
  if (meta && !sameData && !options.overwrite) {
    throw new TabtuneError(`--out holds a run on other data (data fingerprint ${short(meta.data_fingerprint)} there, ${short(fingerprint)} for the files given now)`, {
      file: out,
      expected: `another --out, the training file of that run (${meta.train}), or --overwrite`,
      code: 'out-other-run',
    });
  }
  if (hasCheckpoints && !options.resuming) {
    if (!options.overwrite) {
      throw new TabtuneError('--out already holds the checkpoints of a run of this data', {
        file: checkpoints,
        expected: 'continue it with --resume, or pass --overwrite to start over (its checkpoints are then moved aside, not deleted)',
        code: 'out-has-checkpoints',
      });
    }
    const aside = join(out, `checkpoints.replaced-${(options.now ?? new Date()).toISOString().replace(/[:.]/g, '-')}`);
    renameSync(checkpoints, aside);
    options.log(`--overwrite: the earlier run's checkpoints were moved to ${aside}`);
  }
  return { existing: sameData ? meta : null };
}

/** Refuses a checkpoint whose run metadata names other data than `fingerprint`. */
export function checkCheckpointData(files: ReadonlyMap<string, Uint8Array>, fingerprint: string, checkpoint: string): void {
  const bytes = files.get(RUN_FILE);
  if (!bytes) return; // a checkpoint without run metadata: the loop still checks the feature count
  const meta = parseRunMeta(new TextDecoder().decode(bytes), join(checkpoint, RUN_FILE));
  if (meta.data_fingerprint !== fingerprint) {
    throw new TabtuneError(`cannot resume on different data: the checkpoint was made on data with fingerprint ${short(meta.data_fingerprint)} (${meta.train}), the files given now have ${short(fingerprint)}`, {
      file: checkpoint,
      expected: `the training file the run was started with (${meta.train}), or a new --out without --resume`,
      code: 'resume-data',
    });
  }
}
