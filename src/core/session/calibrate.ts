/**
 * Calibration: measured estimates before Start. A few real training steps of the loaded model on
 * the backend in use, at the chosen batch size and sequence length, then thrown away.
 *
 *   const m = await calibrate({ model, settings, batchSize, seqLength, signal });
 *   const e = estimateFrom(m, { stepsPerEpoch, totalSteps, evaluations, evalExamples, ... });
 *
 *   1. memory: train/preflight.ts's measureStepMemory (one forward + backward at batch 1 and 2,
 *      tf.profile's peak) -> fixed + per-example bytes (the settings' memory check);
 *   2. speed: a trainer (the run's optimizer) takes 1 warm-up step (shader compilation, first
 *      uploads), then `timedSteps` steps, each awaited: seconds per step = their mean;
 *   3. evaluation: one forward pass without dropout at the same batch: seconds per example.
 * The batch is synthetic at the full sequence length (every position a real token), so the
 * figures are what a full-length batch costs: an upper bound when shorter padding lengths apply.
 * Every tensor made here is disposed (numTensors is flat across a calibration); the caller owns
 * and disposes the model, whose weights the steps changed.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { BackendName } from '../backend/init';
import { toDeviceBatch, disposeBatch } from '../model/batch';
import type { BertModel, HostBatch } from '../model/types';
import type { Settings } from '../settings/schema';
import { measureStepMemory, type MeasuredStep } from '../train/preflight';
import { createTrainer } from '../train/step';
import type { OptimizerConfig } from '../train/types';

export interface CalibrateInput {
  model: BertModel;
  settings: Pick<Settings, 'optimizer' | 'learningRate' | 'weightDecay' | 'maxGradNorm' | 'schedule' | 'seed' | 'dropout'>;
  batchSize: number;
  seqLength: number;
  /** Timed steps after the warm-up step (default 2). */
  timedSteps?: number;
  /** Skip the timed steps (only memory): when the batch is known not to fit. */
  memoryOnly?: boolean;
  signal?: AbortSignal;
}

export interface Calibration {
  batchSize: number;
  seqLength: number;
  /** Mean of the timed steps (0 when memoryOnly). */
  secondsPerStep: number;
  /** The warm-up step (shader compilation included). */
  firstStepSeconds: number;
  /** One forward pass without dropout, per example. */
  evalSecondsPerExample: number;
  memory: MeasuredStep;
}

/** A synthetic full-length batch: token ids spread over the vocabulary, two segments, labels for the model's head. */
export function calibrationBatch(model: Pick<BertModel, 'config' | 'head'>, B: number, S: number): HostBatch {
  const V = model.config.vocabSize;
  const inputIds = new Int32Array(B * S);
  const tokenTypeIds = new Int32Array(B * S);
  const attentionMask = new Int32Array(B * S).fill(1);
  for (let i = 0; i < B * S; i++) {
    inputIds[i] = 1000 % V + ((i * 7919) % Math.max(1, V - 1000 % V));
    tokenTypeIds[i] = i % S >= S / 2 && model.config.typeVocabSize > 1 ? 1 : 0;
  }
  const host: HostBatch = { batchSize: B, seqLength: S, inputIds, tokenTypeIds, attentionMask };
  const h = model.head;
  if (h.kind === 'span') {
    host.startPositions = Int32Array.from({ length: B }, (_, i) => 1 + (i % Math.max(1, S - 2)));
    host.endPositions = host.startPositions.slice();
  } else if (h.kind === 'classification') {
    host.labels = Int32Array.from({ length: B }, (_, i) => i % h.numLabels);
  } else if (h.kind === 'regression') {
    host.labels = Float32Array.from({ length: B }, (_, i) => i % 5);
  } else {
    host.mlmLabels = Int32Array.from({ length: B * S }, (_, i) => (i % 7 === 0 ? inputIds[i] : -100));
  }
  return host;
}

const abortIf = (signal?: AbortSignal): void => {
  if (signal?.aborted) throw new DOMException('calibration cancelled', 'AbortError');
};

/**
 * The optimizer of a timing step: the run's optimizer and its settings, with a schedule long enough
 * that the timed steps' rates are ordinary (the weights are discarded afterwards).
 */
export function timingOptimizer(s: CalibrateInput['settings']): OptimizerConfig {
  return {
    name: s.optimizer, learningRate: s.learningRate, numTrainSteps: 1000, numWarmupSteps: 0, schedule: s.schedule,
    weightDecay: s.weightDecay, maxGradNorm: s.maxGradNorm, beta1: 0.9, beta2: 0.999, epsilon: s.optimizer === 'adamw' ? 1e-8 : 1e-6,
  };
}

