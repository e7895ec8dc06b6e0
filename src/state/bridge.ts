/**
 * The worker bridge: the ONLY code that writes worker events into the store. It creates the
 * worker, forwards typed commands, restarts the worker if it crashes (re-sending the dropped
 * files, which are kept as File references), and reads the stored runs (IndexedDB) for the run
 * list.
 *
 * The UI uses the singleton:
 *   import { getBridge } from '../state/bridge';
 *   const b = getBridge();
 *   b.loadFiles(fileList);                 // File[] from a drop or <input type=file>; folder paths kept
 *   b.setTask('mrpc'); b.updateSettings({ learningRate: 3e-5 });   // the session answers with `settings`
 *   b.start('my run'); b.pause(); b.resume(); b.stop(); b.evaluate();
 *   b.predict({ kind: 'qa', context, question });  // result in store.prediction
 *   b.exportModel();                       // files in store.exportState
 *   b.startDemo(); b.resumeRun(id);
 *   await b.refreshRuns(); await b.renameRun(id, name); await b.deleteRun(id);
 *   const steps = await b.loadRunSeries(id);   // a stored run's loss curve (compare)
 *   b.series                               // live curves (series.ts), subscribe for charts
 */
import type { TaskName } from '../core/data';
import { stepsFromSeries, type RunStorage } from '../core/io';
import type { Settings } from '../core/settings';
import type { StepMetrics } from '../core/train';
import type { ColumnChoice, Command, DemoOptions, ExportFormat, FileInput, PredictInput } from '../protocol';
import { isWorkerEvent, postCommand, type MessageTarget, type WorkerEvent } from '../protocol';
import { applyEvent } from './apply-event';
import { createSeriesStore, type SeriesStore } from './series';
import { clearRunPanels, settleMessages } from './state-truth';
import { studioStore, type StudioStore } from './store';

/** The part of a Worker the bridge uses (a fake in tests). */
export interface WorkerLike extends MessageTarget {
  onmessage: ((ev: MessageEvent) => void) | null;
  onerror: ((ev: ErrorEvent | Event) => void) | null;
  onmessageerror?: ((ev: MessageEvent) => void) | null;
  terminate(): void;
}

export interface BridgeOptions {
  store: StudioStore;
  series?: SeriesStore;
  createWorker: () => WorkerLike;
  /** null: no persistence (the run list stays empty). */
  storage: RunStorage | null;
  /** Called after each event is applied (tests, the e2e hooks). */
  onEvent?: (ev: WorkerEvent) => void;
  /** Clock for the restart limit (tests). */
  now?: () => number;
}

/** A crashed worker is restarted at most this many times within RESTART_WINDOW_MS. */
export const MAX_RESTARTS = 3;
export const RESTART_WINDOW_MS = 60_000;

export interface StudioBridge {
  readonly store: StudioStore;
  readonly series: SeriesStore;
  loadFiles(files: ReadonlyArray<File | FileInput>): void;
  removeFile(path: string): void;
  /** The user's task (their choice wins over detection); the session answers with the task in force. */
  setTask(task: TaskName): void;
  /** Settings the user edited; the session answers with the settings in force (and any problem). */
  updateSettings(patch: Partial<Settings>): void;
  /** Back to the defaults for the task and the model. */
  resetSettings(): void;
  /** Task `tsv`: which columns hold text_a, text_b and the label. */
  setColumns(columns: ColumnChoice): void;
  /** Starts a run with the current task and settings. Returns the run id. */
  start(runName?: string): string;
  pause(): void;
  resume(): void;
  stop(): void;
  evaluate(): void;
  /** Returns the request id; the answer lands in store.prediction. */
  predict(input: PredictInput): number;
  /** Returns the request id; the files land in store.exportState ('hf', the default) or store.formatExports[format] (one zip). */
  exportModel(format?: ExportFormat): number;
  resumeRun(runId: string): void;
  /** Returns the demo run's id. */
  startDemo(options?: DemoOptions): string;
  refreshRuns(): Promise<void>;
  renameRun(id: string, name: string): Promise<void>;
  deleteRun(id: string): Promise<void>;
  loadRunSeries(id: string): Promise<StepMetrics[]>;
  /** Sends a raw command (escape hatch for tests). */
  send(command: Command): void;
  dispose(): void;
}

export function newRunId(now = Date.now()): string {
  const rand = Math.floor(Math.random() * 0x100000000).toString(16).padStart(8, '0');
  return `run-${now.toString(36)}-${rand}`;
}

function toFileInput(f: File | FileInput): FileInput {
  if (typeof File !== 'undefined' && f instanceof File) {
    const rel = (f as File & { webkitRelativePath?: string }).webkitRelativePath;
    return { path: rel && rel.length > 0 ? rel : f.name, data: f };
  }
  return f as FileInput;
}

