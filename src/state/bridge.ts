/**
 * The worker bridge: the ONLY code that writes worker events into the store. It creates the
 * worker, forwards typed commands, restarts the worker if it crashes (re-sending the dropped
 * files, which are kept as File references), and reads the stored runs (IndexedDB) for the run
 * list.
 *
 * Faults (issue 13): a crashed worker and a lost GPU both end the run with its last checkpoint
 * kept and a fresh worker booted (a lost WebGPU device cannot be used again; the new worker asks
 * for a new one), so Resume continues from the checkpoint. A GPU lost with no run active replaces
 * the worker at once (files and settings given again), so the next Start works at the first press;
 * the lost-GPU message is dismissed once the new worker is ready. A run is trained by one tab only: the
 * bridge holds the run's Web Lock (run-lock.ts) from start/resume until the run ends, refuses to
 * resume or delete a run whose lock another tab holds, and lists such runs in
 * `lockedRunIds` so the page shows them read-only.
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
import { stepsFromSeries, type RunFileStore, type RunStorage } from '../core/io';
import type { Settings } from '../core/settings';
import type { StepMetrics } from '../core/train';
import type { ColumnChoice, Command, DemoOptions, ExportFormat, FileInput, PredictInput } from '../protocol';
import { isWorkerEvent, postCommand, type MessageTarget, type WorkerEvent } from '../protocol';
import { applyEvent } from './apply-event';
import { createRunLocks, type LockManagerLike, type RunLocks } from './run-lock';
import { canLoadModel, reopenedRunState } from './stored-run';
import { createOpfsRunFileStore, hasOpfs } from '../platform/browser/opfs-files';
import { requestPersistence, storageUse } from '../platform/browser/storage-quota';
import { createSeriesStore, type SeriesStore } from './series';
import { clearRunPanels, settleMessages } from './state-truth';
import { freeUnrecordedCopies, keptFilesStates as keptFilesStates_ } from './kept-files';
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
  /** Runs' kept files (the page: OPFS), freed with their run; absent or null: none. */
  runFiles?: RunFileStore | null;
  /** This origin's storage use and the request for persistent storage (the page: navigator.storage). */
  quota?: { use(): Promise<{ usage: number; quota: number; persisted: boolean } | null>; persist(): Promise<boolean> };
  /** Called after each event is applied (tests, the e2e hooks). */
  onEvent?: (ev: WorkerEvent) => void;
  /** Clock for the restart limit (tests). */
  now?: () => number;
  /** The per-run Web Locks (default: none, every run is this tab's). */
  locks?: RunLocks;
  /** How often other tabs' run locks are looked up for `lockedRunIds` (ms; 0 or absent: never). */
  lockPollMs?: number;
  /** Development builds only: receives the hooks the fault tests use (never set in production). */
  onTestHooks?: (hooks: BridgeTestHooks) => void;
}

/** What the e2e fault tests may do to a page (installed only by a development build). */
export interface BridgeTestHooks {
  /** Terminates the worker as it is (mid-step) and takes the crash path its error event takes. */
  crashWorker(): void;
}

