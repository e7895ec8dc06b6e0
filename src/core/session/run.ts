/**
 * One training run of a session, start to end: backend, tokenizer, task adapter (examples and
 * features from the session's cache, with progress), model (pre-trained weights or the demo's
 * fresh ones), runTraining with pause/stop, and persistence of the run (record, curves,
 * checkpoints) through the RunStorage / CheckpointStore the session was given. Every failure
 * becomes an `error` event; the last checkpoint stays stored and the session keeps working.
 */
import { TabtuneError } from '../errors';
import type { DataSource } from '../data/source';
import type { ColumnMapping } from '../data/table-reader';
import type { TaskName } from '../data/types';
import { runCheckpointStore } from '../io/run-storage-checkpoints';
import { seriesFromSteps, type RunRecord, type RunStorage } from '../io/run-storage';
import type { DataSelection } from '../io/data-selection';
import { createBertModel } from '../model/bert-model';
import type { BertConfig } from '../model/config';
import type { BertModel, WeightMap } from '../model/types';
import type { Settings } from '../settings/schema';
import { validateSettings } from '../settings/validate';
import { trainableSpecOf } from '../settings/trainable-settings';
import type { Tokenizer } from '../tokenizer/types';
import type { CheckpointStore, TrainingCheckpoint } from '../train/checkpoint';
import { createPauseControl, type PauseControl } from '../train/loop-control';
import { runTraining, type TrainingResult } from '../train/loop';
import { restoreWeights } from '../train/loop-weights';
import { countTrainSteps, validateTrainingConfig, type TrainingConfig } from '../train/run-config';
import { createTaskAdapter } from '../train/task';
import type { DatasetCache, EvalOutcome, TaskAdapter } from '../train/task-types';
import type { EvalResult, StepMetrics } from '../train/types';
import type { ExportedFile, ModelSummary, RunInfo, SessionEvent } from './events';
import type { TaskPredictions } from '../train/task-types';
import { predictionFilesFromRows, predictionRows, type DevPrediction } from './predictions';
import { backendEventFields, lostWithin, type BackendState } from './backend';
import { guardCheckpointStore, type CheckpointSaveFailure } from './checkpoint-guard';
import { errorInfo, isAbortError } from './errors';
import type { DemoSizeChoice } from './demo-size';

export interface LoadedModel {
  config: BertConfig;
  weights: WeightMap;
  summary: ModelSummary;
  notes: string[];
  /** Label for errors, e.g. the weights file name. */
  source: string;
  /** The config JSON as loaded (kept for export). */
  rawConfig?: Record<string, unknown>;
}

export interface RunSpec {
  runId: string;
  runName: string;
  task: TaskName;
  /** The settings in force (resolved and validated by the session). */
  settings: Settings;
  isDemo: boolean;
  demoSeed?: number;
  /** Demo runs: the size chosen for it (demo-size.ts). */
  demoSize?: string;
  /** Demo runs: the probe's choice (reason, measured step), kept in the record for a reopened run's note. */
  demoChoice?: DemoSizeChoice;
  columns?: ColumnMapping;
  fingerprint: string;
  /** Which examples of the files the run uses (limits, table columns), stored beside the fingerprint. */
  dataSelection?: DataSelection;
  fileNames: string[];
  tokenizer(): Promise<Tokenizer>;
  train: DataSource;
  dev?: DataSource;
  loadModel(onProgress: (done: number, total: number) => void): Promise<LoadedModel>;
  /** Files kept for this run in the RunFileStore (paths), recorded so the run can resume without them being dropped again. */
  keptFiles?: string[];
  /** Continue a stored run (record and curve from RunStorage), or from a checkpoint alone. */
  resume?: { checkpoint: TrainingCheckpoint; record?: RunRecord; steps: StepMetrics[] };
  /**
   * Open the resumed run without training: its checkpoint's weights are loaded for the demos,
   * predictions and downloads, no step is taken and the stored run is left as it was.
   */
  viewOnly?: boolean;
}

export interface RunContext {
  emit(event: SessionEvent): void;
  storage: RunStorage | null;
  /** Where checkpoints go when not into `storage` (the CLI: a folder). */
  checkpoints?: (runId: string) => CheckpointStore;
  backend(): Promise<BackendState>;
  cache: DatasetCache;
}

