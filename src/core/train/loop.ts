/**
 * The training loop: epochs of seeded-shuffled batches through the trainer, evaluation every N
 * steps and at each epoch end, checkpoints, pause / cancel, and a stream of events. Pure core
 * (tfjs only, no Node or DOM APIs): the CLI, the worker and the tests all run this.
 *
 * No stalls: on GPU backends up to MAX_IN_FLIGHT micro-batches are enqueued before the oldest
 * one's loss is read (trainer.step returns as soon as its work is enqueued). The non-finite guard stays on
 * the device and is sticky (step.ts), so a step enqueued behind a bad one changes nothing and
 * the run stops with the last good weights. Evaluation and checkpoints need exactly one
 * step's weights: nothing is enqueued behind such a step until they are done. Pause and
 * cancel act at the next optimizer-step boundary with nothing in flight (a cancel seen while
 * a step is in flight lets that step finish and be reported).
 *
 * Determinism: the data order comes from a seeded RNG whose state (and the current epoch's
 * order) is checkpointed; the trainer seeds each micro-batch's dropout from (seed, micro-batch
 * index), and that index is checkpointed with the optimizer state. A run
 * resumed from a checkpoint therefore takes exactly the steps the uninterrupted run takes.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { BertModel } from '../model/types';
import type { EvalResult, StepMetrics } from './types';
import type { TrainingConfig } from './run-config';
import { countTrainSteps, optimizerConfigFor } from './run-config';
import type { EvalOutcome, EvalSet, TrainSet } from './task-types';
import {
  checkpointName,
  serializeCheckpoint,
  type CheckpointStore,
  type LoopState,
  type TrainingCheckpoint,
} from './checkpoint';
import { createLoopRng } from './loop-rng';
import type { PauseControl } from './loop-control';
import { createTrainer, type StepResult, type Trainer } from './step';
import { batchLimitsOf, toDeviceBatch, disposeBatch } from '../model/batch';
import { restoreWeights } from './loop-weights';
import { yieldToEventLoop } from './yield-to-event-loop';
import { createCheckpointSchedule } from './checkpoint-schedule';

export interface TrainingOptions {
  model: BertModel;
  config: TrainingConfig;
  train: TrainSet;
  dev?: EvalSet;
  /** Where checkpoints go (every saveCheckpointsSteps steps, every saveCheckpointsSeconds of training, and at the end: checkpoint-schedule.ts). */
  store?: CheckpointStore;
  /** Keep only the newest N checkpoints in the store (0: keep all). Default 2. */
  keepCheckpoints?: number;
  /** Continue from here: weights, optimizer state and data position are restored first. */
  resume?: TrainingCheckpoint;
  pause?: PauseControl;
  /** Clock in ms (tests may inject one). Default performance.now / Date.now. */
  now?: () => number;
  /**
   * Micro-batches enqueued ahead of the one whose result is read (default MAX_IN_FLIGHT on GPU
   * backends; 1 on wasm / cpu, whose steps run synchronously: nothing to overlap there, and a
   * cancel then stops exactly at the step it was asked at).
   */
  maxInFlight?: number;
}

export type TrainingPhase = 'epoch' | 'evaluating' | 'checkpoint';

export interface NonFiniteReport {
  /** The optimizer step that produced it (not applied). */
  step: number;
  /** Which value: 'loss' or the first gradient tensor's name. */
  tensor: string;
}

export interface TrainingCallbacks {
  onStep?(metrics: StepMetrics): void;
  onEval?(result: EvalResult, outcome: EvalOutcome): void;
  onProgress?(phase: TrainingPhase, done: number, total: number): void;
  onLog?(message: string, level: 'info' | 'warn'): void;
  onCheckpoint?(info: { name: string; step: number; epoch: number }): void;
  onNonFinite?(report: NonFiniteReport): void;
}

export interface TrainingResult {
  status: 'completed' | 'cancelled' | 'diverged';
  /** Position after the last applied optimizer step (a diverged step is not counted). */
  state: LoopState;
  numTrainSteps: number;
  lastEval?: EvalResult;
  nonFinite?: NonFiniteReport;
  /**
   * When cancelled or diverged: the last good weights, optimizer state and position, to save or
   * to continue from (after a NaN, e.g. runTraining({...options, resume: snapshot, config:
   * {...config, learningRate: lower}})). A completed run's last checkpoint is in the store.
   */
  snapshot?: TrainingCheckpoint;
}

/**
 * Micro-batches enqueued ahead of the one whose result is being read: 2 means step k+1 is on the
 * device queue while step k's loss comes back, so the GPU never idles waiting for the host.
 */