export async function calibrate(input: CalibrateInput): Promise<Calibration> {
  const { model, batchSize: B, seqLength: S, signal } = input;
  const memory = await measureStepMemory(model, (b) => toDeviceBatch(calibrationBatch(model, b, S)));
  abortIf(signal);
  if (input.memoryOnly) return { batchSize: B, seqLength: S, secondsPerStep: 0, firstStepSeconds: 0, evalSecondsPerExample: 0, memory };

  const s = input.settings;
  const trainer = createTrainer(model, timingOptimizer(s), { seed: s.seed, dropout: s.dropout ?? true });
  const batch = toDeviceBatch(calibrationBatch(model, B, S));
  try {
    let t0 = performance.now();
    await trainer.step(batch);
    const firstStepSeconds = (performance.now() - t0) / 1000;
    const n = Math.max(1, input.timedSteps ?? 2);
    t0 = performance.now();
    for (let i = 0; i < n; i++) {
      abortIf(signal);
      await trainer.step(batch);
    }
    const secondsPerStep = (performance.now() - t0) / 1000 / n;
    abortIf(signal);
    // Evaluation: a forward pass without dropout (the first one may compile its own programs: run it twice).
    let evalSeconds = 0;
    for (let i = 0; i < 2; i++) {
      t0 = performance.now();
      const loss = tf.tidy(() => model.loss(batch, { training: false }));
      await loss.data();
      loss.dispose();
      evalSeconds = (performance.now() - t0) / 1000;
    }
    return { batchSize: B, seqLength: S, secondsPerStep, firstStepSeconds, evalSecondsPerExample: evalSeconds / B, memory };
  } finally {
    disposeBatch(batch);
    trainer.dispose();
  }
}

/** What the page states before Start: the measured speed and memory over the run's steps and evaluations. */
export interface RunEstimate {
  /** 'measuring' while the calibration runs (figures absent), 'failed' with `reason`. */
  status: 'measuring' | 'done' | 'failed';
  backend: BackendName | null;
  /** The adapter (WebGPU: vendor / architecture / description), when known. */
  adapter?: string;
  batchSize: number;
  seqLength: number;
  secondsPerStep?: number;
  firstStepSeconds?: number;
  stepsPerEpoch?: number;
  totalSteps?: number;
  secondsPerEpoch?: number;
  /** Evaluations the run will make, the examples each covers, and their total time. */
  evaluations?: number;
  evalExamples?: number;
  evalSeconds?: number;
  /** Training + evaluation (+ the first step's warm-up). */
  totalSeconds?: number;
  /** Measured peak memory of a step at this batch (tf.memory: weights, optimizer state, activations). */
  peakBytes?: number;
  /** Why the timing was skipped or failed. */
  reason?: string;
}

export interface EstimatePlan {
  backend: BackendName | null;
  adapter?: string;
  stepsPerEpoch: number;
  totalSteps: number;
  evaluations: number;
  evalExamples: number;
  /** Weights + optimizer state bytes (added to the measured step peak). */
  stateBytes: number;
}

export function estimateFrom(c: Calibration, plan: EstimatePlan): RunEstimate {
  const [p1, p2] = c.memory.stepPeakBytes;
  const peakBytes = plan.stateBytes + p1 + (c.batchSize - 1) * Math.max(0, p2 - p1);
  const base = { backend: plan.backend, adapter: plan.adapter, batchSize: c.batchSize, seqLength: c.seqLength, peakBytes };
  if (c.secondsPerStep <= 0) return { ...base, status: 'done', reason: 'the batch does not fit, so its speed was not measured' };
  const evalSeconds = plan.evaluations * plan.evalExamples * c.evalSecondsPerExample;
  const secondsPerEpoch = plan.stepsPerEpoch * c.secondsPerStep;
  const trainSeconds = plan.totalSteps * c.secondsPerStep + Math.max(0, c.firstStepSeconds - c.secondsPerStep);
  return {
    ...base, status: 'done', secondsPerStep: c.secondsPerStep, firstStepSeconds: c.firstStepSeconds,
    stepsPerEpoch: plan.stepsPerEpoch, totalSteps: plan.totalSteps, secondsPerEpoch,
    evaluations: plan.evaluations, evalExamples: plan.evalExamples, evalSeconds, totalSeconds: trainSeconds + evalSeconds,
  };
}