/** What a finished (or failed) run leaves for predict / evaluate / export. */
export interface RunOutcome {
  status: 'completed' | 'stopped' | 'failed';
  /** The loop's result (absent when the run failed before training). */
  result?: TrainingResult;
  /** The latest evaluation's outcome (predictions and metrics). */
  lastOutcome?: EvalOutcome;
  model: BertModel | null;
  tokenizer: Tokenizer | null;
  config: TrainingConfig | null;
  adapter: TaskAdapter | null;
  modelConfig: BertConfig | null;
  rawConfig?: Record<string, unknown>;
  labels: string[];
  step: number;
  steps: StepMetrics[];
  evals: EvalResult[];
  /** The latest evaluation's dev predictions as files (eval_predictions.jsonl, predictions.json or the GLUE TSV); fresh buffers each call, [] before any evaluation. */
  predictionFiles(): Promise<ExportedFile[]>;
  /** The latest evaluation's dev predictions as rows ([] before any evaluation). */
  predictionRows(): Promise<DevPrediction[]>;
  /** Replaces the latest predictions (an evaluation after the run). */
  notePredictions(predictions: TaskPredictions): void;
}

export interface ActiveRun {
  readonly runId: string;
  readonly pause: PauseControl;
  readonly abort: AbortController;
  readonly done: Promise<RunOutcome>;
  /** Aborts with a reason shown as a fatal error (device lost). */
  fail(message: string): void;
  /** The model as it trains (latest weights), for the demos during training; null before it is built and after the run. */
  live(): LiveModel | null;
  /** Evaluates the current weights on the dev set while the run is paused (at the step boundary it paused at); Resume waits for it. */
  evaluateNow(): Promise<void>;
}

/** What the demos need of a model still training. */
export interface LiveModel {
  model: BertModel;
  tokenizer: Tokenizer;
  config: TrainingConfig;
  labels: string[];
}

export function startRun(plan: RunSpec, ctx: RunContext): ActiveRun {
  const abort = new AbortController();
  const { pause, live: liveEval } = pausableForEvaluation();
  let failure: string | null = null;
  const holder: { live: LiveModel | null } = { live: null };
  const run: ActiveRun = {
    runId: plan.runId,
    pause,
    abort,
    done: Promise.resolve().then(() => execute(plan, ctx, abort.signal, pause, () => failure, holder, liveEval)).finally(() => (holder.live = null)),
    fail(message) {
      failure = message;
      abort.abort();
    },
    live: () => holder.live,
    evaluateNow: () => liveEval.evaluateWhilePaused(),
  };
  void run.done.finally(() => liveEval.release());
  return run;
}

/** What execute() offers once its model and dev set exist: one evaluation of the current weights. */
interface LiveEvaluation {
  evaluate?: () => Promise<void>;
  evaluateWhilePaused(): Promise<void>;
  release(): void;
}

/**
 * A pause control that knows when the loop actually waits at a step boundary (nothing in flight),
 * so an evaluation can use the weights without racing a step; Resume during that evaluation is
 * held until it ends.
 */
function pausableForEvaluation(): { pause: PauseControl; live: LiveEvaluation } {
  const base = createPauseControl();
  let waiting = false;
  let evaluating = false;
  let resumeAfter = false;
  let idle: Array<() => void> = [];
  const wake = () => {
    const w = idle;
    idle = [];
    for (const f of w) f();
  };
  const pause: PauseControl = {
    get paused() {
      return base.paused;
    },
    pause: () => base.pause(),
    resume() {
      if (evaluating) resumeAfter = true;
      else {
        base.resume();
        wake();
      }
    },
    wait(signal) {
      if (!base.paused || signal?.aborted) return base.wait(signal);
      waiting = true;
      wake();
      return base.wait(signal).finally(() => {
        waiting = false;
      });
    },
  };
  const live: LiveEvaluation = {
    async evaluateWhilePaused() {
      if (!base.paused) throw new TabtuneError('pause the run to evaluate now (while training it evaluates on its schedule)', { code: 'not-paused' });
      if (!live.evaluate) throw new TabtuneError('the model is not loaded yet: evaluate once training has begun', { code: 'no-model' });
      // From the request on, a Resume is held: the loop may not have reached its pause yet.
      evaluating = true;
      try {
        if (!waiting) await new Promise<void>((resolve) => idle.push(resolve));
        if (!waiting || !base.paused) throw new TabtuneError('the run went on before it reached its pause; pause it again to evaluate', { code: 'not-paused' });
        await live.evaluate!();
      } finally {
        evaluating = false;
        if (resumeAfter) {
          resumeAfter = false;
          pause.resume();
        }
      }
    },
    release: wake,
  };
  return { pause, live };
}

