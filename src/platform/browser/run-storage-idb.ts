/**
 * RunStorage on IndexedDB (the `idb` package). Database "tabtune-runs", version 1:
 *   runs         key id                  RunRecord
 *   series       key runId               { runId, series: StoredSeries }
 *   checkpoints  key [runId, step]       StoredCheckpoint, index "byRun" on runId
 * Works in the page and in the worker (same origin, same database).
 *
 * Atomic writes: a checkpoint (all of its files) is one record, written together with the pruning
 * of the run's older checkpoints in ONE readwrite transaction. When the write fails (the origin's
 * quota is exceeded, the disk is full) the whole transaction is rolled back: the older checkpoints
 * are neither overwritten nor deleted, and nothing half-written is left. The failure is thrown as
 * the transaction's own error (a DOMException named QuotaExceededError when storage is full), not
 * as the AbortError its requests get.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import {
  checkpointBytes, patchRun, type CheckpointInfo, type RunRecord, type RunStorage, type StoredCheckpoint, type StoredSeries,
} from '../../core/io';

interface RunsDb extends DBSchema {
  runs: { key: string; value: RunRecord };
  series: { key: string; value: { runId: string; series: StoredSeries } };
  checkpoints: { key: [string, number]; value: StoredCheckpoint; indexes: { byRun: string } };
}

export const RUNS_DB_NAME = 'tabtune-runs';

/** Awaits a transaction's requests and its commit; a failure is the transaction's own error. */
async function settle(tx: { done: Promise<void>; error: DOMException | null; abort(): void }, requests: Array<Promise<unknown>>): Promise<void> {
  try {
    await Promise.all([...requests, tx.done]);
  } catch (e) {
    try {
      tx.abort();
    } catch {
      // already finished or aborted
    }
    await tx.done.catch(() => undefined);
    throw tx.error ?? e;
  }
}

export function createIdbRunStorage(dbName = RUNS_DB_NAME): RunStorage {
  let dbp: Promise<IDBPDatabase<RunsDb>> | null = null;
  const db = (): Promise<IDBPDatabase<RunsDb>> => {
    if (!dbp) {
      dbp = openDB<RunsDb>(dbName, 1, {
        upgrade(d) {
          d.createObjectStore('runs', { keyPath: 'id' });
          d.createObjectStore('series', { keyPath: 'runId' });
          const cps = d.createObjectStore('checkpoints', { keyPath: ['runId', 'step'] });
          cps.createIndex('byRun', 'runId');
        },
      });
    }
    return dbp;
  };

  const checkpointKeys = async (runId: string): Promise<Array<[string, number]>> => {
    const d = await db();
    return (await d.getAllKeysFromIndex('checkpoints', 'byRun', runId)) as Array<[string, number]>;
  };

  const storage: RunStorage = {
    async listRuns() {
      const all = await (await db()).getAll('runs');
      return all.sort((a, b) => b.created - a.created);
    },
    async getRun(id) {
      return (await db()).get('runs', id);
    },
    async putRun(run) {
      const tx = (await db()).transaction('runs', 'readwrite');
      await settle(tx, [tx.store.put(run)]);
    },
    async updateRun(id, patch) {
      const d = await db();
      const tx = d.transaction('runs', 'readwrite');
      const run = await tx.store.get(id);
      if (!run) {
        tx.abort();
        await tx.done.catch(() => undefined);
        throw new Error(`no stored run with id ${id}`);
      }
      const next = patchRun(run, patch);
      await tx.store.put(next);
      await tx.done;
      return next;
    },
    async renameRun(id, name) {
      return storage.updateRun(id, { name });
    },
    async deleteRun(id) {
      const d = await db();
      const keys = await checkpointKeys(id);
      const tx = d.transaction(['runs', 'series', 'checkpoints'], 'readwrite');
      await Promise.all([
        tx.objectStore('runs').delete(id),
        tx.objectStore('series').delete(id),
        ...keys.map((k) => tx.objectStore('checkpoints').delete(k)),
      ]);
      await tx.done;
    },
    async putSeries(runId, series) {
      const tx = (await db()).transaction('series', 'readwrite');
      await settle(tx, [tx.store.put({ runId, series })]);
    },
    async getSeries(runId) {
      return (await (await db()).get('series', runId))?.series;
    },
    async putCheckpoint(c, keep = 2) {
      const d = await db();
      const tx = d.transaction('checkpoints', 'readwrite');
      const requests: Array<Promise<unknown>> = [];
      // Handled by settle(); the no-op keeps a request failing during the awaits below from being reported as unhandled.
      const track = (p: Promise<unknown>): void => {
        p.catch(() => undefined);
        requests.push(p);
      };
      try {
        // The put and the pruning commit together or not at all.
        track(tx.store.put(c));
        const keys = ((await tx.store.index('byRun').getAllKeys(c.runId)) as Array<[string, number]>).filter((k) => k[1] !== c.step);
        keys.push([c.runId, c.step]);
        keys.sort((a, b) => a[1] - b[1]);
        const drop = keep > 0 ? keys.slice(0, Math.max(0, keys.length - keep)) : [];
        for (const k of drop) track(tx.store.delete(k));
      } catch (e) {
        // put() throws at once for a value that cannot be stored (DataCloneError): roll back.
        requests.push(Promise.reject(e));
      }
      await settle(tx, requests);
    },
    async latestCheckpoint(runId) {
      const keys = (await checkpointKeys(runId)).sort((a, b) => a[1] - b[1]);
      if (keys.length === 0) return undefined;
      return (await db()).get('checkpoints', keys[keys.length - 1]);
    },
    async getCheckpoint(runId, step) {
      return (await db()).get('checkpoints', [runId, step]);
    },
    async deleteCheckpoint(runId, step) {
      await (await db()).delete('checkpoints', [runId, step]);
    },
    async listCheckpoints(runId): Promise<CheckpointInfo[]> {
      const all = await (await db()).getAllFromIndex('checkpoints', 'byRun', runId);
      return all
        .sort((a, b) => a.step - b.step)
        .map(({ files, meta: _meta, ...info }) => ({ ...info, bytes: checkpointBytes({ files }) }));
    },
    async markInterrupted() {
      const d = await db();
      const tx = d.transaction('runs', 'readwrite');
      const ids: string[] = [];
      for (const r of await tx.store.getAll()) {
        if (r.status === 'running') {
          ids.push(r.id);
          await tx.store.put(patchRun(r, { status: 'interrupted' }));
        }
      }
      await tx.done;
      return ids;
    },
  };
  return storage;
}