export function createBridge(options: BridgeOptions): StudioBridge {
  const { store, storage } = options;
  const series = options.series ?? createSeriesStore();
  let worker: WorkerLike;
  let requestId = 0;
  let disposed = false;
  /** Files re-sent to a restarted worker (File references only: transferred buffers are gone). */
  const kept = new Map<string, FileInput>();
  const now = options.now ?? Date.now;
  /** When the worker was restarted after a crash (the last minute's). */
  let restarts: number[] = [];
  /** True once the restart limit was reached: commands are refused with an error. */
  let dead = false;

  const log = (level: 'info' | 'warn' | 'error', message: string): void => {
    applyEvent(store, series, { type: 'log', level, message, time: Date.now() });
  };

  const refreshSoon = (): void => {
    void bridge.refreshRuns().catch((e: unknown) => log('warn', `could not read the stored runs: ${(e as Error).message}`));
  };

  const onEvent = (ev: WorkerEvent): void => {
    applyEvent(store, series, ev);
    settleMessages(store, ev);
    if (ev.type === 'runStarted' || ev.type === 'checkpoint' || ev.type === 'finished' || (ev.type === 'error' && ev.fatal)) refreshSoon();
    options.onEvent?.(ev);
  };

  const boot = (): void => {
    worker = options.createWorker();
    worker.onmessage = (m: MessageEvent) => {
      if (isWorkerEvent(m.data)) onEvent(m.data);
    };
    worker.onerror = (e: ErrorEvent | Event) => {
      if ('preventDefault' in e) e.preventDefault();
      const message = (e as { message?: unknown }).message;
      crashed(typeof message === 'string' && message !== '' ? message : 'it failed without a message, often because it ran out of memory');
    };
    worker.onmessageerror = () => log('error', 'a message from the worker could not be read');
  };

  const crashed = (reason: string): void => {
    if (disposed || dead) return;
    const s = store.getState();
    const t = now();
    restarts = restarts.filter((x) => t - x < RESTART_WINDOW_MS);
    const giveUp = restarts.length >= MAX_RESTARTS;
    const kept_ = s.lastCheckpoint ? ` The checkpoint at step ${s.lastCheckpoint.step} is kept: after a reload, resume the run from the run list.` : '';
    onEvent({
      type: 'error', fatal: true,
      message: giveUp
        ? `The training worker stopped again (${reason}): it crashed ${restarts.length + 1} times within a minute, so it was not restarted. Reload the page to start a fresh worker, then try a smaller batch size or max sequence length (or another browser with WebGPU).${kept_}`
        : `The training worker stopped (${reason}). It was restarted; your files are still loaded${s.lastCheckpoint ? ` and the run can resume from step ${s.lastCheckpoint.step}` : ''}.`,
      code: giveUp ? 'worker-crash-loop' : 'worker-crash', lastCheckpointStep: s.lastCheckpoint?.step ?? null,
    });
    store.setState({ status: 'failed', workerReady: false });
    // The crashed worker cannot record it: mark its run interrupted so it can be resumed.
    const runId = s.runId;
    if (runId && storage && (s.status === 'training' || s.status === 'paused' || s.status === 'preparing' || s.status === 'evaluating' || s.status === 'stopping')) {
      void storage
        .getRun(runId)
        .then((r) => (r && (r.status === 'running' || r.status === 'paused') ? storage.updateRun(runId, { status: 'interrupted' }) : undefined))
        .then(() => bridge.refreshRuns())
        .catch(() => undefined);
    }
    try {
      worker.terminate();
    } catch {
      // already gone
    }
    if (giveUp) {
      dead = true;
      return;
    }
    restarts.push(t);
    boot();
    if (kept.size > 0) postCommand(worker, { type: 'loadFiles', files: [...kept.values()] });
    // The new worker's session starts from the defaults: give it the user's choices again.
    const st = s.settingsState;
    const edits = Object.fromEntries(st.edited.map((k) => [k, st.settings[k]])) as Partial<Settings>;
    if (s.taskOverridden || st.edited.length > 0 || st.columns) {
      postCommand(worker, { type: 'configure', task: s.taskOverridden && s.task ? s.task : undefined, edits, columns: st.columns });
    }
  };

  const send = (command: Command): void => {
    if (disposed) return;
    if (dead) {
      log('error', `the training worker is stopped after repeated crashes, so "${command.type}" was not sent: reload the page`);
      return;
    }
    postCommand(worker, command);
  };

  boot();

  const bridge: StudioBridge = {
    store,
    series,
    loadFiles(files) {
      const inputs = files.map(toFileInput);
      for (const f of inputs) {
        if (!(f.data instanceof ArrayBuffer)) kept.set(f.path, f);
        else kept.delete(f.path);
      }
      clearRunPanels(store, series);
      store.setState({ recognising: true });
      send({ type: 'loadFiles', files: inputs });
    },
    removeFile(path) {
      kept.delete(path);
      send({ type: 'removeFile', path });
    },
    setTask: (task) => send({ type: 'configure', task }),
    updateSettings: (patch) => send({ type: 'configure', edits: patch }),
    resetSettings: () => send({ type: 'configure', reset: true }),
    setColumns: (columns) => send({ type: 'configure', columns }),
    start(runName) {
      const runId = newRunId();
      const s = store.getState();
      series.reset();
      store.setState({ status: 'preparing', runId, phases: {}, evals: [], finished: null });
      send({ type: 'start', runId, runName: runName ?? `${s.task ?? 'run'} ${new Date().toLocaleString()}` });
      return runId;
    },
    pause: () => send({ type: 'pause' }),
    resume: () => send({ type: 'resume' }),
    stop: () => send({ type: 'stop' }),
    evaluate: () => send({ type: 'evaluate' }),
    predict(input) {
      const id = ++requestId;
      store.setState({ prediction: { requestId: id, input, status: 'pending', result: null, error: null } });
      send({ type: 'predict', requestId: id, input });
      return id;
    },
    exportModel(format) {
      const id = ++requestId;
      const pending = { requestId: id, status: 'pending' as const, files: [], zip: null, error: null };
      if (format && format !== 'hf') store.setState((s) => ({ formatExports: { ...s.formatExports, [format]: pending } }));
      else store.setState({ exportState: pending });
      send(format && format !== 'hf' ? { type: 'export', requestId: id, format } : { type: 'export', requestId: id });
      return id;
    },
    resumeRun(runId) {
      series.reset();
      store.setState({ status: 'preparing', runId, phases: {}, finished: null });
      send({ type: 'resumeRun', runId });
    },
    startDemo(opts) {
      const runId = newRunId();
      series.reset();
      store.setState({ status: 'preparing', runId, phases: {}, evals: [], finished: null });
      send({ type: 'demo', runId, runName: 'Demo: generated questions', options: opts });
      return runId;
    },
    async refreshRuns() {
      if (!storage) return;
      store.setState({ runs: await storage.listRuns() });
    },
    async renameRun(id, name) {
      if (!storage) return;
      await storage.renameRun(id, name);
      await bridge.refreshRuns();
    },
    async deleteRun(id) {
      if (!storage) return;
      await storage.deleteRun(id);
      store.setState((s) => ({ compareIds: s.compareIds.filter((x) => x !== id) }));
      await bridge.refreshRuns();
    },
    async loadRunSeries(id) {
      if (!storage) return [];
      const s = await storage.getSeries(id);
      return s ? stepsFromSeries(s) : [];
    },
    send,
    dispose() {
      disposed = true;
      worker.terminate();
    },
  };
  return bridge;
}

