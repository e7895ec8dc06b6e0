/**
 * Runs that survive a reload: the interface, the record types, an in-memory implementation
 * (tests, Node) and the data fingerprint. The IndexedDB implementation is src/platform/browser/run-storage-idb.ts
 * (same interface, `idb` package). Used by the worker (writes runs, metrics, checkpoints) and
 * the page (lists, renames, deletes, compares).
 *
 * A run = a RunRecord (settings, task, fingerprint of the data, status, eval history; small, for
 * the run list) + its StoredSeries (the per-step curves, columnar) + its checkpoints (the core
 * checkpoint's files by name, the newest `keep` per run).
 */
import type { DataSelection } from './data-selection';
import type { TaskName } from '../data/types';
import type { ByteSource } from './safetensors';
import type { EvalResult, StepMetrics } from '../train/types';

export type StoredRunStatus = 'running' | 'paused' | 'finished' | 'stopped' | 'failed' | 'interrupted';

export interface RunRecord {
  id: string;
  name: string;
  /** ms since epoch. */
  created: number;
  updated: number;
  task: TaskName;
  /** The RunSettings the run was started with (protocol/settings.ts), kept as plain JSON. */
  settings: Record<string, unknown>;
  labels: string[];
  /** fingerprintFiles() of the data and model files the run was trained on. */
  fingerprint: string;
  /** Which examples of those files it used (limits, table columns); absent in records saved before it was kept. */
  dataSelection?: DataSelection;
  fileNames: string[];
  status: StoredRunStatus;
  isDemo: boolean;
  /** Demo runs: the generator's seed (the data is regenerated on resume). */
  demoSeed?: number;
  /** Demo runs: the size chosen for it (core/session demo-size.ts), kept for resume. */
  demoSize?: string;
  /** Demo runs: what the size probe chose and why (core/session DemoSizeChoice), plain JSON, shown again when the run is reopened. */
  demoChoice?: Record<string, unknown>;
  /** The model's shape (protocol ModelSummary), plain JSON. */
  model: Record<string, unknown> | null;
  backend: string | null;
  totalSteps: number;
  lastStep: number;
  lastLoss: number | null;
  lastCheckpointStep: number | null;
  evals: EvalResult[];
  finalMetrics: Record<string, number> | null;
  error: string | null;
  /** Paths of the run's files kept in the RunFileStore (the browser: OPFS), so it resumes without a new drop; [] or absent: none kept. */
  keptFiles?: string[];
}

/** Per-step curves, columnar (compact in IndexedDB). */
export interface StoredSeries {
  step: Float64Array;
  epoch: Float64Array;
  loss: Float64Array;
  learningRate: Float64Array;
  gradNorm: Float64Array;
  examplesPerSec: Float64Array;
}

export interface StoredCheckpoint {
  runId: string;
  step: number;
  epoch: number;
  created: number;
  /** The core checkpoint's files (weights, optimizer state, trainer state) by name. */
  files: Record<string, Uint8Array>;
  /** Small JSON the core checkpoint carries besides its files (data order, rng state...). */
  meta: unknown;
}

export type CheckpointInfo = Omit<StoredCheckpoint, 'files' | 'meta'> & { bytes: number };

export interface RunStorage {
  /** Newest first. */
  listRuns(): Promise<RunRecord[]>;
  getRun(id: string): Promise<RunRecord | undefined>;
  putRun(run: RunRecord): Promise<void>;
  /** Merges `patch` into the stored record (and sets `updated`); throws if the run does not exist. */
  updateRun(id: string, patch: Partial<Omit<RunRecord, 'id'>>): Promise<RunRecord>;
  renameRun(id: string, name: string): Promise<RunRecord>;
  /** Deletes the run, its series and all its checkpoints. */
  deleteRun(id: string): Promise<void>;
  putSeries(runId: string, series: StoredSeries): Promise<void>;
  getSeries(runId: string): Promise<StoredSeries | undefined>;
  /** Saves a checkpoint and deletes the run's older ones beyond the newest `keep` (default 2; 0 keeps all). */
  putCheckpoint(checkpoint: StoredCheckpoint, keep?: number): Promise<void>;
  latestCheckpoint(runId: string): Promise<StoredCheckpoint | undefined>;
  getCheckpoint(runId: string, step: number): Promise<StoredCheckpoint | undefined>;
  deleteCheckpoint(runId: string, step: number): Promise<void>;
  /** Oldest first. */
  listCheckpoints(runId: string): Promise<CheckpointInfo[]>;
  /** Runs whose status is 'running' are marked 'interrupted' (call once at page load). Returns their ids. */
  markInterrupted(): Promise<string[]>;
}

