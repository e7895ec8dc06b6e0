/**
 * The training step.
 *
 *   const trainer = createTrainer(model, optimizerConfig, { gradientAccumulationSteps, seed, dropout });
 *   const r = await trainer.step(batch);   // r: StepResult
 *   trainer.getState() / trainer.setState(state)   // for checkpoints (weights are exported by the model)
 *
 * step(batch) runs forward + backward on one (micro-)batch; every `gradientAccumulationSteps`
 * calls it applies one optimizer update with the averaged gradient:
 *   1. loss and gradients of every trainable variable (tf.variableGrads), dropout seeded by
 *      (seed, micro-batch index) so a seeded run is reproducible;
 *   2. opt.step (optimizer.ts; WGSL kernels on WebGPU): per-tensor Σg² (to name a non-finite
 *      tensor) and the global norm ‖g‖; ok = loss and ‖g‖ finite and no earlier step halted;
 *      global-norm clipping with the optimizer's reference semantics: bert-adam as
 *      tf.clip_by_global_norm (g·c/max(‖g‖, c)), adamw as torch clip_grad_norm_
 *      (g·min(1, c/(‖g‖ + 1e-6))); maxGradNorm 0 or ∞ disables; the update, a no-op on the
 *      device when !ok.
 * The guard is sticky (the next step() after the bad result was delivered re-arms it): a step
 * enqueued behind a non-finite one is not applied either, so a caller that keeps a step or two in flight still keeps the last good
 * weights exactly.
 * All of it is enqueued synchronously when step() returns; on GPU backends nothing is read
 * back synchronously (the skip decision stays on the device). On host-memory backends (wasm,
 * cpu) the optimizer reads the one-byte skip flag straight from memory (no queue to stall).
 * The returned promise resolves after one asynchronous read of [loss, ‖g‖, applied, Σg² per tensor];
 * callers may enqueue the next step before awaiting it.
 *
 * Learning rate: learningRateAt(config, step) (schedule.ts) where step counts optimizer
 * steps taken, skipped ones included (the schedule moves on; Adam's t counts applied ones).
 * A non-finite step is not applied (weights, m, v, t keep their last good values) and the
 * result's `skipped` names the step and the tensor; lower the rate with updateConfig() and
 * carry on.
 */
import * as tf from '@tensorflow/tfjs-core';
import '../backend/gradients';
import { TabtuneError } from '../errors';
import { mixSeed } from '../model/dropout';
import type { BertBatch, BertModel } from '../model/types';
import { createOptimizer, type FusedOptimizer, type OptimizerState } from './optimizer';
import { learningRateAt } from './schedule';
import type { OptimizerConfig } from './types';

export interface TrainerOptions {
  /** Micro-batches per optimizer step (default 1); the gradient is their mean. */
  gradientAccumulationSteps?: number;
  /** Dropout on (default true); run-batch and parity checks turn it off. */
  dropout?: boolean;
  /** Base seed for dropout masks (default 0). */
  seed?: number;
  /** Elements per fused optimizer group (optimizer.ts). */
  groupLimit?: number;
  /** Override optimizer.ts's host-memory detection (tests exercise the GPU path on WASM). */
  hostResident?: boolean;
  /** WGSL optimizer kernels on WebGPU (default true there); false forces the composed ops (parity tests). */
  kernels?: boolean;
}

export interface StepResult {
  /** Optimizer steps taken after this call (the schedule position). */
  step: number;
  /** True when this call completed an optimizer step and it was applied. */
  applied: boolean;
  /** Mean loss over the micro-batches of the completed step, or this micro-batch's loss. */
  loss: number;
  /** Global gradient norm before clipping (NaN for a micro-batch that completed no step). */
  gradNorm: number;
  /** The learning rate this step used. */
  learningRate: number;
  /** Set when the step was not applied because of a non-finite value. */
  skipped?: { step: number; reason: 'non-finite loss' | 'non-finite gradient' | 'after a non-finite step'; tensor: string };
}

export interface Trainer {
  readonly model: BertModel;
  readonly config: OptimizerConfig;
  /** Optimizer steps taken (skipped ones included). */
  readonly stepCount: number;
  step(batch: BertBatch): Promise<StepResult>;
  /** The learning rate the next optimizer step will use. */
  learningRate(): number;
  updateConfig(patch: Partial<OptimizerConfig>): void;
  /**
   * The guard is sticky: after a non-finite step, later steps already enqueued are not applied
   * ('after a non-finite step'). The first step() called after the non-finite result was
   * delivered re-arms it (so "lower the rate with updateConfig() and carry on" works); this
   * re-arms it at once.
   */
  clearHalt(): void;
  /** 'kernels' (WGSL on WebGPU) or 'composed' (tfjs ops). */
  readonly path: 'kernels' | 'composed';
  /** Steps enqueued whose result has not been read yet: their result tensors (count, bytes) are alive. */
  readonly inFlight: { steps: number; tensors: number; bytes: number };
  /** Optimizer slots + counters; only at a step boundary (not mid-accumulation). */
  getState(): Promise<OptimizerState>;
  setState(state: OptimizerState, file?: string): void;
  dispose(): void;
}

