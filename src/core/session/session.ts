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
import { FINGERPRINT_HEAD_BYTES, fingerprintFiles, stepsFromSeries, type RunStorage } from '../io/run-storage';
import { loadPretrained } from '../io/load-pretrained';
import { demoInitialWeights } from '../data/demo-qa-model';
import { pipelineFor } from '../pipeline';
import { resolveSettings, settingsPatch, type ResolvedSettings, type SettingsContext } from '../settings/validate';
import type { Settings } from '../settings/schema';
import { deserializeCheckpoint, type CheckpointStore, type TrainingCheckpoint } from '../train/checkpoint';
import { countTrainSteps } from '../train/run-config';
import type { DatasetCache } from '../train/task-types';
import { analyseFiles, buildPreview, buildTokenizer, columnsFor, countRecords, modelSummary, type Analysis, type RecordCount } from './analysis';
import { ensureBackend, type BackendState } from './backend';
import { demoInputs, demoQuestions, demoTokenizer, DEMO_MODEL_CONFIG } from './demo';
import { errorInfo } from './errors';
import type { ColumnChoice, DemoOptions, ExportFormat, PredictInput, PredictResult, SessionEvent, SettingsState } from './events';
import { exportOnnxRun, exportRun, exportTorchJobRun } from './export';
import { byteSource, dataSource, recogniseFile, type KeptFile, type SessionFile } from './files';
import { startRun, type ActiveRun, type RunOutcome, type RunSpec } from './run';
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
  pause(): void;
  resume(): void;
  stop(): void;
  evaluate(): Promise<void>;
  predict(requestId: number, input: PredictInput): Promise<void>;
  /** The Hugging Face folder (default), the ONNX folder for transformers.js, or the run as a torchrun job. */
  export(requestId: number, format?: ExportFormat): Promise<void>;
  /** The settings in force. */
  settings(): SettingsState;
  /** The last run's outcome once it has ended. */
  lastRun(): LastRun | null;
  /** Resolves when no run is active. */
  idle(): Promise<void>;
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
      log(message, 'error');
      active?.fail(message);
    }, o)).catch((e) => {
      backendState = null;
      throw e;
    });
    return backendState;
  };

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
      dataLabels: labels === undefined ? undefined : labels,
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
    if (a?.vocab && a.train && a.task) {
      try {
        const tokenizer = await buildTokenizer(a.vocab, s.doLowerCase);
        examples = await buildPreview(a, tokenizer, s, cache, columnsFor(columns, a.detection.columns));
      } catch (e) {
        fail(e, false, a.train.path);
      }
    }
    emit({ type: 'plan', plan: { examples, trainExamples, devExamples: dev?.records ?? 0, estimatedSteps } });
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
    return {
      runId, runName, task, settings: s, isDemo: false,
      columns: task === 'tsv' ? columnsFor(columns, a.detection.columns) : undefined,
      fingerprint: await fingerprintOf(used),
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
    const r = resolveSettings({ task: 'squad', edits: d.edits, context: { maxPositions: DEMO_MODEL_CONFIG.maxPositionEmbeddings } });
    if (r.issues.length > 0) throw new TabtuneError(`the demo's settings: ${r.issues[0].message}`, { code: 'settings' });
    demoVocab ??= options.loadDemoVocab();
    const vocab = await demoVocab;
    return {
      runId, runName, task: 'squad', settings: r.settings, isDemo: true, demoSeed: d.seed,
      fingerprint: `demo-seed-${d.seed}`, fileNames: [],
      tokenizer: async () => demoTokenizer(vocab, r.settings.doLowerCase),
      train: sourceFromText('demo-train.json', JSON.stringify(d.data.train)),
      dev: sourceFromText('demo-dev.json', JSON.stringify(d.data.dev)),
      questions: demoQuestions(d.data),
      async loadModel(onProgress) {
        onProgress(0, 1);
        const weights = demoInitialWeights(d.seed);
        onProgress(1, 1);
        return { config: DEMO_MODEL_CONFIG, weights, notes: [`demo: a small BERT trained from scratch (hidden ${DEMO_MODEL_CONFIG.hiddenSize}, ${DEMO_MODEL_CONFIG.numHiddenLayers} layers)`], summary: modelSummary(DEMO_MODEL_CONFIG, 'scratch'), source: 'demo model' };
      },
    };
  };

  const launch = (spec: RunSpec, after?: () => void): void => {
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
    if (!active) return false;
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

  const resumeStored = async (runId: string): Promise<void> => {
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
    if (record.isDemo) {
      const p = await demoSpec(runId, record.name, { seed: record.demoSeed, settings: recordEdits });
      questions = p.questions;
      spec = p;
    } else {
      chosenTask = record.task;
      edits = recordEdits;
      await analyse();
      spec = await filesSpec(runId, record.name);
      if (spec.fingerprint !== record.fingerprint) {
        throw new TabtuneError(`the files loaded now are not the ones run "${record.name}" was trained on; drop those files again to resume`, { expected: record.fileNames.join(', '), code: 'fingerprint' });
      }
    }
    spec.resume = { checkpoint, record, steps };
    log(`resuming run "${record.name}" from step ${stored.step}`);
    launch(spec, questions ? () => emit({ type: 'demoData', questions: questions! }) : undefined);
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

    start: ({ runId, runName, resumeFrom }) =>
      guard(async () => {
        if (busy('starting another')) return;
        const spec = await filesSpec(runId, runName);
        if (resumeFrom) spec.resume = { checkpoint: resumeFrom, steps: [] };
        launch(spec);
      }, { runId }),

    demo: (runId, runName, demo) =>
      guard(async () => {
        if (busy('starting the demo')) return;
        const spec = await demoSpec(runId, runName, demo);
        launch(spec, () => emit({ type: 'demoData', questions: spec.questions }));
      }, { runId }),

    resumeRun: (runId) =>
      guard(async () => {
        if (busy('resuming another')) return;
        await resumeStored(runId);
      }, { runId }),

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
          const files = await l.predictionFiles();
          if (files.length > 0) emit({ type: 'evalPredictions', runId: l.runId, step: l.step, files });
        } finally {
          emit({ type: 'status', status: l.status === 'completed' ? 'finished' : l.status === 'stopped' ? 'stopped' : 'failed', runId: l.runId });
        }
      }),

    async predict(requestId, input) {
      const l = last;
      if (!l?.model || !l.tokenizer || !l.config) {
        emit({ type: 'prediction', requestId, result: null, error: { message: active ? 'the model is still training: predictions are available when the run ends (or stop it)' : 'no trained model yet: train or run the demo first', code: 'no-model' } });
        return;
      }
      try {
        const pipe = pipelineFor({ model: l.model, tokenizer: l.tokenizer, settings: l.config, labels: l.labels, version2: l.config.task === 'squad2' });
        let result: PredictResult;
        if (pipe.task === 'question-answering') {
          if (input.kind !== 'qa') throw new TabtuneError('this model answers questions, not classification inputs', { location: 'predict', expected: 'a context and a question', code: 'predict-task' });
          const r = await pipe.answer({ question: input.question, context: input.context });
          result = { kind: 'qa', best: r.best, nbest: r.nbest, windows: r.windows };
        } else {
          if (input.kind !== 'classification') throw new TabtuneError('this model classifies text; it does not answer questions', { location: 'predict', expected: 'a text to classify', code: 'predict-task' });
          const r = await pipe.classify({ textA: input.textA, textB: input.textB });
          result = r.kind === 'regression' ? r : { kind: 'classification', labels: r.labels, probabilities: r.probabilities };
        }
        emit({ type: 'prediction', requestId, result });
      } catch (e) {
        emit({ type: 'prediction', requestId, result: null, error: errorInfo(e) });
      }
    },

    async export(requestId, format = 'hf') {
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
          });
        }
        emit({ type: 'progress', phase: 'exporting', done: 1, total: 1 });
        emit({ type: 'exported', requestId, files: out.files, zip: out.zip, format });
      } catch (e) {
        emit({ type: 'exported', requestId, files: [], zip: null, error: errorInfo(e), format });
      }
    },

    settings: settingsState,
    lastRun: () => last,
    async idle() {
      while (active) await active.done;
      // The run's own completion handler (last, demo questions) runs before idle resolves.
      await Promise.resolve();
    },
    dispose() {
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

