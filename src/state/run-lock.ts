/**
 * One Web Lock per run (`tabtune-run-<id>`), held by the tab whose worker trains the run, so two
 * tabs of the same origin never write the same run's checkpoints at once. A tab takes the lock
 * before it starts or resumes a run (`ifAvailable`: it never waits) and releases it when the run
 * ends; a closed or crashed tab releases it by itself. Another tab sees the run's lock held (by
 * `query()`) and shows the run read-only.
 *
 *   const locks = createRunLocks(navigator.locks);
 *   if (!(await locks.acquire(runId))) refuse('running in another tab');
 *   ...; locks.release(runId);
 *   const elsewhere = await locks.heldElsewhere();   // run ids training in other tabs
 *
 * The LockManager is injected (tests pass a fake); without one (an old browser) every acquire
 * succeeds and nothing is held elsewhere.
 */

export const RUN_LOCK_PREFIX = 'tabtune-run-';

export function runLockName(runId: string): string {
  return `${RUN_LOCK_PREFIX}${runId}`;
}

/** The part of the Web Locks API (navigator.locks) used here. */
export interface LockManagerLike {
  request(name: string, options: { ifAvailable?: boolean; mode?: 'exclusive' | 'shared' }, callback: (lock: unknown) => Promise<unknown> | unknown): Promise<unknown>;
  query(): Promise<{ held?: Array<{ name?: string }>; pending?: Array<{ name?: string }> }>;
}

export interface RunLocks {
  /** Takes the run's lock if no tab holds it; false when another tab (or this one) already does. */
  acquire(runId: string): Promise<boolean>;
  /** Lets the run's lock go (no-op when not held here). */
  release(runId: string): void;
  /** True when this tab holds the run's lock. */
  holds(runId: string): boolean;
  /** Runs whose lock is held by some other tab. */
  heldElsewhere(): Promise<Set<string>>;
  /** Releases every lock this tab holds. */
  releaseAll(): void;
}

export function createRunLocks(locks: LockManagerLike | null | undefined): RunLocks {
  /** runId -> resolves the held lock's callback (which releases it). */
  const held = new Map<string, () => void>();
  const pendingAcquire = new Map<string, Promise<boolean>>();

  const acquire = (runId: string): Promise<boolean> => {
    if (held.has(runId)) return Promise.resolve(true);
    const pending = pendingAcquire.get(runId);
    if (pending) return pending;
    if (!locks) {
      held.set(runId, () => undefined);
      return Promise.resolve(true);
    }
    const p = new Promise<boolean>((resolve, reject) => {
      locks
        .request(runLockName(runId), { ifAvailable: true }, (lock) => {
          if (lock === null) {
            resolve(false);
            return undefined;
          }
          // Held until release() resolves this promise.
          return new Promise<void>((release) => {
            held.set(runId, release);
            resolve(true);
          });
        })
        .catch(reject);
    }).finally(() => pendingAcquire.delete(runId));
    pendingAcquire.set(runId, p);
    return p;
  };

  const release = (runId: string): void => {
    const r = held.get(runId);
    if (!r) return;
    held.delete(runId);
    r();
  };

  return {
    acquire,
    release,
    holds: (runId) => held.has(runId),
    async heldElsewhere() {
      const out = new Set<string>();
      if (!locks) return out;
      const snapshot = await locks.query();
      for (const l of snapshot.held ?? []) {
        if (!l.name?.startsWith(RUN_LOCK_PREFIX)) continue;
        const id = l.name.slice(RUN_LOCK_PREFIX.length);
        if (!held.has(id)) out.add(id);
      }
      return out;
    },
    releaseAll() {
      for (const id of [...held.keys()]) release(id);
    },
  };
}