export function createTrainer(model: BertModel, config: OptimizerConfig, options: TrainerOptions = {}): Trainer {
  const k = options.gradientAccumulationSteps ?? 1;
  if (!Number.isInteger(k) || k < 1) {
    throw new TabtuneError(`gradient accumulation steps is ${k}`, { location: 'gradientAccumulationSteps', expected: 'a whole number ≥ 1', code: 'train-config' });
  }
  const dropout = options.dropout ?? true;
  const baseSeed = options.seed ?? 0;
  const names = [...model.variables.keys()];
  const vars = names.map((n) => model.variables.get(n)!);
  const opt: FusedOptimizer = createOptimizer(config, model.variables, { groupLimit: options.groupLimit, hostResident: options.hostResident, kernels: options.kernels });
  const order = opt.names; // the report's Σg² order
  let stepCount = 0;
  let microTotal = 0;

  // Accumulators, one per variable (only for k > 1).
  let acc: tf.Variable[] = [];
  let lossAcc: tf.Variable | undefined;
  if (k > 1) {
    // Inside tidy: the initial zeros are released, the variables stay (tidy never disposes variables).
    acc = tf.tidy(() => vars.map((v) => tf.variable(tf.zerosLike(v), false)));
    lossAcc = tf.tidy(() => tf.variable(tf.scalar(0), false));
  }

  const inFlight = { steps: 0, tensors: 0, bytes: 0 };
  /** Set once a non-finite step has been reported to the caller: the next step() re-arms the guard. */
  let rearm = false;
  const step = (batch: BertBatch): Promise<StepResult> => {
    if (rearm) {
      opt.clearHalt(); // enqueued after every step submitted before the caller saw the report
      rearm = false;
    }
    const micro = microTotal % k;
    const completes = micro === k - 1;
    const lr = learningRateAt(opt.config, stepCount);
    const seed = mixSeed(baseSeed, microTotal);
    microTotal += 1;
    const stats = tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => model.loss(batch, { training: dropout, seed }), vars);
      const byName = new Map<string, tf.Tensor>(names.map((n, i) => [n, grads[vars[i].name]]));
      for (const [n, g] of byName) if (!g) throw new Error(`internal: no gradient for ${n}`);
      if (k === 1) return opt.step(byName, value, lr); // [3 + N]
      acc.forEach((a, i) => a.assign(tf.add(a, byName.get(names[i])!)));
      lossAcc!.assign(tf.add(lossAcc!, value));
      if (!completes) return tf.stack([value, tf.scalar(NaN), tf.scalar(0)]);
      const avg = new Map<string, tf.Tensor>(names.map((n, i) => [n, tf.div(acc[i], k)])); // mean gradient per variable
      const out = opt.step(avg, tf.div(lossAcc!, k) as tf.Scalar, lr);
      acc.forEach((a) => a.assign(tf.zerosLike(a)));
      lossAcc!.assign(tf.scalar(0));
      return out;
    });
    if (completes) stepCount += 1;
    const thisStep = stepCount;
    const bytes = stats.size * 4;
    inFlight.steps += 1;
    inFlight.tensors += 1;
    inFlight.bytes += bytes;
    return stats.data().then((d) => {
      stats.dispose();
      inFlight.steps -= 1;
      inFlight.tensors -= 1;
      inFlight.bytes -= bytes;
      const loss = d[0];
      const gradNorm = d[1];
      const result: StepResult = { step: thisStep, applied: false, loss, gradNorm, learningRate: lr };
      if (!completes) return result;
      if (!Number.isFinite(loss) || !Number.isFinite(gradNorm)) rearm = true;
      if (!Number.isFinite(loss)) {
        result.skipped = { step: thisStep, reason: 'non-finite loss', tensor: 'loss' };
      } else if (!Number.isFinite(gradNorm)) {
        const bad = order.findIndex((_, i) => !Number.isFinite(d[3 + i]));
        result.skipped = { step: thisStep, reason: 'non-finite gradient', tensor: bad >= 0 ? order[bad] : 'global gradient norm' };
      } else if (d[2] === 0) {
        result.skipped = { step: thisStep, reason: 'after a non-finite step', tensor: 'none' };
      } else {
        result.applied = true;
      }
      return result;
    });
  };

  return {
    model,
    get config() {
      return opt.config;
    },
    get stepCount() {
      return stepCount;
    },
    step,
    learningRate: () => learningRateAt(opt.config, stepCount),
    updateConfig: (patch) => opt.updateConfig(patch),
    clearHalt: () => opt.clearHalt(),
    inFlight,
    get path() {
      return opt.path;
    },
    async getState() {
      if (microTotal % k !== 0) {
        throw new TabtuneError(`optimizer state requested in the middle of an accumulation (${microTotal % k} of ${k} micro-batches)`, { location: 'trainer', expected: 'a step boundary', code: 'train-state' });
      }
      const s = await opt.getState();
      s.meta.step = stepCount;
      s.meta.microBatches = microTotal;
      s.meta.gradientAccumulationSteps = k;
      return s;
    },
    setState(state, file = 'optimizer state') {
      opt.setState(state, file);
      const s = Number(state.meta.step ?? 0);
      const m = Number(state.meta.microBatches ?? s * k);
      if (!Number.isInteger(s) || s < 0) throw new TabtuneError(`step is ${String(state.meta.step)}`, { file, location: 'meta.step', expected: 'a whole number ≥ 0', code: 'optimizer-state' });
      stepCount = s;
      microTotal = Number.isInteger(m) && m >= 0 ? m : s * k;
    },
    dispose() {
      opt.dispose();
      for (const a of acc) a.dispose();
      lossAcc?.dispose();
    },
  };
}