export function seriesFromSteps(steps: readonly StepMetrics[]): StoredSeries {
  const n = steps.length;
  const s: StoredSeries = {
    step: new Float64Array(n), epoch: new Float64Array(n), loss: new Float64Array(n),
    learningRate: new Float64Array(n), gradNorm: new Float64Array(n), examplesPerSec: new Float64Array(n),
  };
  steps.forEach((m, i) => {
    s.step[i] = m.step;
    s.epoch[i] = m.epoch;
    s.loss[i] = m.loss;
    s.learningRate[i] = m.learningRate;
    s.gradNorm[i] = m.gradNorm;
    s.examplesPerSec[i] = m.examplesPerSec;
  });
  return s;
}

/** Back to StepMetrics (fields not stored are 0). */
export function stepsFromSeries(s: StoredSeries): StepMetrics[] {
  const out: StepMetrics[] = [];
  for (let i = 0; i < s.step.length; i++) {
    out.push({
      step: s.step[i], epoch: s.epoch[i], loss: s.loss[i], learningRate: s.learningRate[i], gradNorm: s.gradNorm[i],
      examplesPerSec: s.examplesPerSec[i], tokensPerSec: 0, memoryBytes: 0, numTensors: 0,
    });
  }
  return out;
}

export function checkpointBytes(c: Pick<StoredCheckpoint, 'files'>): number {
  let n = 0;
  for (const f of Object.values(c.files)) n += f.byteLength;
  return n;
}

/** What fingerprintFiles reads of each file. */
export interface FingerprintInput {
  name: string;
  size: number;
  /** The first bytes of the file (fingerprintFiles uses at most 64 KiB). */
  head: Uint8Array;
}

export const FINGERPRINT_HEAD_BYTES = 65536;

/**
 * SHA-256 (hex) over each file's name, size and first 64 KiB, in name order: the same files give
 * the same fingerprint whatever order they were dropped in, so a resumed run can check that the
 * user dropped the same data again.
 */
export async function fingerprintFiles(files: readonly FingerprintInput[]): Promise<string> {
  const enc = new TextEncoder();
  const parts: Uint8Array[] = [];
  for (const f of [...files].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    parts.push(enc.encode(`${f.name}\u0000${f.size}\u0000`));
    parts.push(f.head.subarray(0, FINGERPRINT_HEAD_BYTES));
    parts.push(enc.encode('\u0000'));
  }
  const total = parts.reduce((n, p) => n + p.byteLength, 0);
  const all = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    all.set(p, o);
    o += p.byteLength;
  }
  const digest = await crypto.subtle.digest('SHA-256', all);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

function missingRun(id: string): Error {
  return new Error(`no stored run with id ${id}`);
}

/** Applies a patch to a record (shared by both implementations). */
export function patchRun(run: RunRecord, patch: Partial<Omit<RunRecord, 'id'>>, now = Date.now()): RunRecord {
  return { ...run, ...patch, id: run.id, updated: patch.updated ?? now };
}

/** Keeps structured-clone semantics (no shared references with the caller), as IndexedDB does. */
function clone<T>(v: T): T {
  return structuredClone(v);
}

export function createMemoryRunStorage(): RunStorage {
  const runs = new Map<string, RunRecord>();
  const series = new Map<string, StoredSeries>();
  const checkpoints = new Map<string, StoredCheckpoint[]>();

  const getOrThrow = (id: string): RunRecord => {
    const r = runs.get(id);
    if (!r) throw missingRun(id);
    return r;
  };

  return {
    async listRuns() {
      return [...runs.values()].sort((a, b) => b.created - a.created).map(clone);
    },
    async getRun(id) {
      const r = runs.get(id);
      return r && clone(r);
    },
    async putRun(run) {
      runs.set(run.id, clone(run));
    },
    async updateRun(id, patch) {
      const next = patchRun(getOrThrow(id), patch);
      runs.set(id, clone(next));
      return next;
    },
    async renameRun(id, name) {
      return this.updateRun(id, { name });
    },
    async deleteRun(id) {
      runs.delete(id);
      series.delete(id);
      checkpoints.delete(id);
    },
    async putSeries(runId, s) {
      series.set(runId, clone(s));
    },
    async getSeries(runId) {
      const s = series.get(runId);
      return s && clone(s);
    },
    async putCheckpoint(c, keep = 2) {
      const list = (checkpoints.get(c.runId) ?? []).filter((x) => x.step !== c.step);
      list.push(clone(c));
      list.sort((a, b) => a.step - b.step);
      checkpoints.set(c.runId, keep > 0 ? list.slice(Math.max(0, list.length - keep)) : list);
    },
    async latestCheckpoint(runId) {
      const list = checkpoints.get(runId);
      return list && list.length > 0 ? clone(list[list.length - 1]) : undefined;
    },
    async getCheckpoint(runId, step) {
      const c = checkpoints.get(runId)?.find((x) => x.step === step);
      return c && clone(c);
    },
    async deleteCheckpoint(runId, step) {
      const list = checkpoints.get(runId);
      if (list) checkpoints.set(runId, list.filter((x) => x.step !== step));
    },
    async listCheckpoints(runId) {
      return (checkpoints.get(runId) ?? []).map(({ files, meta: _meta, ...info }) => ({ ...info, bytes: checkpointBytes({ files }) }));
    },
    async markInterrupted() {
      const ids: string[] = [];
      for (const r of runs.values()) {
        if (r.status === 'running') {
          runs.set(r.id, patchRun(r, { status: 'interrupted' }));
          ids.push(r.id);
        }
      }
      return ids;
    },
  };
}

