/**
 * One fine-tuning session: the whole flow from files to a fine-tuned model, in one place, for the
 * page's worker and the CLI alike.
 *
 *   files -> recognition -> task detection -> settings (defaults for task and model, the user's
 *   edits, validation) -> plan (first examples, counts, steps) -> training -> evaluation ->
 *   prediction -> export
 *
 * The session holds the one copy of the files, the task and the settings; callers send changes
 * (addFiles, configure) and the session answers with events (SessionEvent): `taskDetected` once
 * per drop, `settings` with the settings in force and every problem, `plan` with what a run would
 * do. Each dataset is parsed once per session (a DatasetCache shared by counting, the preview,
 * the run's task adapter and the dev predictions). Storage and file access come in through
 * interfaces: RunStorage (the page's IndexedDB, or memory in tests), a CheckpointStore factory
 * (the CLI's folder), and ByteSource files.
 *
 *   const s = createSession({ emit, storage });
 *   await s.addFiles([{ path: 'model/config.json', source }, ...]);
 *   await s.configure({ edits: { learningRate: 3e-5 } });
 *   const run = await s.start({ runId, runName });   // resolves when the run has begun
 *   await s.idle();                                  // resolves when it has ended
 *
 * A method never throws for bad input: every problem is an `error` event (TabtuneError fields)
 * and the session keeps working. `signal` aborts a running training and disposes the session.
 */
import { TabtuneError } from '../errors';
import { sourceFromText } from '../data/source';
import type { TaskName } from '../data/types';
import type { BackendName, InitBackendOptions } from '../backend/init';
import { FINGERPRINT_HEAD_BYTES, fingerprintFiles, stepsFromSeries, type RunFileStore, type RunRecord, type RunStorage } from '../io/run-storage';
import { dataSelectionChanges, dataSelectionOf, isDataSelection, SELECTION_NOT_RECORDED } from '../io/data-selection';
import { loadPretrained } from '../io/load-pretrained';
import { demoInitialWeights } from '../data/demo-qa-model';
import { pipelineFor } from '../pipeline';
import { isSquadTask } from '../data/glue-tasks';
import { resolveSettings, settingsPatch, type ResolvedSettings, type SettingsContext } from '../settings/validate';
import type { Settings } from '../settings/schema';
import { deserializeCheckpoint, type CheckpointStore, type TrainingCheckpoint } from '../train/checkpoint';
import { countTrainSteps } from '../train/run-config';
import type { DatasetCache } from '../train/task-types';
import { analyseFiles, buildPreview, buildTokenizer, columnsFor, countRecords, modelSummary, type Analysis, type RecordCount } from './analysis';
import { backendEventFields, ensureBackend, isSoftwareRenderer, type BackendState } from './backend';
import { demoInputs, demoQuestions, demoTokenizer } from './demo';
import { probeDemo } from './demo-probe';
import { chooseDemoSize, demoDeviceKind, demoSizeSettings, SMALLEST_DEMO_SIZE, storedDemoChoice, type DemoSizeChoice } from './demo-size';
import { errorInfo } from './errors';
import type { ColumnChoice, DemoOptions, ExportFormat, PredictInput, PredictResult, SessionEvent, SettingsState } from './events';
import { exportOnnxRun, exportRun, exportTorchJobRun } from './export';
import { byteSource, dataSource, recogniseFile, type KeptFile, type SessionFile } from './files';
import { startRun, type ActiveRun, type RunOutcome, type RunSpec } from './run';
import { predictDataset } from './predict-data';
import { mlmPlanCounts } from './mlm-analysis';
import { ADAPTED_PREFIX, adaptedModelFiles, fillMaskPrediction, type LoraExportMode } from './adapted-model';
import { createCalibrator } from './calibrator';
import { evaluationCount } from './estimate-plan';
import { annotateUnused } from './unused-files';

export interface SessionOptions {
  emit(event: SessionEvent): void;
  /** Run records, curves and checkpoints (the page: IndexedDB); null keeps nothing. */
  storage?: RunStorage | null;
  /** Where a run's checkpoints go instead of `storage` (the CLI: a folder). */
  checkpoints?: (runId: string) => CheckpointStore;
  /** The bert-base-uncased vocabulary in vocab.txt order, for the demo. */
  loadDemoVocab?(): Promise<readonly string[]>;
  /** Backend to try first (Node: 'wasm' or 'cpu'); default: core's order. */
  preferredBackend?: BackendName;
  /** How to start a backend (a bundled page: the WASM binaries' URLs). */
  backendOptions?: InitBackendOptions | (() => Promise<InitBackendOptions>);
  /** Aborting stops a running training and ends the session. */
  signal?: AbortSignal;
  /** Without a dev file, evaluate on the training file (the page: true, the default) or not at all (the CLI). */
  devFallback?: boolean;
  /** Measure estimates before Start (a short calibration on the backend); default true. */
  calibrate?: boolean;
  /** Wait after a change before calibrating (ms; default 400). */
  calibrationDebounceMs?: number;
  /** Device memory a run may use, when known (the batch-size check compares the measured peak with it). */
  memoryBudgetBytes?: number;
  /** Where a run's files are kept so it resumes without a new drop (the page: OPFS); null keeps none. */
  runFiles?: RunFileStore | null;
}

export interface ConfigureChange {
  /** The user's task (used when the dropped data fits it). */
  task?: TaskName;
  /** Settings the user set; merged over earlier edits. */
  edits?: Partial<Settings>;
  /** Forget every edit: back to the task's and model's defaults. */
  reset?: boolean;
  /** Task `tsv`: which columns hold text_a, text_b and the label. */
  columns?: ColumnChoice;
}

