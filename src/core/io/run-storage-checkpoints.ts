/**
 * The training loop's CheckpointStore (core/train/checkpoint.ts) over a RunStorage: the loop's
 * checkpoint files of one run go into IndexedDB (or memory) as StoredCheckpoints keyed by step.
 * The loop names checkpoints `step-000001000` and removes old ones itself, so this store keeps
 * everything it is given.
 */
import { TabtuneError } from '../errors';
import { CHECKPOINT_FILES, checkpointName, type CheckpointStore } from '../train/checkpoint';
import type { RunStorage } from './run-storage';

function stepOf(name: string): number {
  const m = /^step-(\d+)$/.exec(name);
  if (!m) throw new TabtuneError(`unexpected checkpoint name ${name}`, { file: name, expected: 'step-NNNNNNNNN', code: 'checkpoint-name' });
  return Number(m[1]);
}

function epochOf(files: Map<string, Uint8Array>): number {
  const state = files.get(CHECKPOINT_FILES.state);
  if (!state) return 0;
  try {
    const json = JSON.parse(new TextDecoder().decode(state)) as { state?: { epoch?: number } };
    return typeof json.state?.epoch === 'number' ? json.state.epoch : 0;
  } catch {
    return 0;
  }
}

export interface RunCheckpointStoreOptions {
  /** Called after each save with the step and the bytes written. */
  onSaved?: (step: number, epoch: number, bytes: number) => void;
}

export function runCheckpointStore(storage: RunStorage, runId: string, options: RunCheckpointStoreOptions = {}): CheckpointStore {
  return {
    async save(name, files) {
      const step = stepOf(name);
      const epoch = epochOf(files);
      const record: Record<string, Uint8Array> = {};
      let bytes = 0;
      for (const [k, v] of files) {
        record[k] = v;
        bytes += v.byteLength;
      }
      await storage.putCheckpoint({ runId, step, epoch, created: Date.now(), files: record, meta: null }, 0);
      options.onSaved?.(step, epoch, bytes);
    },
    async load(name) {
      const c = await storage.getCheckpoint(runId, stepOf(name));
      if (!c) {
        throw new TabtuneError(`run ${runId} has no checkpoint ${name}`, { file: name, expected: 'a checkpoint saved by this run', code: 'checkpoint-missing' });
      }
      return new Map(Object.entries(c.files));
    },
    async list() {
      return (await storage.listCheckpoints(runId)).map((c) => checkpointName(c.step));
    },
    async remove(name) {
      await storage.deleteCheckpoint(runId, stepOf(name));
    },
  };
}