export const MAX_IN_FLIGHT = 2;

const defaultNow = () => (typeof performance !== 'undefined' ? performance.now() : Date.now());

/** A copy of the position; the (append-only) history object is shared. */
function copyState(s: LoopState): LoopState {
  return { ...s, rngState: [...s.rngState] };
}

/** A fully independent copy (for snapshots handed out). */
function cloneState(s: LoopState): LoopState {
  return { ...s, epochOrder: [...s.epochOrder], rngState: [...s.rngState], history: { train: [...s.history.train], eval: [...s.history.eval] } };
}

export async function runTraining(options: TrainingOptions, callbacks: TrainingCallbacks = {}, signal?: AbortSignal): Promise<TrainingResult> {
  const { model, config, train, dev, store, pause } = options;
  const limits = batchLimitsOf(model);
  const now = options.now ?? defaultNow;
  const keep = options.keepCheckpoints ?? 2;
  const log = (m: string, level: 'info' | 'warn' = 'info') => callbacks.onLog?.(m, level);

  const n = train.numFeatures;
  const counts = countTrainSteps(config, n);
  const accum = config.gradientAccumulationSteps;
  /** Micro-batches of the whole run: whole optimizer steps only. */
  const totalMicro = counts.numTrainSteps * accum;
  const trainer: Trainer = createTrainer(model, optimizerConfigFor(config, n), { gradientAccumulationSteps: accum, seed: config.seed, dropout: config.dropout ?? true });

  const rng = createLoopRng(config.seed);
  let state: LoopState;
  if (options.resume) {
    const r = options.resume;
    if (r.state.numTrainFeatures !== n) {
      trainer.dispose();
      throw new Error(`the checkpoint was made on ${r.state.numTrainFeatures} training features, this data has ${n}: cannot resume on different data`);
    }
    if (r.state.microStep % accum !== 0) {
      trainer.dispose();
      throw new Error(`the checkpoint is in the middle of gradient accumulation (micro-batch ${r.state.microStep}, accumulation ${accum})`);
    }
    restoreWeights(model, r.weights);
    trainer.setState(r.optimizer, 'checkpoint optimizer state');
    rng.setState(r.state.rngState);
    state = cloneState(r.state);
    log(`resumed at step ${state.step} (epoch ${state.epoch + 1}, batch ${state.batchInEpoch})`);
  } else {
    const epochOrder = rng.permutation(n);
    state = { step: 0, microStep: 0, epoch: 0, batchInEpoch: 0, epochOrder, rngState: rng.getState(), numTrainFeatures: n, history: { train: [], eval: [] } };
  }
  /** State at the last optimizer-step boundary: what a checkpoint or a snapshot holds. */
  let good = copyState(state);
  let lastEval: EvalResult | undefined = state.history.eval[state.history.eval.length - 1];
  let lastCheckpointStep = -1;
  const schedule = createCheckpointSchedule({ steps: config.saveCheckpointsSteps, seconds: config.saveCheckpointsSeconds ?? 0 }, now);

  // Taken at an optimizer-step boundary. The step counters are the loop's last good position
  // (a skipped non-finite step changed no weight or slot, but the trainer counted it).
  const snapshot = async (): Promise<TrainingCheckpoint> => {
    const optimizer = await trainer.getState();
    optimizer.meta.step = good.step;
    optimizer.meta.microBatches = good.microStep;
    return { weights: await model.exportWeights(), optimizer, state: cloneState(good), config };
  };

  const evaluate = async (): Promise<void> => {
    if (!dev) return;
    callbacks.onProgress?.('evaluating', 0, dev.numFeatures);
    let outcome: EvalOutcome;
    try {
      outcome = await dev.evaluate(model, {
        batchSize: config.evalBatchSize,
        signal,
        onProgress: (d, t) => callbacks.onProgress?.('evaluating', d, t),
        liveSpanCount: config.liveSpanCount,
      });
    } catch (e) {
      if (signal?.aborted) return; // cancelled mid-evaluation: no result
      throw e;
    }
    const result: EvalResult = { step: good.step, epoch: epochProgress(good), metrics: outcome.metrics };
    lastEval = result;
    state.history.eval.push(result); // shared with `good`
    callbacks.onEval?.(result, outcome);
    log(`eval at step ${result.step}: ${Object.entries(result.metrics).map(([k, v]) => `${k}=${round4(v)}`).join(' ')}`);
  };

  const epochProgress = (s: LoopState) => s.epoch + s.batchInEpoch / counts.microBatchesPerEpoch;

  const saveCheckpoint = async (): Promise<void> => {
    if (!store || lastCheckpointStep === good.step) return;
    callbacks.onProgress?.('checkpoint', 0, 1);
    const name = checkpointName(good.step);
    await store.save(name, serializeCheckpoint(await snapshot()));
    lastCheckpointStep = good.step;
    schedule.saved();
    if (keep > 0) {
      const names = await store.list();
      for (const old of names.slice(0, Math.max(0, names.length - keep))) await store.remove(old);
    }
    callbacks.onProgress?.('checkpoint', 1, 1);
    callbacks.onCheckpoint?.({ name, step: good.step, epoch: good.epoch });
    log(`checkpoint ${name} saved`);
  };

  const finish = (status: TrainingResult['status'], snap?: TrainingCheckpoint, nonFinite?: NonFiniteReport): TrainingResult => {
    trainer.dispose();
    return { status, state: cloneState(good), numTrainSteps: counts.numTrainSteps, lastEval, nonFinite, snapshot: snap };
  };

  let epochEndedSinceStep = false;
  let windowStart = now();
  let windowExamples = 0;
  let windowTokens = 0;

  // ---- Submission side: the data position of the next micro-batch to enqueue. ----
  /** One enqueued micro-batch whose result has not been processed yet. */
  interface InFlight {
    pending: Promise<StepResult>;
    /** Data position after this micro-batch. */
    after: Pick<LoopState, 'microStep' | 'epoch' | 'batchInEpoch' | 'epochOrder' | 'rngState'>;
    epochEnded: boolean;
    examples: number;
    tokens: number;
    /** Processing it evaluates or checkpoints: nothing may be enqueued behind it (the weights must stay). */
    barrier: boolean;
    /** Its optimizer step checkpoints because training time since the last checkpoint is up (decided at submit). */
    checkpointByTime: boolean;
  }
  const cursor = { microStep: state.microStep, epoch: state.epoch, batchInEpoch: state.batchInEpoch, epochOrder: state.epochOrder, rngState: [...state.rngState] };
  let cursorEpochEnded = false; // an epoch ended since the last optimizer-step boundary that was submitted
  const inflight: InFlight[] = [];
  const maxInFlight = Math.max(1, options.maxInFlight ?? (['wasm', 'cpu'].includes(tf.getBackend()) ? 1 : MAX_IN_FLIGHT));

  /** Would processing the optimizer step that ends at micro-batch `micro` evaluate or checkpoint? */
  const isBarrier = (micro: number, epochEnded: boolean): boolean => {
    if (micro % accum !== 0) return false;
    const step = micro / accum;
    const last = micro >= totalMicro;
    const evalNow = !!dev && ((config.evalEverySteps > 0 && step % config.evalEverySteps === 0) || epochEnded || last);
    const ckptNow = !!store && schedule.due(step, last) !== null;
    return evalNow || ckptNow;
  };

  const submit = (): void => {
    const begin = cursor.batchInEpoch * config.trainBatchSize;
    const indices = cursor.epochOrder.slice(begin, begin + config.trainBatchSize);
    const batch = train.batch(indices, cursor.epoch);
    let tokens = 0;
    for (let i = 0; i < batch.attentionMask.length; i++) tokens += batch.attentionMask[i];
    const device = toDeviceBatch(batch, limits); // ids checked against the model before any tensor exists
    let pending: Promise<StepResult>;
    try {
      pending = trainer.step(device); // enqueued; the loss and norms are read asynchronously
    } finally {
      disposeBatch(device);
    }
    cursor.microStep++;
    cursor.batchInEpoch++;
    let epochEnded = false;
    if (cursor.batchInEpoch >= counts.microBatchesPerEpoch) {
      cursor.epoch++;
      cursor.batchInEpoch = 0;
      cursor.epochOrder = rng.permutation(n);
      cursor.rngState = rng.getState();
      epochEnded = true;
    }
    cursorEpochEnded ||= epochEnded;
    const barrier = isBarrier(cursor.microStep, cursorEpochEnded);
    const checkpointByTime = barrier && !!store && cursor.microStep % accum === 0 && schedule.due(cursor.microStep / accum, cursor.microStep >= totalMicro) === 'time';
    if (cursor.microStep % accum === 0) cursorEpochEnded = false;
    inflight.push({ pending, after: { ...cursor, rngState: [...cursor.rngState] }, epochEnded, examples: batch.batchSize, tokens, barrier, checkpointByTime });
  };

  /** Waits for (and drops) what is still enqueued: after a stop, their results no longer matter. */
  const discardInFlight = async (): Promise<void> => {
    while (inflight.length) await inflight.shift()!.pending.catch(() => undefined);
  };

  try {
    for (;;) {
      // One event-loop turn at each boundary with nothing in flight, so a stop or pause sent while a
      // synchronous (WASM/CPU) step ran is seen there (yield-to-event-loop.ts). With steps in flight
      // (GPU backends) the loop already awaits their reads, and an extra turn would only reorder them.
      if (inflight.length === 0) await yieldToEventLoop();
      // Keep up to MAX_IN_FLIGHT micro-batches enqueued: step k+1 is submitted before step k's
      // loss is read, so the device never waits for the host. Pause and cancel act at an
      // optimizer-step boundary once nothing is in flight; nothing is enqueued behind a step
      // that evaluates or checkpoints (they need exactly that step's weights).
      while (cursor.microStep < totalMicro && inflight.length < maxInFlight && !inflight.some((e) => e.barrier)) {
        const atBoundary = cursor.microStep % accum === 0;
        if (atBoundary && (signal?.aborted || pause?.paused)) break;
        submit();
      }
      if (!inflight.length) {
        if (cursor.microStep >= totalMicro || signal?.aborted) break;
        if (pause?.paused) {
          log('paused');
          schedule.pause();
          await pause.wait(signal);
          schedule.resume();
          if (signal?.aborted) break;
          log('resumed');
          windowStart = now();
          windowExamples = 0;
          windowTokens = 0;
        }
        continue;
      }
      const e = inflight.shift()!;
      const r = await e.pending;

      state.microStep = e.after.microStep;
      state.batchInEpoch = e.after.batchInEpoch;
      state.epoch = e.after.epoch;
      state.epochOrder = e.after.epochOrder;
      state.rngState = e.after.rngState;
      windowExamples += e.examples;
      windowTokens += e.tokens;
      if (e.epochEnded) {
        epochEndedSinceStep = true;
        callbacks.onProgress?.('epoch', counts.microBatchesPerEpoch, counts.microBatchesPerEpoch);
      } else {
        callbacks.onProgress?.('epoch', state.batchInEpoch, counts.microBatchesPerEpoch);
      }
      if (!r.applied && !r.skipped) continue; // a micro-batch inside an accumulation

      if (r.skipped) {
        // The device guard is sticky: steps enqueued behind this one were not applied either.
        await discardInFlight();
        const report: NonFiniteReport = { step: good.step + 1, tensor: r.skipped.tensor };
        log(`step ${report.step}: non-finite value in ${report.tensor}; the step was not applied and training stopped (the last good weights are kept; continue with a lower learning rate)`, 'warn');
        callbacks.onNonFinite?.(report);
        return finish('diverged', await snapshot(), report);
      }

      state.step++;
      const t = now();
      const elapsed = Math.max(1e-6, (t - windowStart) / 1000);
      // Memory as at the end of this step: results of later steps still in flight are not counted.
      const mem = tf.memory();
      const metrics: StepMetrics = {
        step: state.step,
        epoch: epochProgress(state),
        loss: r.loss,
        learningRate: r.learningRate,
        gradNorm: r.gradNorm,
        examplesPerSec: windowExamples / elapsed,
        tokensPerSec: windowTokens / elapsed,
        memoryBytes: mem.numBytes - trainer.inFlight.bytes,
        numTensors: mem.numTensors - trainer.inFlight.tensors,
      };
      windowStart = t;
      windowExamples = 0;
      windowTokens = 0;
      if (Number.isFinite(r.loss)) state.history.train.push({ step: state.step, loss: r.loss, learning_rate: r.learningRate });
      good = copyState(state);
      callbacks.onStep?.(metrics);

      const last = state.microStep >= totalMicro;
      const evalNow = (config.evalEverySteps > 0 && state.step % config.evalEverySteps === 0) || epochEndedSinceStep || last;
      epochEndedSinceStep = false;
      if (evalNow && dev) {
        await evaluate();
        windowStart = now();
      }
      // By time only when decided at submit (nothing was enqueued behind this step since).
      const reason = store ? schedule.due(state.step, last) : null;
      if (store && (reason === 'steps' || reason === 'last' || e.checkpointByTime)) {
        await saveCheckpoint();
        windowStart = now();
      }
    }
    if (state.microStep >= totalMicro) return finish('completed');
    log(`cancelled at step ${good.step}`, 'warn');
    return finish('cancelled', await snapshot());
  } catch (e) {
    await discardInFlight().catch(() => undefined);
    trainer.dispose();
    throw e;
  }
}

function round4(v: number): string {
  return Number.isFinite(v) ? v.toFixed(4) : String(v);
}