/** One file of a run kept in a RunFileStore. */
export interface KeptRunFile {
  /** Its path as dropped (inside a dropped folder, else its name). */
  path: string;
  size: number;
}

/**
 * What a RunFileStore holds for a run: its files whole ('kept'), a copy cut short before its
 * manifest was written ('unfinished': a reload or a closed tab during the copy), or nothing.
 */
export type KeptFilesState = 'kept' | 'unfinished' | 'missing';

/**
 * The files a run was trained on (model, vocabulary, datasets), kept so the run resumes after a
 * reload without the user dropping them again. The browser's is src/platform/browser/opfs-files.ts
 * (the Origin Private File System); createMemoryRunFileStore is the same in memory.
 */
export interface RunFileStore {
  /** Copies the files for the run (replacing what it kept before); `onProgress` in bytes. */
  saveFiles(runId: string, files: ReadonlyArray<{ path: string; source: ByteSource }>, onProgress?: (done: number, total: number) => void): Promise<KeptRunFile[]>;
  /** The run's kept files (path order); [] when none. */
  listFiles(runId: string): Promise<KeptRunFile[]>;
  /** The run's kept files as byte sources read in slices (path order); [] when none. */
  openFiles(runId: string): Promise<Array<{ path: string; source: ByteSource }>>;
  /** Frees the run's files (nothing kept: no error). */
  deleteFiles(runId: string): Promise<void>;
  /** Ids of the runs with kept files. */
  listRuns(): Promise<string[]>;
  /** Whether the run's files are all there, a copy of them was cut short, or none are kept. */
  keptState(runId: string): Promise<KeptFilesState>;
}

/** Total bytes of a list of files. */
export function totalBytes(files: ReadonlyArray<{ size: number }>): number {
  return files.reduce((n, f) => n + f.size, 0);
}

const COPY_CHUNK = 4 << 20;

/** Reads a byte source in 4 MiB slices (what a store writes, without holding a whole model twice). */
export async function* sourceChunks(source: ByteSource): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < source.size; at += COPY_CHUNK) yield await source.read(at, Math.min(source.size, at + COPY_CHUNK));
}

/** RunFileStore in memory (tests, Node): the bytes are copied in, so the caller's sources may go away. */
export function createMemoryRunFileStore(): RunFileStore {
  const runs = new Map<string, Map<string, Uint8Array>>();
  const sourceOf = (path: string, bytes: Uint8Array): ByteSource => ({
    name: path,
    size: bytes.byteLength,
    read: async (begin, end) => bytes.slice(begin, end),
  });
  return {
    async saveFiles(runId, files, onProgress) {
      const total = totalBytes(files.map((f) => f.source));
      const kept = new Map<string, Uint8Array>();
      let done = 0;
      for (const f of files) {
        const bytes = new Uint8Array(f.source.size);
        let at = 0;
        for await (const chunk of sourceChunks(f.source)) {
          bytes.set(chunk, at);
          at += chunk.byteLength;
          done += chunk.byteLength;
          onProgress?.(done, total);
        }
        kept.set(f.path, bytes);
      }
      runs.set(runId, kept);
      return this.listFiles(runId);
    },
    async listFiles(runId) {
      return [...(runs.get(runId) ?? new Map<string, Uint8Array>()).entries()].map(([path, b]) => ({ path, size: b.byteLength })).sort((a, b) => (a.path < b.path ? -1 : 1));
    },
    async openFiles(runId) {
      return [...(runs.get(runId) ?? new Map<string, Uint8Array>()).entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([path, b]) => ({ path, source: sourceOf(path, b) }));
    },
    async deleteFiles(runId) {
      runs.delete(runId);
    },
    async listRuns() {
      return [...runs.keys()];
    },
    async keptState(runId) {
      // A save here is one step (no copy can be cut short): kept or missing.
      return runs.has(runId) ? 'kept' : 'missing';
    },
  };
}
