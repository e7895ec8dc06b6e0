/**
 * A `tabtune train --out` folder as a run: tabtune_run.json (task and data fingerprint) marks it,
 * and a copy goes into every checkpoint. Decides whether a run may write into a folder:
 *   - new or empty: yes;
 *   - a run of the same data: yes (with --resume, or after its checkpoints are moved aside by
 *     --overwrite; its checkpoints are never deleted);
 *   - anything else (other files, or a run of other data): only with --overwrite.
 * And refuses to resume from a checkpoint made on other data, naming both fingerprints.
 * "Same data" is the training file (data_fingerprint) read the same way (data_selection: the
 * example limits and a table's columns, core/io/data-selection.ts). Metadata written before
 * data_selection existed still compares by its file, with a warning that the rest is unchecked.
 */
import { existsSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { TabtuneError } from '../core/errors';
import { dataSelectionChanges, dataSelectionOf, fingerprintFiles, FINGERPRINT_HEAD_BYTES, isDataSelection, SELECTION_NOT_RECORDED, type DataSelection } from '../core/io';
import type { TaskName } from '../core/data';
import { defaultSettings, type Settings } from '../core/settings';
import { nodeFileSource } from '../platform/node/byte-source';
import { folderEntries } from '../platform/node/output-paths';

export const RUN_FILE = 'tabtune_run.json';

export interface RunMeta {
  format: 'tabtune-run';
  version: 1;
  task: string;
  /** fingerprintFiles() of the training file (size and first 64 KiB), under the name "train:<task>". */
  data_fingerprint: string;
  /** The example limits and table columns the run used; absent in metadata written before they were kept. */
  data_selection?: DataSelection;
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

/** The data a run trains on: the training file's fingerprint and how its examples are selected. */
export interface RunData {
  fingerprint: string;
  selection: DataSelection;
}

/**
 * The run data of `tabtune train`: the training file, and the limits in `edits` (the command's
 * preset and flags; unset: the task's defaults) and the table's columns.
 */
export async function runData(trainFile: string, task: TaskName, edits: Partial<Settings>, columns?: DataSelection['columns']): Promise<RunData> {
  const defaults = defaultSettings(task);
  return {
    fingerprint: await dataFingerprint(trainFile, task),
    selection: dataSelectionOf({ maxTrainExamples: edits.maxTrainExamples ?? defaults.maxTrainExamples, maxEvalExamples: edits.maxEvalExamples ?? defaults.maxEvalExamples }, columns ?? undefined),
  };
}

/** How the run in `meta` differs from `data`: both fingerprints, or each selection setting with both values; [] when the same. */
function differences(meta: RunMeta, data: RunData): string[] {
  if (meta.data_fingerprint !== data.fingerprint) return [`the run's training file has fingerprint ${short(meta.data_fingerprint)} (${meta.train}), the one given now ${short(data.fingerprint)}`];
  return isDataSelection(meta.data_selection) ? dataSelectionChanges(meta.data_selection, data.selection) : [];
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
export function prepareRunFolder(out: string, data: RunData, options: { overwrite: boolean; resuming: boolean; log: (m: string) => void; now?: Date }): RunFolderDecision {
  const entries = folderEntries(out);
  if (entries.length === 0) return { existing: null };
  const meta = readRunMeta(out);
  const changes = meta ? differences(meta, data) : [];
  const sameData = meta !== null && changes.length === 0;
  if (meta && sameData && !isDataSelection(meta.data_selection)) options.log(`warning: ${join(out, RUN_FILE)}: ${SELECTION_NOT_RECORDED}`);
  const checkpoints = join(out, 'checkpoints');
  const hasCheckpoints = folderEntries(checkpoints).some((n) => !n.endsWith('.partial'));
  if (options.resuming) {
    // Continuing a run: its checkpoints stay where they are, whatever --overwrite says.
    if (meta && !sameData) {
      throw new TabtuneError(`cannot resume on different data: ${changes.join('; ')}`, {
        file: out,
        expected: `the training file and example settings the run was started with (${meta.train}), or a new --out without --resume`,
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
    throw new TabtuneError(`--out holds a run on other data (${changes.join('; ')})`, {
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

/** Refuses a checkpoint whose run metadata names other data than `data` (another file, or other limits or columns). */
export function checkCheckpointData(files: ReadonlyMap<string, Uint8Array>, data: RunData, checkpoint: string): void {
  const bytes = files.get(RUN_FILE);
  if (!bytes) return; // a checkpoint without run metadata: the loop still checks the feature count
  const meta = parseRunMeta(new TextDecoder().decode(bytes), join(checkpoint, RUN_FILE));
  const changes = differences(meta, data);
  if (changes.length > 0) {
    throw new TabtuneError(`cannot resume on different data (the checkpoint's run metadata): ${changes.join('; ')}`, {
      file: checkpoint,
      expected: `the training file and example settings the run was started with (${meta.train}), or a new --out without --resume`,
      code: 'resume-data',
    });
  }
}