export interface StartOptions {
  runId: string;
  runName: string;
  /** Continue from this checkpoint (the CLI's --resume); stored runs resume with resumeRun. */
  resumeFrom?: TrainingCheckpoint;
  /** Keep the run's files in `runFiles` (default true when the session has one; the user may opt out per run). */
  keepFiles?: boolean;
}

/** What the session keeps of the last run, for predictions, evaluation and export. */
export type LastRun = RunOutcome & { runId: string; isDemo: boolean; loadModel?: RunSpec['loadModel']; dev?: RunSpec['dev'] };

export interface Session {
  addFiles(files: SessionFile[]): Promise<void>;
  removeFile(path: string): Promise<void>;
  configure(change: ConfigureChange): Promise<void>;
  /** Starts a run with the files, task and settings in force; resolves once it is launched. */
  start(options: StartOptions): Promise<void>;
  demo(runId: string, runName: string, options?: DemoOptions): Promise<void>;
  resumeRun(runId: string): Promise<void>;
  /**
   * Opens a stored run without training it: its last checkpoint's weights are loaded (from its
   * kept files) for the demos, predictions and downloads; the stored run is not changed, and a
   * later resumeRun continues it.
   */
  openRun(runId: string): Promise<void>;
  pause(): void;
  resume(): void;
  stop(): void;
  evaluate(): Promise<void>;
  predict(requestId: number, input: PredictInput): Promise<void>;
  /** A fine-tuned model folder's predictions over the data file (the CLI's predict): a `datasetPredictions` event. */
  predictDataset(requestId: number): Promise<void>;
  /** `lora`: how a LoRA run's weights are written (merged by default, or peft's adapter files). */
  /** `format`: the Hugging Face folder (default), the ONNX folder for transformers.js, or the run as a torchrun job; `lora`: how a LoRA run's weights are written (merged by default, or peft's adapter files). */
  export(requestId: number, options?: { format?: ExportFormat; lora?: LoraExportMode }): Promise<void>;
  /** "Fine-tune this model next": the last run's encoder (head dropped, LoRA merged) becomes the pre-trained model. */
  fineTuneNext(): Promise<void>;
  /** The settings in force. */
  settings(): SettingsState;
  /** The last run's outcome once it has ended. */
  lastRun(): LastRun | null;
  /** Resolves when no run is active. */
  idle(): Promise<void>;
  /** Resolves when no calibration is pending or running. */
  calibrated(): Promise<void>;
  dispose(): void;
}

/** Legacy keys of runs stored before the settings table (protocol RunSettings). */
const LEGACY_KEYS: Record<string, keyof Settings> = { batchSize: 'trainBatchSize', epochs: 'numTrainEpochs' };

function storedEdits(raw: Record<string, unknown>): Partial<Settings> {
  const renamed: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) renamed[LEGACY_KEYS[k] ?? k] = v;
  return settingsPatch(renamed);
}

/** A Map-backed DatasetCache whose entries for one file can be dropped when it is replaced. */
function createDatasetCache(): DatasetCache & { dropFile(name: string): void; clear(): void } {
  const entries = new Map<string, Promise<unknown>>();
  return {
    get<T>(key: string, read: () => Promise<T>): Promise<T> {
      let p = entries.get(key) as Promise<T> | undefined;
      if (!p) {
        p = read();
        entries.set(key, p);
        // A failed read is not kept: the next use reports it again (or succeeds after a fix).
        p.catch(() => entries.delete(key));
      }
      return p;
    },
    dropFile(name) {
      for (const k of entries.keys()) if (k.split('\u0000').includes(name)) entries.delete(k);
    },
    clear: () => entries.clear(),
  };
}