async function execute(plan: RunSpec, ctx: RunContext, signal: AbortSignal, pause: PauseControl, failure: () => string | null, holder: { live: LiveModel | null } = { live: null }, live?: LiveEvaluation): Promise<RunOutcome> {
  const { emit, storage } = ctx;
  const { runId } = plan;
  const status = (s: 'preparing' | 'training' | 'finished' | 'stopped' | 'failed') => emit({ type: 'status', status: s, runId });
  const log = (message: string, level: 'info' | 'warn' | 'error' = 'info') => emit({ type: 'log', level, message, time: Date.now() });
  const steps: StepMetrics[] = plan.resume ? plan.resume.steps.slice() : [];
  const evals: EvalResult[] = plan.resume?.record ? plan.resume.record.evals.slice() : [];
  let lastCheckpointStep: number | null = plan.resume ? (plan.resume.record?.lastCheckpointStep ?? plan.resume.checkpoint.state.step) : null;
  let lastOutcome: EvalOutcome | undefined;
  let model: BertModel | null = null;
  let tokenizer: Tokenizer | null = null;
  let config: TrainingConfig | null = null;
  let adapter: TaskAdapter | null = null;
  let modelConfig: BertConfig | null = null;
  let rawConfig: Record<string, unknown> | undefined;
  let labels: string[] = [];
  let stored = false;
  let lastPredictions: TaskPredictions | null = null;
  const rowsOfLastPredictions = async (): Promise<DevPrediction[]> =>
    lastPredictions ? predictionRows({ task: plan.task, predictions: lastPredictions, dev: plan.dev, columns: plan.columns, labels: plan.task === 'sts-b' || labels.length === 0 ? null : labels, cache: ctx.cache }) : [];
  const filesOfLastPredictions = async (): Promise<ExportedFile[]> => {
    const p = lastPredictions;
    return p ? predictionFilesFromRows(plan.task, p, await rowsOfLastPredictions()) : [];
  };
  const notePredictions = (p: TaskPredictions): void => {
    lastPredictions = p;
  };
  let predictionsSent: Promise<void> = Promise.resolve();
  const sendPredictions = (step: number): void => {
    predictionsSent = rowsOfLastPredictions()
      .then((rows) => {
        if (rows.length > 0) emit({ type: 'evalPredictions', runId, step, rows });
      })
      .catch((e) => log(`the dev predictions could not be listed: ${(e as Error).message}`, 'warn'));
  };

  const update = async (patch: Partial<Omit<RunRecord, 'id'>>): Promise<void> => {
    if (!storage || !stored) return;
    try {
      await storage.updateRun(runId, patch);
    } catch (e) {
      log(`could not update the stored run: ${(e as Error).message}`, 'warn');
    }
  };
  /** An evaluation's result, from the schedule or from Evaluate-now: kept, sent, and stored with the run. */
  const recordEval = (result: EvalResult, outcome: EvalOutcome): void => {
    evals.push(result);
    emit({ type: 'eval', result });
    if (outcome.spans && outcome.spans.length > 0) emit({ type: 'spanPredictions', step: result.step, items: outcome.spans });
    lastPredictions = outcome.predictions;
    lastOutcome = outcome;
    sendPredictions(result.step);
    void update({ evals: evals.slice() });
  };
  /** The curve and the last step are stored at most this often between checkpoints, so a reload keeps them. */
  let progressSavedAt = Date.now();
  const saveProgress = (): void => {
    const now = Date.now();
    if (now - progressSavedAt < PROGRESS_SAVE_MS) return;
    progressSavedAt = now;
    const last = steps[steps.length - 1];
    void saveSeries().then(() => update({ lastStep: last?.step ?? 0, lastLoss: last?.loss ?? null }));
  };
  const saveSeries = async (): Promise<void> => {
    if (!storage || !stored) return;
    try {
      await storage.putSeries(runId, seriesFromSteps(steps));
    } catch (e) {
      log(`could not store the loss curve: ${(e as Error).message}`, 'warn');
    }
  };

  let backendNow: BackendState | null = null;
  // A failed checkpoint save (storage full) is reported and training goes on; the next save retries.
  const onSaveFailure = (f: CheckpointSaveFailure): void => {
    if (f.action === 'delete') return log(`the old checkpoint ${f.name} could not be deleted (${f.message}); it stays until the next save`, 'warn');
    const kept = lastCheckpointStep !== null ? `the checkpoint at step ${lastCheckpointStep} is kept and readable` : 'no earlier checkpoint was saved';
    emit({
      type: 'error', fatal: false, lastCheckpointStep, location: `checkpoint at step ${f.step}`, code: f.quota ? 'storage-quota' : 'checkpoint-save',
      message: `${f.quota ? "The browser's storage for this page is full" : 'Storage failed'}: the checkpoint at step ${f.step} could not be saved (${f.message}); ${kept}. Training goes on and the next checkpoint tries again${f.quota ? ' (free space by deleting old runs)' : ''}.`,
    });
  };

  try {
    status('preparing');
    const backend = await ctx.backend();
    backendNow = backend;
    emit({ type: 'backend', ...backendEventFields(backend.info) });
    if (backend.lost) throw new TabtuneError(backend.lost, { code: 'device-lost', expected: 'reload the page to get a new GPU device' });

    tokenizer = await plan.tokenizer();
    config = { ...plan.settings, task: plan.task, versionTwoWithNegative: plan.task === 'squad2' };
    validateTrainingConfig(config);
    const cfg = config;
    adapter = await createTaskAdapter({
      tokenizer,
      config: cfg,
      train: plan.train,
      dev: plan.dev,
      columns: plan.columns,
      cache: ctx.cache,
      onProgress: (phase, done, total) => emit({ type: 'progress', phase: phase === 'reading' ? 'reading' : 'featurizing', done, total }),
    });
    for (const note of adapter.notes) log(note, 'warn');
    if (!adapter.train || adapter.train.numFeatures === 0) {
      throw new TabtuneError('the training file gave no examples', { file: plan.train.name, expected: 'at least one training example', code: 'no-train' });
    }
    if (signal.aborted) throw new DOMException('stopped before training', 'AbortError');
    labels = adapter.labels;

    emit({ type: 'progress', phase: 'loading-weights', done: 0, total: 1 });
    const loaded = await plan.loadModel((done, total) => emit({ type: 'progress', phase: 'loading-weights', done, total }));
    for (const note of loaded.notes) log(note);
    modelConfig = loaded.config;
    rawConfig = loaded.rawConfig;
    // The session checked the settings against the config it saw; the weights' config decides.
    const [issue] = validateSettings(plan.task, cfg, { maxPositions: loaded.config.maxPositionEmbeddings, numLayers: loaded.config.numHiddenLayers });
    if (issue) throw new TabtuneError(issue.message, { location: `settings: ${issue.key ?? 'model'}`, expected: 'settings the model can take', code: 'settings' });
    // Stop is honoured between the first step's pieces too (reading the weights, uploading them, the first step's shaders).
    if (signal.aborted) throw new DOMException('stopped before training', 'AbortError');
    model = createBertModel(loaded.config, loaded.weights, adapter.head, { seed: cfg.seed, source: loaded.source, trainable: trainableSpecOf(cfg) });
    loaded.weights.clear();
    if (signal.aborted) throw new DOMException('stopped before training', 'AbortError');
    emit({ type: 'progress', phase: 'loading-weights', done: 1, total: 1 });

    const counts = countTrainSteps(cfg, adapter.train.numFeatures);
    const info: RunInfo = {
      runId,
      runName: plan.runName,
      task: plan.task,
      settings: plan.settings,
      labels,
      numTrainExamples: adapter.train.numExamples,
      numTrainFeatures: adapter.train.numFeatures,
      numDevExamples: adapter.dev?.numExamples ?? 0,
      stepsPerEpoch: Math.max(1, Math.floor(counts.microBatchesPerEpoch / cfg.gradientAccumulationSteps)),
      totalSteps: counts.numTrainSteps,
      resumedFromStep: plan.resume?.checkpoint.state.step ?? 0,
      isDemo: plan.isDemo,
    };
    emit({ type: 'runStarted', run: info });
    if (steps.length > 0) emit({ type: 'step', steps: steps.slice() });
    for (const ev of evals) emit({ type: 'eval', result: ev });

    if (plan.viewOnly) {
      if (!plan.resume) throw new TabtuneError('only a stored run with a checkpoint can be opened', { code: 'checkpoint-missing' });
      restoreWeights(model, plan.resume.checkpoint.weights, `run ${plan.runName}, step ${plan.resume.checkpoint.state.step}`);
      const step = plan.resume.checkpoint.state.step;
      const finished = plan.resume.record?.status === 'finished';
      log(`opened run "${plan.runName}" with its weights at step ${step}${finished ? '' : ' (Resume continues its training)'}`);
      status(finished ? 'finished' : 'stopped');
      return { status: finished ? 'completed' : 'stopped', model, tokenizer, config, adapter, modelConfig, rawConfig, labels, step, steps, evals, predictionFiles: filesOfLastPredictions, predictionRows: rowsOfLastPredictions, notePredictions };
    }

    if (storage) {
      const now = Date.now();
      const record: RunRecord = plan.resume?.record
        ? { ...plan.resume.record, status: 'running', updated: now, backend: backend.info.name, error: null }
        : {
            id: runId, name: plan.runName, created: now, updated: now, task: plan.task,
            settings: { ...plan.settings } as Record<string, unknown>, labels, fingerprint: plan.fingerprint, dataSelection: plan.dataSelection, fileNames: plan.fileNames,
            status: 'running', isDemo: plan.isDemo, demoSeed: plan.demoSeed, ...(plan.demoSize ? { demoSize: plan.demoSize } : {}), ...(plan.demoChoice ? { demoChoice: { ...plan.demoChoice } as Record<string, unknown> } : {}), model: { ...loaded.summary } as Record<string, unknown>,
            backend: backend.info.name, totalSteps: counts.numTrainSteps, lastStep: info.resumedFromStep, lastLoss: null,
            lastCheckpointStep: null, evals: [], finalMetrics: null, error: null, keptFiles: plan.keptFiles ?? [],
          };
      try {
        await storage.putRun(record);
        stored = true;
      } catch (e) {
        log(`runs cannot be stored in this browser (${(e as Error).message}); this run will not survive a reload`, 'warn');
      }
    }

    holder.live = { model, tokenizer, config: cfg, labels };
    if (live) {
      const dev = adapter.dev;
      const m = model;
      live.evaluate = async () => {
        if (!dev) throw new TabtuneError('this run has no dev set to evaluate on', { code: 'no-dev' });
        const last = steps[steps.length - 1];
        const outcome = await dev.evaluate(m, { batchSize: cfg.evalBatchSize, liveSpanCount: cfg.liveSpanCount, onProgress: (d, t) => emit({ type: 'progress', phase: 'evaluating', done: d, total: t }) });
        recordEval({ step: last?.step ?? 0, epoch: last?.epoch ?? 0, metrics: outcome.metrics }, outcome);
      };
    }
    status('training');
    let checkpointBytes = 0;
    const inner = ctx.checkpoints ? ctx.checkpoints(runId) : storage && stored ? runCheckpointStore(storage, runId, { onSaved: (_step, _epoch, bytes) => (checkpointBytes = bytes) }) : undefined;
    const guarded = inner ? guardCheckpointStore(inner, onSaveFailure) : undefined;
    const result = await runTraining(
      {
        model,
        config: cfg,
        train: adapter.train,
        dev: adapter.dev,
        store: guarded?.store,
        keepCheckpoints: 2,
        resume: plan.resume?.checkpoint,
        pause,
      },
      {
        onStep(m) {
          steps.push(m);
          emit({ type: 'step', steps: [m] });
          saveProgress();
        },
        onEval: recordEval,
        onProgress(phase, done, total) {
          emit({ type: 'progress', phase, done, total });
        },
        onLog(message, level) {
          const saved = /^checkpoint (\S+) saved$/.exec(message);
          if (saved && guarded?.failed(saved[1])) return;
          log(message, level);
        },
        onCheckpoint(c) {
          if (guarded?.failed(c.name)) return;
          lastCheckpointStep = c.step;
          const last = steps[steps.length - 1];
          void saveSeries();
          void update({ lastStep: c.step, lastLoss: last?.loss ?? null, lastCheckpointStep: c.step, evals: evals.slice() });
          emit({ type: 'checkpoint', runId, step: c.step, epoch: c.epoch, bytes: checkpointBytes });
        },
        onNonFinite(r) {
          emit({
            type: 'error', fatal: true, lastCheckpointStep,
            message: `step ${r.step}: the ${r.tensor === 'loss' ? 'loss' : `gradient of ${r.tensor}`} is not a finite number; training stopped with the last good weights (try a lower learning rate)`,
            location: `step ${r.step}`, code: 'non-finite',
          });
        },
      },
      signal,
    );
    await saveSeries();
    await predictionsSent;
    const finalMetrics = result.lastEval?.metrics ?? {};
    const lost = failure();
    if (lost) throw new TabtuneError(lost, { code: 'device-lost' });
    const completed = result.status === 'completed';
    const reason = completed ? 'completed' : result.status === 'cancelled' ? 'stopped' : 'failed';
    await update({ status: completed ? 'finished' : reason === 'stopped' ? 'stopped' : 'failed', lastStep: result.state.step, lastLoss: steps[steps.length - 1]?.loss ?? null, finalMetrics, evals: evals.slice(), lastCheckpointStep });
    emit({ type: 'finished', runId, reason, step: result.state.step, metrics: finalMetrics });
    status(completed ? 'finished' : reason === 'stopped' ? 'stopped' : 'failed');
    return { status: reason, result, lastOutcome, model, tokenizer, config, adapter, modelConfig, rawConfig, labels, step: result.state.step, steps, evals, predictionFiles: filesOfLastPredictions, predictionRows: rowsOfLastPredictions, notePredictions };
  } catch (e) {
    // A read on a lost GPU fails (often as an AbortError) just before device.lost resolves.
    const lost = failure() ?? (signal.aborted ? null : await lostWithin(backendNow));
    const stopped = !lost && (signal.aborted || isAbortError(e));
    await saveSeries();
    const step = steps[steps.length - 1]?.step ?? 0;
    if (stopped) {
      await update({ status: 'stopped', lastStep: step, lastCheckpointStep });
      emit({ type: 'finished', runId, reason: 'stopped', step, metrics: {} });
      status('stopped');
      return { status: 'stopped', lastOutcome, model, tokenizer, config, adapter, modelConfig, rawConfig, labels, step, steps, evals, predictionFiles: filesOfLastPredictions, predictionRows: rowsOfLastPredictions, notePredictions };
    }
    const info = lost ? { message: lost, code: 'device-lost' } : errorInfo(e);
    const advice = adviceFor(info.code, lastCheckpointStep);
    await update({ status: 'failed', error: info.message, lastStep: step, lastCheckpointStep });
    emit({ type: 'error', fatal: true, lastCheckpointStep, ...info, message: advice ? `${info.message}. ${advice}` : info.message });
    emit({ type: 'finished', runId, reason: 'failed', step, metrics: {} });
    status('failed');
    // A model on a lost device or after an out-of-memory error is not usable.
    if (model && (lost || info.code === 'out-of-memory')) {
      try {
        model.dispose();
      } catch {
        // the device is gone
      }
      model = null;
    }
    return { status: 'failed', lastOutcome, model, tokenizer, config, adapter, modelConfig, rawConfig, labels, step, steps, evals, predictionFiles: filesOfLastPredictions, predictionRows: rowsOfLastPredictions, notePredictions };
  }
}

/** How often the curve and last step are stored between checkpoints (ms). */
export const PROGRESS_SAVE_MS = 5_000;

function adviceFor(code: string | undefined, checkpointStep: number | null): string {
  const kept = checkpointStep !== null ? `The checkpoint at step ${checkpointStep} is kept: resume the run from the run list.` : '';
  if (code === 'out-of-memory') return `The GPU ran out of memory: lower the batch size or the max sequence length (or use gradient accumulation). ${kept}`.trim();
  if (code === 'device-lost') return checkpointStep !== null ? `The checkpoint at step ${checkpointStep} is kept: Resume continues from it on a new GPU device.` : 'No checkpoint had been saved yet: start the run again (on a new GPU device).';
  return kept;
}