/** Statuses after which the run no longer writes: its lock is let go. */
const ENDED = new Set(['idle', 'finished', 'stopped', 'failed']);
/** Statuses of a run going on (started from the page, or training in the worker). */
const RUNNING = new Set(['preparing', 'training', 'paused', 'evaluating', 'stopping']);

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
  /** Starts a run with the current task and settings (`keepFiles`, default true: keep its files in this browser). Returns the run id. */
  start(runName?: string, options?: { keepFiles?: boolean }): string;
  pause(): void;
  resume(): void;
  stop(): void;
  evaluate(): void;
  /** Returns the request id; the answer lands in store.prediction. */
  predict(input: PredictInput): number;
  /** Returns the request id; the files land in store.exportState ('hf', the default) or store.formatExports[format] (one zip). \`lora\`: a LoRA run as merged weights (default) or peft's adapter files. */
  exportModel(format?: ExportFormat, lora?: 'merged' | 'adapter'): number;
  /** "Fine-tune this model next": the last run's encoder becomes the pre-trained model (the file list follows). */
  fineTuneNext(): void;
  /** Resumes a stored run; refused (a \`run-locked\` error) while another tab trains it. */
  resumeRun(runId: string): Promise<void>;
  /** Returns the demo run's id. */
  startDemo(options?: DemoOptions): string;
  refreshRuns(): Promise<void>;
  /** Frees copies of dropped files whose run was never recorded (a reload or closed tab during the copy); says so in the log. */
  freeUnrecordedCopies(): Promise<void>;
  renameRun(id: string, name: string): Promise<void>;
  deleteRun(id: string): Promise<void>;
  loadRunSeries(id: string): Promise<StepMetrics[]>;
  /**
   * Reopens a stored run: its curve, evaluations, outcome and settings from storage at once; a
   * run whose checkpoint and data are at hand (kept files, or the demo) also gets its model loaded
   * in the worker (no step trained) for the demos, predictions and downloads.
   */
  openRun(id: string): Promise<void>;
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
  const locks = options.locks ?? createRunLocks(null);
  /** Set by a device-lost error: the worker is replaced once its run has ended. */
  let gpuLost = false;
  /** Runs started from this page (their kept files may be being copied now). */
  const startedHere = new Set<string>();
  /** Set when the worker was replaced after a GPU loss with no run active, until the new one is ready. */
  let gpuRecovering = false;
  let lockTimer: ReturnType<typeof setInterval> | null = null;

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
    if (ev.type === 'error' && ev.code === 'device-lost') {
      if (!ev.fatal && !RUNNING.has(store.getState().status)) {
        // Lost with no run active: nothing waits for a run's end, so the worker is replaced now,
        // before the next Start (which then goes to the new worker, on a new device, at once).
        gpuRecovering = true;
        restartWorker();
        log('warn', 'the GPU was lost while no run was active: a new worker was started, which asks for a new GPU device; your files and settings were given to it');
      } else {
        gpuLost = true;
      }
    }
    if (ev.type === 'ready' && gpuRecovering) {
      gpuRecovering = false;
      // What the lost-GPU message warned about is resolved: the new worker is up.
      store.setState((st) => ({ errors: st.errors.filter((e) => !(e.code === 'device-lost' && !e.fatal)) }));
      log('info', 'the GPU was recovered: a new worker is ready with a new GPU device, and Start works as usual');
    }
    if (ev.type === 'status' && ENDED.has(ev.status)) {
      if (ev.runId) locks.release(ev.runId);
      if (gpuLost) {
        gpuLost = false;
        // The lost device is gone for good in this worker: a new worker asks for a new one.
        restartWorker();
        log('warn', 'the GPU was lost: a new worker was started, which will use a new GPU device; Resume continues the run from its last checkpoint');
      }
    }
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
    if (runId) locks.release(runId);
    if (giveUp) {
      try {
        worker.terminate();
      } catch {
        // already gone
      }
      dead = true;
      return;
    }
    restarts.push(t);
    restartWorker(s);
  };

  /** A fresh worker with the user's files and choices (`s`: the state to restore them from). */
  const restartWorker = (s = store.getState()): void => {
    try {
      worker.terminate();
    } catch {
      // already gone
    }
    store.setState({ workerReady: false });
    boot();
    if (kept.size > 0) postCommand(worker, { type: 'loadFiles', files: [...kept.values()] });
    // The new worker's session starts from the defaults: give it the user's choices again.
    const st = s.settingsState;
    const edits = Object.fromEntries(st.edited.map((k) => [k, st.settings[k]])) as Partial<Settings>;
    if (s.taskOverridden || st.edited.length > 0 || st.columns) {
      postCommand(worker, { type: 'configure', task: s.taskOverridden && s.task ? s.task : undefined, edits, columns: st.columns });
    }
  };

  const refreshLocks = async (): Promise<void> => {
    const elsewhere = [...(await locks.heldElsewhere())].sort();
    const before = store.getState().lockedRunIds;
    const same = before.length === elsewhere.length && before.every((x, i) => x === elsewhere[i]);
    if (!same) store.setState({ lockedRunIds: elsewhere });
    // Another tab's run changes as it trains: its record is read again while it is shown read-only.
    if (!same || elsewhere.length > 0) refreshSoon();
  };

  const lockedMessage = (runId: string): string => {
    const name = store.getState().runs.find((r) => r.id === runId)?.name ?? runId;
    return `run "${name}" is running in another tab: it is read-only here (resume or delete it there, or close that tab first)`;
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
  if (options.lockPollMs && options.lockPollMs > 0) {
    lockTimer = setInterval(() => void refreshLocks().catch(() => undefined), options.lockPollMs);
    void refreshLocks().catch(() => undefined);
  }
  options.onTestHooks?.({
    crashWorker() {
      worker.terminate();
      // The event a crashed worker fires (a plain object: tests in Node have no ErrorEvent).
      worker.onerror?.({ type: 'error', message: 'the worker was terminated mid-run (test hook)', preventDefault: () => undefined } as unknown as ErrorEvent);
    },
  });

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
    updateSettings(patch) {
      // Shown at once: a controlled input (the trainable-parameter radios, a checkbox) would
      // otherwise snap back until the session's `settings` answer arrives, which on a busy
      // machine is long enough to be seen (and for a test's click to read the old state). The
      // session's answer then replaces these settings with the validated ones.
      store.setState((s) => ({ settings: { ...s.settings, ...patch } }));
      send({ type: 'configure', edits: patch });
    },
    resetSettings: () => send({ type: 'configure', reset: true }),
    setColumns: (columns) => send({ type: 'configure', columns }),
    start(runName, startOptions = {}) {
      const runId = newRunId();
      startedHere.add(runId);
      const s = store.getState();
      series.reset();
      store.setState({ status: 'preparing', runId, phases: {}, evals: [], finished: null });
      // A fresh random id cannot be held by another tab: take its lock without waiting for it.
      void locks.acquire(runId).catch(() => undefined);
      const keepFiles = startOptions.keepFiles ?? true;
      send({ type: 'start', runId, runName: runName ?? `${s.task ?? 'run'} ${new Date().toLocaleString()}`, ...(keepFiles ? {} : { keepFiles: false }) });
      // The first run whose files are kept: ask the browser not to evict this origin's storage.
      if (keepFiles && options.quota && !s.runs.some((r) => (r.keptFiles?.length ?? 0) > 0)) {
        void options.quota.persist().then(() => bridge.refreshRuns()).catch(() => undefined);
      }
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
    exportModel(format, lora) {
      const id = ++requestId;
      const pending = { requestId: id, status: 'pending' as const, files: [], zip: null, error: null };
      if (format && format !== 'hf') store.setState((s) => ({ formatExports: { ...s.formatExports, [format]: pending } }));
      else store.setState({ exportState: pending });
      send({ type: 'export', requestId: id, ...(format && format !== 'hf' ? { format } : {}), ...(lora ? { lora } : {}) });
      return id;
    },
    fineTuneNext: () => send({ type: 'fineTuneNext' }),
    async resumeRun(runId) {
      let mine: boolean;
      try {
        mine = await locks.acquire(runId);
      } catch (e) {
        mine = true;
        log('warn', `the run lock could not be taken (${(e as Error).message}); resuming anyway`);
      }
      if (!mine) {
        onEvent({ type: 'error', fatal: false, lastCheckpointStep: null, message: lockedMessage(runId), code: 'run-locked' });
        void refreshLocks().catch(() => undefined);
        return;
      }
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
      const runs = await storage.listRuns();
      // The cards say what the browser's storage holds of each run's kept files, not just what the records list.
      const keptFilesStates = options.runFiles ? await keptFilesStates_(options.runFiles, runs).catch(() => store.getState().keptFilesStates) : {};
      store.setState({ runs, keptFilesStates });
      const use = await options.quota?.use().catch(() => null);
      if (use !== undefined) store.setState({ storageUse: use });
    },
    async freeUnrecordedCopies() {
      const files = options.runFiles;
      if (!storage || !files) return;
      const recorded = new Set((await storage.listRuns()).map((r) => r.id));
      const freed = await freeUnrecordedCopies(
        files,
        recorded,
        async (id) => !startedHere.has(id) && !locks.holds(id) && (await locks.acquire(id)),
        (id) => locks.release(id),
      );
      if (freed.length > 0) {
        log('warn', `freed ${freed.length === 1 ? 'a copy' : `${freed.length} copies`} of dropped files left unfinished by a reload or a closed tab while they were being kept (the run had not begun, so nothing else was lost)`);
        await bridge.refreshRuns();
      }
    },
    async renameRun(id, name) {
      if (!storage) return;
      await storage.renameRun(id, name);
      await bridge.refreshRuns();
    },
    async deleteRun(id) {
      if (!storage) return;
      if ((await locks.heldElsewhere()).has(id)) throw new Error(lockedMessage(id));
      await storage.deleteRun(id);
      await options.runFiles?.deleteFiles(id);
      store.setState((s) => ({ compareIds: s.compareIds.filter((x) => x !== id) }));
      await bridge.refreshRuns();
    },
    async loadRunSeries(id) {
      if (!storage) return [];
      const s = await storage.getSeries(id);
      return s ? stepsFromSeries(s) : [];
    },
    async openRun(id) {
      if (!storage) return;
      const record = await storage.getRun(id);
      if (!record) throw new Error(`no stored run ${id}`);
      const steps = await bridge.loadRunSeries(id);
      series.reset();
      if (steps.length > 0) series.append(steps);
      store.setState(reopenedRunState(record, steps));
      // The stored curve stays on screen until the worker's runStarted replaces it with the same one.
      // The run's model is loaded for the demos, predictions and downloads: a finished run's by resuming
      // it at its end (the loop trains nothing and evaluates it again, which lists its predictions); an
      // unfinished run's from its last checkpoint without training (its stored record is not changed).
      if (canLoadModel(record)) send(record.status === 'finished' ? { type: 'resumeRun', runId: id } : { type: 'openRun', runId: id });
    },
    send,
    dispose() {
      disposed = true;
      if (lockTimer) clearInterval(lockTimer);
      locks.releaseAll();
      worker.terminate();
    },
  };
  return bridge;
}

