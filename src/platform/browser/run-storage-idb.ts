/**
 * RunStorage on IndexedDB (the `idb` package). Database "tabtune-runs", version 1:
 *   runs         key id                  RunRecord
 *   series       key runId               { runId, series: StoredSeries }
 *   checkpoints  key [runId, step]       StoredCheckpoint, index "byRun" on runId
 * Works in the page and in the worker (same origin, same database).
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
      await (await db()).put('runs', run);
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
      await (await db()).put('series', { runId, series });
    },
    async getSeries(runId) {
      return (await (await db()).get('series', runId))?.series;
    },
    async putCheckpoint(c, keep = 2) {
      const d = await db();
      await d.put('checkpoints', c);
      const keys = (await checkpointKeys(c.runId)).sort((a, b) => a[1] - b[1]);
      const drop = keep > 0 ? keys.slice(0, Math.max(0, keys.length - keep)) : [];
      if (drop.length > 0) {
        const tx = d.transaction('checkpoints', 'readwrite');
        await Promise.all(drop.map((k) => tx.store.delete(k)));
        await tx.done;
      }
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
