/**
 * A CheckpointStore that survives a failed save: when the browser's storage is full (IndexedDB's
 * QuotaExceededError) or a write fails for another reason, the training goes on. The failure is
 * reported once per checkpoint (through `onFailure`), the checkpoints already stored stay as they
 * were (each is written in one transaction, so a failed write leaves nothing half-written), and
 * the next scheduled checkpoint simply tries again.
 *
 *   const guard = guardCheckpointStore(store, (f) => emit(...));
 *   runTraining({ store: guard.store, ... });
 *   guard.failed('step-000000004')   // true: that save did not happen (skip its `checkpoint` event)
 *
 * The loop believes a failed save happened (it must not stop); callers ask `failed(name)` before
 * announcing a checkpoint.
 */
import type { CheckpointStore } from '../train/checkpoint';

export interface CheckpointSaveFailure {
  /** 'save': the new checkpoint is not stored; 'delete': an old one could not be pruned (it stays). */
  action: 'save' | 'delete';
  /** The checkpoint that could not be written, e.g. step-000000004. */
  name: string;
  step: number;
  /** True when the storage quota was exceeded (the disk or the site's share of it is full). */
  quota: boolean;
  /** The storage's own message. */
  message: string;
}

export interface GuardedCheckpointStore {
  store: CheckpointStore;
  /** True when the save of this checkpoint failed (and was not retried successfully since). */
  failed(name: string): boolean;
}

/** QuotaExceededError from IndexedDB / OPFS (by name; some engines only say it in the message). */
export function isQuotaError(e: unknown): boolean {
  const name = (e as { name?: unknown })?.name;
  const message = (e as { message?: unknown })?.message;
  return name === 'QuotaExceededError' || (typeof message === 'string' && /quota/i.test(message));
}

function stepOfName(name: string): number {
  const m = /(\d+)$/.exec(name);
  return m ? Number(m[1]) : NaN;
}

export function guardCheckpointStore(inner: CheckpointStore, onFailure: (f: CheckpointSaveFailure) => void): GuardedCheckpointStore {
  const failedNames = new Set<string>();
  const store: CheckpointStore = {
    async save(name, files) {
      try {
        await inner.save(name, files);
        failedNames.delete(name);
      } catch (e) {
        failedNames.add(name);
        const message = e instanceof Error ? (e.message ? `${e.name}: ${e.message}` : e.name) : String(e);
        onFailure({ action: 'save', name, step: stepOfName(name), quota: isQuotaError(e), message });
      }
    },
    load: (name) => inner.load(name),
    list: () => inner.list(),
    async remove(name) {
      // Pruning old checkpoints when space is short must not end the run either: they stay until the next save prunes them.
      try {
        await inner.remove(name);
      } catch (e) {
        onFailure({ action: 'delete', name, step: stepOfName(name), quota: isQuotaError(e), message: (e as Error)?.message ?? String(e) });
      }
    },
  };
  return { store, failed: (name) => failedNames.has(name) };
}