let singleton: StudioBridge | null = null;

/** The page's bridge: a module worker, IndexedDB storage, the global store. */
export function getBridge(): StudioBridge {
  if (singleton) return singleton;
  const nav = typeof navigator === 'undefined' ? undefined : (navigator as Navigator & { locks?: LockManagerLike });
  const locks = createRunLocks(nav?.locks ?? null);
  singleton = createBridge({
    store: studioStore,
    createWorker: () => new Worker(new URL('../worker/worker.ts', import.meta.url), { type: 'module' }) as unknown as WorkerLike,
    storage: lazyIdbStorage(),
    locks,
    lockPollMs: LOCK_POLL_MS,
    // Development builds only (Vite drops this in production): the e2e fault tests crash the worker through it.
    onTestHooks: import.meta.env.DEV ? (hooks) => ((globalThis as { __tabtuneTestHooks?: BridgeTestHooks }).__tabtuneTestHooks = hooks) : undefined,
    runFiles: hasOpfs() ? createOpfsRunFileStore() : null,
    quota: { use: storageUse, persist: requestPersistence },
  });
  void (async () => {
    const st = await loadIdbStorage();
    if (!st) return;
    // A run left 'running' by a closed tab is interrupted; one another open tab trains (its lock is held) is not.
    await markOrphansInterrupted(st, await locks.heldElsewhere());
    await singleton?.refreshRuns();
    await singleton?.freeUnrecordedCopies();
  })().catch(() => undefined);
  return singleton;
}

/** How often the page looks for runs other tabs train. */
export const LOCK_POLL_MS = 1500;

/** Marks the stored 'running' runs interrupted, except those training in another tab. Returns their ids. */
export async function markOrphansInterrupted(storage: RunStorage, trainingElsewhere: ReadonlySet<string>): Promise<string[]> {
  const ids: string[] = [];
  for (const r of await storage.listRuns()) {
    if (r.status !== 'running' || trainingElsewhere.has(r.id)) continue;
    await storage.updateRun(r.id, { status: 'interrupted' });
    ids.push(r.id);
  }
  return ids;
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