export function createSession(options: SessionOptions): Session {
  const emit = (ev: SessionEvent): void => options.emit(ev);
  const storage = options.storage ?? null;
  const log = (message: string, level: 'info' | 'warn' | 'error' = 'info') => emit({ type: 'log', level, message, time: Date.now() });
  const fail = (e: unknown, fatal = false, file?: string) => emit({ type: 'error', fatal, lastCheckpointStep: null, ...errorInfo(e, file) });

  const files = new Map<string, KeptFile>();
  const counts = new Map<string, RecordCount | null>();
  const cache = createDatasetCache();
  let chosenTask: TaskName | null = null;
  let edits: Partial<Settings> = {};
  let columns: ColumnChoice | undefined;
  let analysis: Analysis | null = null;
  let resolved: ResolvedSettings = resolveSettings({ task: 'mrpc' });
  let backendState: Promise<BackendState> | null = null;
  let active: ActiveRun | null = null;
  let last: LastRun | null = null;
  let demoVocab: Promise<readonly string[]> | null = null;

  const backend = (): Promise<BackendState> => {
    const init = async () => (typeof options.backendOptions === 'function' ? options.backendOptions() : (options.backendOptions ?? {}));
    backendState ??= init().then((o) => ensureBackend(options.preferredBackend, (message) => {
      if (active) {
        log(message, 'error');
        active.fail(message);
        return;
      }
      // No run to end: the host must replace this session's backend (the page starts a new
      // worker, which asks for a new device) before the next start; a non-fatal error says so.
      emit({ type: 'error', fatal: false, lastCheckpointStep: null, code: 'device-lost', message: `${message} while no run was active` });
    }, o)).catch((e) => {
      backendState = null;
      throw e;
    });
    return backendState;
  };

  const calibrator = createCalibrator({
    emit: (estimate) => emit({ type: 'estimate', estimate }),
    backend: async () => {
      const b = await backend();
      emit({ type: 'backend', ...backendEventFields(b.info) });
      return b;
    },
    onMemory: () => resolveAndReport(),
    log: (m, level) => log(m, level),
    debounceMs: options.calibrationDebounceMs,
    budgetBytes: options.memoryBudgetBytes,
  });

  const settingsState = (): SettingsState => ({
    task: analysis?.task ?? chosenTask,
    settings: resolved.settings,
    edited: resolved.edited,
    adapted: resolved.adapted,
    issues: resolved.issues,
    ...(columns ? { columns } : {}),
  });

  const trainCount = (): RecordCount | null => (analysis?.train ? (counts.get(analysis.train.path) ?? null) : null);

  /** What the model files and the data say, for the settings. */
  const context = (): SettingsContext => {
    const cfg = analysis?.config?.config;
    const raw = cfg?.raw;
    const id2label = raw && typeof raw.id2label === 'object' && raw.id2label ? Object.keys(raw.id2label as object).length : undefined;
    const archs = Array.isArray(raw?.architectures) ? (raw!.architectures as unknown[]).map(String) : [];
    const fineTunedClassifier = archs.some((a) => a.endsWith('ForSequenceClassification'));
    const labels = trainCount()?.labels;
    return {
      maxPositions: cfg?.config.maxPositionEmbeddings,
      modelVocabSize: cfg?.config.vocabSize,
      vocabSize: analysis?.vocab?.vocabSize,
      headLabels: fineTunedClassifier ? id2label : undefined,
      numLayers: cfg?.config.numHiddenLayers,
      dataLabels: labels === undefined ? undefined : labels,
      memory: calibrator.memoryCheck(),
      evalOnTrainFile: !!analysis?.train && analysis.dev === analysis.train && options.devFallback !== false,
    };
  };

  /** Resolves the settings for the current task, model and data, and reports them. */
  const resolveAndReport = (): void => {
    resolved = resolveSettings({ task: analysis?.task ?? chosenTask ?? 'mrpc', edits, context: context() });
    emit({ type: 'settings', ...settingsState() });
  };

  /** The first examples as the model sees them and what a run would do. */
  const reportPlan = async (): Promise<void> => {
    const a = analysis;
    const s = resolved.settings;
    const train = trainCount();
    const dev = a?.dev && a.dev !== a.train ? counts.get(a.dev.path) : train;
    const trainExamples = train ? (s.maxTrainExamples > 0 ? Math.min(s.maxTrainExamples, train.records) : train.records) : 0;
    const estimatedSteps = trainExamples > 0 ? countTrainSteps({ ...s, task: a?.task ?? 'mrpc', versionTwoWithNegative: false }, trainExamples).numTrainSteps : 0;
    let examples: Awaited<ReturnType<typeof buildPreview>> = [];
    let mlm: { train: number; dev: number } | null = null;
    if (a?.vocab && a.train && a.task) {
      try {
        const tokenizer = await buildTokenizer(a.vocab, s.doLowerCase);
        examples = await buildPreview(a, tokenizer, s, cache, columnsFor(columns, a.detection.columns));
        // Masked LM counts packed sequences (after the held-out share), not lines.
        if (a.task === 'mlm') mlm = await mlmPlanCounts(a.train, a.dev, tokenizer, s, cache);
      } catch (e) {
        fail(e, false, a.train.path);
      }
    }
    if (mlm) {
      const n = s.maxTrainExamples > 0 ? Math.min(s.maxTrainExamples, mlm.train) : mlm.train;
      emit({ type: 'plan', plan: { examples, trainExamples: n, devExamples: mlm.dev, estimatedSteps: n > 0 ? countTrainSteps({ ...s, task: 'mlm', versionTwoWithNegative: false }, n).numTrainSteps : 0 } });
      return;
    }
    const devRecordsAll = a?.dev === a?.train && options.devFallback === false ? 0 : (dev?.records ?? 0);
    const devExamples = s.maxEvalExamples > 0 ? Math.min(s.maxEvalExamples, devRecordsAll) : devRecordsAll;
    emit({ type: 'plan', plan: { examples, trainExamples, devExamples, estimatedSteps, ...(a?.train && a.dev === a.train && devRecordsAll > 0 ? { evalFromTrainFile: true } : {}) } });
    // Measured estimates before Start: a short calibration of the loaded model (debounced).
    if (a?.task && a.detection.ready && a.train && !active && options.calibrate !== false && resolved.issues.every((i) => i.key !== 'maxSeqLength')) {
      const task = a.task;
      const modelFiles = a.modelFiles;
      const counts = countTrainSteps({ ...s, task, versionTwoWithNegative: false }, Math.max(1, trainExamples));
      const stepsPerEpoch = Math.max(1, Math.floor(counts.microBatchesPerEpoch / s.gradientAccumulationSteps));
      const hasDev = !!a.dev && (a.dev !== a.train || options.devFallback !== false);
      const devRecords = hasDev ? (dev?.records ?? 0) : 0;
      const labels = train?.labels;
      calibrator.schedule({
        modelKey: modelFiles.map((f) => `${f.path}:${f.size}`).join('|'),
        head: isSquadTask(task) ? { kind: 'span' } : labels === null ? { kind: 'regression' } : { kind: 'classification', numLabels: Math.max(2, labels?.length ?? 2), labels: labels ?? ['0', '1'] },
        settings: s,
        stepsPerEpoch,
        totalSteps: counts.numTrainSteps,
        evaluations: hasDev ? evaluationCount(counts.numTrainSteps, stepsPerEpoch, s.evalEverySteps) : 0,
        evalExamples: s.maxEvalExamples > 0 ? Math.min(s.maxEvalExamples, devRecords) : devRecords,
        loadModel: async () => {
          const p = await loadPretrained(modelFiles.map(byteSource));
          return { config: p.config, weights: p.weights };
        },
      });
    }
  };

  /** Detects the task, counts the records (the one parse of each file), then reports detection, settings and plan. */
  const analyse = async (): Promise<void> => {
    analysis = analyseFiles([...files.values()], chosenTask);
    const a = analysis;
    const c = { train: 0, dev: 0, test: 0 };
    const skipped = { train: 0, dev: 0, test: 0 };
    if (a.task) {
      const mapping = a.task === 'tsv' ? columnsFor(columns, a.detection.columns) : undefined;
      // The training file first: the dev file is read with its labels, as the run's adapter does.
      const ordered = [...files.values()].filter((f) => f.dataset && f.report.accepted).sort((x, y) => Number(y === a.train) - Number(x === a.train));
      let labels: string[] | null = null;
      for (const f of ordered) {
        if (!counts.has(f.path)) {
          try {
            const n = await countRecords(f, a.task, cache, f === a.train ? 'train' : 'dev', mapping, labels);
            counts.set(f.path, n);
            for (const note of n?.notes ?? []) log(note, 'warn');
          } catch (e) {
            counts.set(f.path, null);
            fail(e, false, f.path);
          }
        }
        const n = counts.get(f.path);
        if (f === a.train) labels = n?.labels ?? null;
        if (!n || !f.split) continue;
        c[f.split] += n.records;
        skipped[f.split] += n.skipped;
      }
    }
    if (analysis !== a) return;
    emit({ type: 'taskDetected', detection: { ...a.detection, counts: c, skipped } });
    resolveAndReport();
    await reportPlan();
  };

  const fingerprintOf = async (list: KeptFile[]): Promise<string> =>
    fingerprintFiles(list.map((f) => ({ name: f.name, size: f.size, head: f.head.subarray(0, FINGERPRINT_HEAD_BYTES) })));

  const filesSpec = async (runId: string, runName: string): Promise<RunSpec> => {
    const a = analysis ?? analyseFiles([...files.values()], chosenTask);
    if (!a.task) throw new TabtuneError('cannot start: drop a dataset first', { expected: 'a GLUE TSV, a CSV/TSV table or a SQuAD JSON file', code: 'not-ready' });
    if (!a.detection.ready || !a.train || !a.vocab) {
      throw new TabtuneError(`cannot start yet: missing ${a.detection.missing.join('; ')}`, { code: 'not-ready' });
    }
    if (resolved.issues.length > 0) {
      throw new TabtuneError(`cannot start: ${resolved.issues[0].message}`, { location: `settings: ${resolved.issues[0].key ?? 'model'}`, expected: 'valid settings', code: 'settings' });
    }
    const s = resolved.settings;
    const task = a.task;
    const { train, vocab } = a;
    const dev = a.dev === a.train && options.devFallback === false ? undefined : a.dev;
    const used = [...a.modelFiles, train, ...(dev && dev !== train ? [dev] : [])];
    const tableColumns = task === 'tsv' ? columnsFor(columns, a.detection.columns) : undefined;
    return {
      runId, runName, task, settings: s, isDemo: false,
      columns: tableColumns,
      fingerprint: await fingerprintOf(used),
      dataSelection: dataSelectionOf(s, tableColumns),
      fileNames: used.map((f) => f.path),
      tokenizer: () => buildTokenizer(vocab, s.doLowerCase),
      train: dataSource(train),
      dev: dev ? dataSource(dev) : undefined,
      async loadModel(onProgress) {
        const p = await loadPretrained(a.modelFiles.map(byteSource), { onProgress: (d, t) => onProgress(d, t) });
        return {
          config: p.config, weights: p.weights, notes: [...p.notes, ...p.skipped.slice(0, 3).map((x) => `skipped ${x}`)],
          summary: modelSummary(p.config, p.format === 'google-ckpt' ? 'google' : 'huggingface'), source: p.configFile, rawConfig: p.rawConfig,
        };
      },
    };
  };

  const demoSpec = async (runId: string, runName: string, demo: DemoOptions = {}): Promise<RunSpec & { questions: ReturnType<typeof demoQuestions> }> => {
    if (!options.loadDemoVocab) throw new TabtuneError('the demo needs its vocabulary, which this session was not given', { code: 'demo-vocab' });
    const d = demoInputs(demo);
    const config = d.config;
    const r = resolveSettings({ task: 'squad', edits: d.edits, context: { maxPositions: config.maxPositionEmbeddings } });
    if (r.issues.length > 0) throw new TabtuneError(`the demo's settings: ${r.issues[0].message}`, { code: 'settings' });
    demoVocab ??= options.loadDemoVocab();
    const vocab = await demoVocab;
    return {
      runId, runName, task: 'squad', settings: r.settings, isDemo: true, demoSeed: d.seed, demoSize: d.size.name,
      fingerprint: `demo-seed-${d.seed}`, dataSelection: dataSelectionOf(r.settings), fileNames: [],
      tokenizer: async () => demoTokenizer(vocab, r.settings.doLowerCase),
      train: sourceFromText('demo-train.json', JSON.stringify(d.data.train)),
      dev: sourceFromText('demo-dev.json', JSON.stringify(d.data.dev)),
      questions: demoQuestions(d.data),
      async loadModel(onProgress) {
        onProgress(0, 1);
        const weights = demoInitialWeights(d.seed, config);
        onProgress(1, 1);
        return { config, weights, notes: [`demo (${d.size.name}): a small BERT trained from scratch (hidden ${config.hiddenSize}, ${config.numHiddenLayers} layer${config.numHiddenLayers === 1 ? '' : 's'})`], summary: modelSummary(config, 'scratch'), source: 'demo model' };
      },
    };
  };

  /** The demo's size from a probe of its smallest size on the backend in use (demo-size.ts). */
  let sizing: { runId: string; abort: AbortController } | null = null;
  const chooseDemo = async (runId: string, demo: DemoOptions, signal: AbortSignal): Promise<DemoSizeChoice> => {
    emit({ type: 'demoSize', status: 'measuring', runId });
    await calibrator.halt();
    const b = await backend();
    emit({ type: 'backend', ...backendEventFields(b.info) });
    const adapter = b.info.limits?.adapter ?? '';
    const probeSettings = resolveSettings({ task: 'squad', edits: { ...demoSizeSettings(SMALLEST_DEMO_SIZE), seed: demo.seed ?? 1, ...settingsPatch(demo.settings) } });
    const probe = await probeDemo(probeSettings.settings, signal);
    const choice = chooseDemoSize(probe, demoDeviceKind(b.info.name, adapter !== '' && isSoftwareRenderer(adapter)));
    log(`demo size: ${choice.reason} (a probe step took ${probe.secondsPerStep.toFixed(2)} s on ${b.info.name}; predicted ${Math.round(choice.predictedSeconds)} s, budget ${choice.budgetSeconds} s)`);
    emit({ type: 'demoSize', status: 'chosen', runId, choice });
    return choice;
  };

  const launch = async (spec: RunSpec, after?: () => void): Promise<void> => {
    // The device is the run's: a calibration in progress is cancelled (its weights are discarded).
    await calibrator.halt();
    if (last?.model) {
      last.model.dispose();
      last = null;
    }
    const run = startRun(spec, { emit, storage, checkpoints: options.checkpoints, backend, cache });
    active = run;
    void run.done.then((outcome) => {
      if (active === run) active = null;
      last = { ...outcome, runId: spec.runId, isDemo: spec.isDemo, loadModel: spec.loadModel, dev: spec.dev };
      // Held-out questions also after a stopped demo: the model trained so far can be asked.
      if (outcome.status === 'completed' || outcome.status === 'stopped') after?.();
    });
  };

  const busy = (what: string): boolean => {
    if (!active && !sizing) return false;
    emit({ type: 'error', fatal: false, lastCheckpointStep: null, message: `a run is in progress: stop it before ${what}`, code: 'busy' });
    return true;
  };

  /** Runs an operation; a failure becomes an error event (fatal, with a failed status, for run starts). */
  const guard = async (what: () => Promise<void>, runStart?: { runId: string | null }): Promise<void> => {
    try {
      await what();
    } catch (e) {
      fail(e, runStart !== undefined);
      if (runStart) emit({ type: 'status', status: 'failed', runId: runStart.runId });
    }
  };

  /** Replaces the session's files by the ones kept for a run (read back from the RunFileStore). */
  const loadKeptFiles = async (runId: string): Promise<boolean> => {
    const kept = options.runFiles ? await options.runFiles.openFiles(runId) : [];
    if (kept.length === 0) return false;
    files.clear();
    counts.clear();
    cache.clear();
    for (let i = 0; i < kept.length; i++) {
      emit({ type: 'progress', phase: 'reading', done: i, total: kept.length, label: kept[i].path });
      const f = await recogniseFile(kept[i].path, kept[i].source);
      files.set(f.path, f);
    }
    emit({ type: 'progress', phase: 'reading', done: kept.length, total: kept.length });
    emit({ type: 'fileRecognised', files: [...files.values()].map((f) => f.report) });
    return true;
  };

  /**
   * The run's files are loaded: they must also be read as the run read them (the same example
   * limits and table columns). A record saved before the selection was stored is not checked (a
   * warning says so).
   */
  const checkSelection = (record: RunRecord, spec: RunSpec): void => {
    if (!isDataSelection(record.dataSelection)) {
      log(`run "${record.name}": ${SELECTION_NOT_RECORDED}`, 'warn');
      return;
    }
    const changes = dataSelectionChanges(record.dataSelection, spec.dataSelection ?? dataSelectionOf(spec.settings, spec.columns));
    if (changes.length > 0) {
      throw new TabtuneError(`cannot resume run "${record.name}" on other data: its files are loaded, but they would be read differently (${changes.join('; ')})`, {
        expected: 'the example limits and columns the run was started with',
        code: 'fingerprint',
      });
    }
  };

  /**
   * A stored run's spec from the files loaded now when they are the run's (same fingerprint), else
   * from the files kept for it, checked against its fingerprint.
   */
  const resumeSpec = async (record: RunRecord): Promise<RunSpec> => {
    const withFiles = async (): Promise<RunSpec | null> => {
      chosenTask = record.task;
      edits = storedEdits(record.settings);
      await analyse();
      try {
        const spec = await filesSpec(record.id, record.name);
        if (spec.fingerprint !== record.fingerprint) return null;
        checkSelection(record, spec);
        return spec;
      } catch (e) {
        if (files.size === 0 || (e as { code?: string }).code === 'not-ready') return null;
        throw e;
      }
    };
    const current = files.size > 0 ? await withFiles() : null;
    if (current) return current;
    if ((record.keptFiles?.length ?? 0) > 0 && (await loadKeptFiles(record.id))) {
      log(`run "${record.name}": read its ${record.keptFiles!.length} kept files back from this browser's storage`);
      const spec = await withFiles();
      if (spec) return spec;
      throw new TabtuneError(`the files kept for run "${record.name}" do not match the data it was trained on (fingerprint); drop its files again to resume`, { expected: record.fileNames.join(', '), code: 'fingerprint' });
    }
    const why = (record.keptFiles?.length ?? 0) > 0 ? `${await keptFilesMissing(record.id)}; ` : '';
    throw new TabtuneError(`the files loaded now are not the ones run "${record.name}" was trained on; ${why}drop those files again to resume`, { expected: record.fileNames.join(', '), code: 'fingerprint' });
  };

  /** Why a run's recorded kept files cannot be read back, as the store sees it. */
  const keptFilesMissing = async (runId: string): Promise<string> => {
    if (!options.runFiles) return 'its kept files cannot be read here (this browser has no storage for them)';
    const state = await options.runFiles.keptState(runId).catch(() => 'missing' as const);
    return state === 'unfinished'
      ? 'the copy of its files in this browser\'s storage is incomplete (its list of files was never written)'
      : 'its kept files are gone from this browser\'s storage (the site\'s data was cleared or evicted)';
  };

  /** Copies the run's files into the RunFileStore (a failure is a warning: the run goes on, not kept). */
  const keepRunFiles = async (spec: RunSpec): Promise<void> => {
    const store = options.runFiles;
    if (!store) return;
    const list = spec.fileNames.flatMap((p) => {
      const f = files.get(p);
      return f ? [{ path: f.path, source: f.source }] : [];
    });
    try {
      const kept = await store.saveFiles(spec.runId, list, (done, total) => emit({ type: 'progress', phase: 'reading', done, total, label: 'keeping the files in this browser' }));
      spec.keptFiles = kept.map((f) => f.path);
      log(`kept ${kept.length} files (${kept.reduce((n, f) => n + f.size, 0)} bytes) in this browser so the run can resume after a reload`);
    } catch (e) {
      await store.deleteFiles(spec.runId).catch(() => undefined);
      log(`the files could not be kept in this browser (${(e as Error).message}); after a reload, drop them again to resume`, 'warn');
    }
  };

  const resumeStored = async (runId: string, viewOnly = false): Promise<void> => {
    if (!storage) throw new Error('runs are not stored here, so none can be resumed');
    const record = await storage.getRun(runId);
    if (!record) throw new Error(`no stored run ${runId}`);
    const stored = await storage.latestCheckpoint(runId);
    if (!stored) throw new Error(`run "${record.name}" has no checkpoint to resume from; start it again`);
    const checkpoint = deserializeCheckpoint(new Map(Object.entries(stored.files)), `run ${record.name}, step ${stored.step}`);
    const series = await storage.getSeries(runId);
    const steps = series ? stepsFromSeries(series).filter((s) => s.step <= stored.step) : [];
    const recordEdits = storedEdits(record.settings);
    let spec: RunSpec;
    let questions: ReturnType<typeof demoQuestions> | undefined;
    let choice: DemoSizeChoice | null = null;
    if (record.isDemo) {
      const p = await demoSpec(runId, record.name, { seed: record.demoSeed, settings: recordEdits, size: record.demoSize as DemoOptions['size'] });
      questions = p.questions;
      choice = storedDemoChoice(record.demoChoice);
      if (choice) p.demoChoice = choice;
      spec = p;
    } else {
      spec = await resumeSpec(record);
    }
    spec.resume = { checkpoint, record, steps };
    spec.viewOnly = viewOnly;
    if (!viewOnly) log(`resuming run "${record.name}" from step ${stored.step}`);
    // A demo says again what its size probe chose (the record keeps it); no probe runs again.
    const shown = choice;
    await launch(spec, questions ? () => {
      if (shown) emit({ type: 'demoSize', status: 'chosen', runId, choice: shown });
      emit({ type: 'demoData', questions: questions! });
    } : undefined);
  };

  const session: Session = {
    addFiles: (inputs) =>
      guard(async () => {
        for (let i = 0; i < inputs.length; i++) {
          const f = inputs[i];
          emit({ type: 'progress', phase: 'reading', done: i, total: inputs.length, label: f.path });
          const kept = await recogniseFile(f.path, f.source, f.split);
          const old = files.get(kept.path);
          if (old) cache.dropFile(old.name);
          files.set(kept.path, kept);
          counts.delete(kept.path);
          if (!kept.report.accepted) log(`${kept.path}: ${kept.report.reason ?? 'rejected'}`, 'warn');
        }
        emit({ type: 'progress', phase: 'reading', done: inputs.length, total: inputs.length });
        emit({ type: 'fileRecognised', files: annotateUnused([...files.values()]) });
        await analyse();
      }),

    removeFile: (path) =>
      guard(async () => {
        const old = files.get(path);
        if (old) cache.dropFile(old.name);
        files.delete(path);
        counts.delete(path);
        emit({ type: 'fileRecognised', files: annotateUnused([...files.values()]) });
        await analyse();
      }),

    configure: (change) =>
      guard(async () => {
        if (change.reset) edits = {};
        if (change.edits) edits = { ...edits, ...settingsPatch(change.edits as Record<string, unknown>) };
        const columnsChanged = change.columns !== undefined && JSON.stringify(change.columns) !== JSON.stringify(columns);
        if (change.columns !== undefined) columns = change.columns;
        const taskChanged = change.task !== undefined && change.task !== (analysis?.task ?? chosenTask);
        if (change.task !== undefined) chosenTask = change.task;
        if (taskChanged || columnsChanged) {
          // Another task or column mapping reads the files differently: count them again (cached per reading).
          counts.clear();
          await analyse();
          return;
        }
        resolveAndReport();
        await reportPlan();
      }),

    start: ({ runId, runName, resumeFrom, keepFiles }) =>
      guard(async () => {
        if (busy('starting another')) return;
        const spec = await filesSpec(runId, runName);
        if (resumeFrom) spec.resume = { checkpoint: resumeFrom, steps: [] };
        if (keepFiles !== false) await keepRunFiles(spec);
        await launch(spec);
      }, { runId }),

    demo: (runId, runName, demo) =>
      guard(async () => {
        if (busy('starting the demo')) return;
        let size = demo?.size;
        let choice: DemoSizeChoice | undefined;
        if (size === undefined) {
          // Stop while the demo is being sized ends it before it starts.
          const abort = new AbortController();
          sizing = { runId, abort };
          try {
            choice = await chooseDemo(runId, demo ?? {}, abort.signal);
            size = choice.size;
          } catch (e) {
            if (!abort.signal.aborted) throw e;
            log('the demo was stopped while it was being sized');
            emit({ type: 'status', status: 'stopped', runId });
            return;
          } finally {
            sizing = null;
          }
        }
        const spec = await demoSpec(runId, runName, { ...demo, size });
        if (choice) spec.demoChoice = choice;
        await launch(spec, () => emit({ type: 'demoData', questions: spec.questions }));
      }, { runId }),

    resumeRun: (runId) =>
      guard(async () => {
        if (busy('resuming another')) return;
        try {
          await resumeStored(runId);
        } catch (e) {
          // The run did not start, and its checkpoint is still there: say so (not "no checkpoint").
          const record = await storage?.getRun(runId).catch(() => undefined);
          emit({ type: 'error', fatal: true, ...errorInfo(e), lastCheckpointStep: record?.lastCheckpointStep ?? null });
          emit({ type: 'status', status: 'failed', runId });
        }
      }, { runId }),

    openRun: (runId) =>
      guard(async () => {
        if (busy('opening another run')) return;
        await resumeStored(runId, true);
      }),

    pause() {
      if (!active) return;
      active.pause.pause();
      emit({ type: 'status', status: 'paused', runId: active.runId });
      void storage?.updateRun(active.runId, { status: 'paused' }).catch(() => undefined);
    },
    resume() {
      if (!active) return;
      active.pause.resume();
      // Held while "Evaluate now" runs (run.ts): the evaluation's end reports training.
      if (active.pause.paused) return log('the run resumes when the evaluation has finished');
      emit({ type: 'status', status: 'training', runId: active.runId });
      void storage?.updateRun(active.runId, { status: 'running' }).catch(() => undefined);
    },
    stop() {
      if (sizing) {
        emit({ type: 'status', status: 'stopping', runId: sizing.runId });
        sizing.abort.abort();
        return;
      }
      if (!active) return;
      emit({ type: 'status', status: 'stopping', runId: active.runId });
      active.abort.abort();
    },

    evaluate: () =>
      guard(async () => {
        if (active) {
          if (!active.pause.paused) {
            log('evaluation runs on its schedule while training (eval every N steps and at each epoch end); pause or stop the run to evaluate now', 'warn');
            return;
          }
          const run = active;
          emit({ type: 'status', status: 'evaluating', runId: run.runId });
          try {
            await run.evaluateNow();
          } finally {
            // Back to paused, unless Resume (held during the evaluation) or Stop came meanwhile.
            if (active === run) emit({ type: 'status', status: run.pause.paused ? 'paused' : 'training', runId: run.runId });
          }
          return;
        }
        const l = last;
        if (!l?.model || !l.adapter?.dev || !l.config) throw new Error('no trained model with a dev set to evaluate: train first');
        emit({ type: 'status', status: 'evaluating', runId: l.runId });
        try {
          const outcome = await l.adapter.dev.evaluate(l.model, {
            batchSize: l.config.evalBatchSize,
            liveSpanCount: l.config.liveSpanCount,
            onProgress: (d, t) => emit({ type: 'progress', phase: 'evaluating', done: d, total: t }),
          });
          const result = { step: l.step, epoch: l.config.numTrainEpochs, metrics: outcome.metrics };
          emit({ type: 'eval', result });
          if (outcome.spans?.length) emit({ type: 'spanPredictions', step: l.step, items: outcome.spans });
          l.notePredictions(outcome.predictions);
          const rows = await l.predictionRows();
          if (rows.length > 0) emit({ type: 'evalPredictions', runId: l.runId, step: l.step, rows });
        } finally {
          emit({ type: 'status', status: l.status === 'completed' ? 'finished' : l.status === 'stopped' ? 'stopped' : 'failed', runId: l.runId });
        }
      }),

    async predict(requestId, input) {
      // During training the demos ask the model as it trains (its latest weights).
      const live = active?.live() ?? null;
      const l = live ?? last;
      if (!l?.model || !l.tokenizer || !l.config) {
        emit({ type: 'prediction', requestId, result: null, error: { message: active ? 'the model is still being prepared: ask again once training has begun' : 'no trained model yet: train or run the demo first', code: 'no-model' } });
        return;
      }
      try {
        if (input.kind === 'fill-mask' || l.model.head.kind === 'mlm') {
          if (input.kind !== 'fill-mask') throw new TabtuneError('this model fills masked words; it does not classify or answer questions', { location: 'predict', expected: 'a sentence with [MASK]', code: 'predict-task' });
          emit({ type: 'prediction', requestId, result: await fillMaskPrediction(l.model, l.tokenizer, input, l.config.maxSeqLength) });
          return;
        }
        const pipe = pipelineFor({ model: l.model, tokenizer: l.tokenizer, settings: l.config, labels: l.labels, version2: l.config.task === 'squad2' });
        let result: PredictResult;
        if (pipe.task === 'question-answering') {
          if (input.kind !== 'qa') throw new TabtuneError('this model answers questions, not classification inputs', { location: 'predict', expected: 'a context and a question', code: 'predict-task' });
          const r = await pipe.answer({ question: input.question, context: input.context }, { explain: input.explain });
          result = { kind: 'qa', best: r.best, nbest: r.nbest, windows: r.windows, ...(r.inside ? { inside: r.inside } : {}) };
        } else {
          if (input.kind !== 'classification') throw new TabtuneError('this model classifies text; it does not answer questions', { location: 'predict', expected: 'a text to classify', code: 'predict-task' });
          const r = await pipe.classify({ textA: input.textA, textB: input.textB }, { explain: input.explain });
          result = r.kind === 'regression' ? r : { kind: 'classification', labels: r.labels, probabilities: r.probabilities, ...(r.inside ? { inside: r.inside } : {}) };
        }
        emit({ type: 'prediction', requestId, result });
      } catch (e) {
        emit({ type: 'prediction', requestId, result: null, error: errorInfo(e) });
      }
    },

    async predictDataset(requestId) {
      try {
        const a = analysis ?? analyseFiles([...files.values()], chosenTask);
        const data = a.dev ?? a.train;
        if (!a.task || !data) throw new TabtuneError('nothing to predict: add a data file', { expected: 'a GLUE TSV, a CSV/TSV table or a SQuAD JSON file', code: 'not-ready' });
        if (!a.vocab) throw new TabtuneError('no vocabulary: the model folder has neither vocab.txt nor tokenizer.json', { expected: 'a vocabulary file', code: 'vocab-missing' });
        if (!a.config) throw new TabtuneError('no model config (config.json or bert_config.json)', { expected: 'a fine-tuned model folder', code: 'model-files' });
        const vocab = a.vocab;
        const b = await backend();
        emit({ type: 'backend', ...backendEventFields(b.info) });
        const issues = resolved.issues.filter((i) => i.key !== 'trainBatchSize'); // training-only: the batch's memory check
        if (issues.length > 0) throw new TabtuneError(issues.map((i) => i.message).join('\n'), { location: `settings: ${issues[0].key ?? 'model'}`, expected: 'valid settings', code: 'settings' });
        const result = await predictDataset({
          task: a.task,
          settings: resolved.settings,
          doLowerCaseEdited: resolved.edited.includes('doLowerCase'),
          modelFiles: a.modelFiles.map(byteSource),
          modelLabel: a.config.path.includes('/') ? a.config.path.slice(0, a.config.path.lastIndexOf('/')) : a.config.path,
          tokenizer: (lower) => buildTokenizer(vocab, lower),
          data: dataSource(data),
          columns: a.task === 'tsv' ? columnsFor(columns, a.detection.columns) : undefined,
          cache,
          onProgress: (phase, done, total) => emit({ type: 'progress', phase, done, total }),
          onNote: (m) => log(m),
        });
        emit({ type: 'datasetPredictions', requestId, result });
      } catch (e) {
        emit({ type: 'datasetPredictions', requestId, result: null, error: errorInfo(e) });
      }
    },

    async export(requestId, exportOptions) {
      const format: ExportFormat = exportOptions?.format ?? 'hf';
      const l = last;
      if (!l?.model || !l.tokenizer || !l.config || !l.modelConfig) {
        emit({ type: 'exported', requestId, files: [], zip: null, error: { message: 'no trained model to export yet', code: 'no-model' }, format });
        return;
      }
      try {
        emit({ type: 'progress', phase: 'exporting', done: 0, total: 1 });
        const base = l.isDemo ? 'tabtune-demo' : `tabtune-${l.config.task}`;
        let out: Awaited<ReturnType<typeof exportRun>>;
        if (format === 'onnx') {
          out = await exportOnnxRun({ model: l.model, tokenizer: l.tokenizer, modelConfig: l.modelConfig, rawConfig: l.rawConfig, name: `${base}-onnx` });
        } else if (format === 'torch-job') {
          if (!l.loadModel || !l.adapter?.train) throw new TabtuneError('the run\'s starting model or training features are not available for a job folder', { code: 'no-model' });
          out = await exportTorchJobRun({ loadModel: l.loadModel, head: l.model.head, config: l.config, train: l.adapter.train, tokenizer: l.tokenizer, dev: l.dev, name: `${base}-torch-job` });
        } else {
          out = await exportRun({
            model: l.model, tokenizer: l.tokenizer, config: l.config, modelConfig: l.modelConfig, rawConfig: l.rawConfig,
            steps: l.steps, evals: l.evals, extraFiles: await l.predictionFiles(), name: `${base}-model`,
            lora: exportOptions?.lora,
          });
        }
        emit({ type: 'progress', phase: 'exporting', done: 1, total: 1 });
        emit({ type: 'exported', requestId, files: out.files, zip: out.zip, format });
      } catch (e) {
        emit({ type: 'exported', requestId, files: [], zip: null, error: errorInfo(e), format });
      }
    },

    fineTuneNext: () =>
      guard(async () => {
        if (busy('switching models')) return;
        const l = last;
        if (!l?.model || !l.tokenizer || !l.modelConfig) throw new TabtuneError('no trained model to continue from: train first', { code: 'no-model' });
        const adapted = await adaptedModelFiles(l.model, l.tokenizer, l.modelConfig, l.rawConfig, l.runId);
        // The adapted model replaces the dropped one (config, weights, vocabulary); the data stays.
        for (const f of [...files.values()]) {
          if (f.model || f.path.startsWith(`${ADAPTED_PREFIX}-`)) {
            cache.dropFile(f.name);
            files.delete(f.path);
            counts.delete(f.path);
          }
        }
        for (const f of adapted) files.set(f.path, await recogniseFile(f.path, f.source, f.split));
        // A labelled dataset, when one is dropped, is the next task (not the masked-LM text again).
        if (chosenTask === 'mlm') chosenTask = null;
        log(`the model adapted by run ${l.runId} (${l.config?.task ?? 'run'}, step ${l.step}) is now the pre-trained model; its ${l.model.head.kind} head is dropped`);
        emit({ type: 'fileRecognised', files: [...files.values()].map((f) => f.report) });
        await analyse();
      }),

    settings: settingsState,
    lastRun: () => last,
    calibrated: () => calibrator.settled(),
    async idle() {
      while (active) await active.done;
      // The run's own completion handler (last, demo questions) runs before idle resolves.
      await Promise.resolve();
    },
    dispose() {
      void calibrator.halt();
      active?.abort.abort();
      if (last?.model) {
        last.model.dispose();
        last = null;
      }
      cache.clear();
    },
  };
  options.signal?.addEventListener('abort', () => session.dispose(), { once: true });
  return session;
}