let singleton: StudioBridge | null = null;

/** The page's bridge: a module worker, IndexedDB storage, the global store. */
export function getBridge(): StudioBridge {
  if (singleton) return singleton;
  singleton = createBridge({
    store: studioStore,
    createWorker: () => new Worker(new URL('../worker/worker.ts', import.meta.url), { type: 'module' }) as unknown as WorkerLike,
    storage: lazyIdbStorage(),
  });
  void (async () => {
    const st = await loadIdbStorage();
    if (!st) return;
    await st.markInterrupted();
    await singleton?.refreshRuns();
  })().catch(() => undefined);
  return singleton;
}

let idbPromise: Promise<RunStorage | null> | null = null;

function loadIdbStorage(): Promise<RunStorage | null> {
  idbPromise ??= import('../platform/browser/run-storage-idb')
    .then((m) => (typeof indexedDB === 'undefined' ? null : m.createIdbRunStorage()))
    .catch(() => null);
  return idbPromise;
}

/** A RunStorage whose calls wait for the IndexedDB module (keeps idb out of the first paint). */
function lazyIdbStorage(): RunStorage {
  const call = <K extends keyof RunStorage>(k: K) =>
    (async (...args: unknown[]) => {
      const st = await loadIdbStorage();
      if (!st) throw new Error('IndexedDB is not available in this browser; runs are not kept');
      return (st[k] as (...a: unknown[]) => unknown)(...args);
    }) as RunStorage[K];
  return {
    listRuns: call('listRuns'), getRun: call('getRun'), putRun: call('putRun'), updateRun: call('updateRun'), renameRun: call('renameRun'),
    deleteRun: call('deleteRun'), putSeries: call('putSeries'), getSeries: call('getSeries'), putCheckpoint: call('putCheckpoint'),
    latestCheckpoint: call('latestCheckpoint'), getCheckpoint: call('getCheckpoint'), deleteCheckpoint: call('deleteCheckpoint'), listCheckpoints: call('listCheckpoints'), markInterrupted: call('markInterrupted'),
  };
}
