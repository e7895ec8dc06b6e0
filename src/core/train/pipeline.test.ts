/**
 * No stalls: the trainer and the loop keep a step in flight while the previous loss is read
 * (WASM backend, tiny-odd, dropout off; the loop's GPU default maxInFlight 2 set explicitly,
 * WASM's default being 1).
 *   - runTraining has enqueued step k+1 (its forward ran) before it delivers step k;
 *   - a non-finite step with the next step already enqueued behind it: neither is applied, the
 *     run stops with exactly the weights after the last good step;
 *   - the trainer alone: two steps enqueued, the first non-finite -> both skipped (the second
 *     'after a non-finite step'), weights and Adam slots unchanged; the next step applies;
 *   - numTensors flat over many pipelined steps.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend/init';
import { createBertModel } from '../model/bert-model';
import { disposeBatch, toDeviceBatch } from '../model/batch';
import { loadFixture } from '../../testing/fixture-case';
import type { BertModel, HeadSpec, HostBatch, WeightMap } from '../model/types';
import { resolveTrainingConfig } from './run-config';
import { createTrainer } from './step';
import { runTraining } from './loop';
import type { TrainSet } from './task-types';
import { DEFAULT_OPTIMIZER } from './types';

beforeAll(async () => {
  expect((await initBackend('wasm')).name).toBe('wasm');
});

const fx = loadFixture('tiny-odd');
const CLS: HeadSpec = { kind: 'classification', numLabels: 2, labels: ['0', '1'] };
const S = fx.host.seqLength;

function rowsBatch(idx: readonly number[]): HostBatch {
  const pick = (src: Int32Array, width: number) => {
    const out = new Int32Array(idx.length * width);
    idx.forEach((r, b) => out.set(src.subarray(r * width, (r + 1) * width), b * width));
    return out;
  };
  return {
    batchSize: idx.length,
    seqLength: S,
    inputIds: pick(fx.host.inputIds, S),
    tokenTypeIds: pick(fx.host.tokenTypeIds, S),
    attentionMask: pick(fx.host.attentionMask, S),
    labels: pick(fx.host.labels as Int32Array, 1),
  };
}
const train: TrainSet = { numExamples: 3, numFeatures: 3, batch: rowsBatch };

function sameWeights(a: WeightMap, b: WeightMap): boolean {
  return [...a].every(([n, t]) => t.data.every((v, i) => Object.is(v, b.get(n)!.data[i])));
}

/** Counts forward passes (each trainer.step runs one when it is enqueued); poisons call `bad`. */
function counting(model: BertModel, bad = -1): { model: BertModel; calls: () => number } {
  let calls = 0;
  return {
    model: { ...model, loss: (b, o) => (++calls === bad ? tf.mul(model.loss(b, o), NaN) : model.loss(b, o)) },
    calls: () => calls,
  };
}

describe('pipelined training', () => {
  it('on WASM by default delivers each step before enqueuing the next (steps run synchronously there)', async () => {
    const base = createBertModel(fx.config, fx.weights, CLS, { seed: 1 });
    const { model, calls } = counting(base);
    const config = resolveTrainingConfig('mrpc', { trainBatchSize: 1, numTrainEpochs: 1, learningRate: 1e-3, seed: 2, dropout: false });
    const seenAt: number[] = [];
    await runTraining({ model, config, train }, { onStep: (m) => seenAt.push(calls() - m.step) });
    expect(seenAt).toEqual([0, 0, 0]);
    base.dispose();
  });

  it('enqueues step k+1 before it delivers step k (no evaluation or checkpoint in between)', async () => {
    const base = createBertModel(fx.config, fx.weights, CLS, { seed: 1 });
    const { model, calls } = counting(base);
    const config = resolveTrainingConfig('mrpc', { trainBatchSize: 1, numTrainEpochs: 4, learningRate: 1e-3, optimizer: 'adamw', schedule: 'linear', seed: 2, dropout: false });
    const seenAt: [number, number][] = [];
    const r = await runTraining({ model, config, train, maxInFlight: 2 }, { onStep: (m) => seenAt.push([m.step, calls()]) });
    expect(r.status).toBe('completed');
    expect(seenAt).toHaveLength(12);
    // When step k is delivered, step k+1's forward has already run (the last step has no successor).
    for (const [step, c] of seenAt) expect(c, `forward passes when step ${step} was delivered`).toBe(Math.min(step + 1, 12));
    base.dispose();
  });

  it('a non-finite step with the next one already enqueued: neither applies, the last good weights stay', async () => {
    const base = createBertModel(fx.config, fx.weights, CLS, { seed: 1 });
    const { model, calls } = counting(base, 3);
    const config = resolveTrainingConfig('mrpc', { trainBatchSize: 1, numTrainEpochs: 4, learningRate: 1e-3, optimizer: 'bert-adam', seed: 2, dropout: false });
    let afterStep2: WeightMap | undefined;
    let callsAtStep2 = 0;
    const r = await runTraining({ model, config, train, maxInFlight: 2 }, {
      onStep: (m) => {
        if (m.step !== 2) return;
        callsAtStep2 = calls();
        void base.exportWeights().then((w) => (afterStep2 = w));
      },
    });
    expect(callsAtStep2).toBe(3); // the poisoned step 3 was in flight when step 2 was delivered
    expect(calls()).toBe(4); // and step 4 was enqueued behind it before its result came back
    expect(r.status).toBe('diverged');
    expect(r.nonFinite).toEqual({ step: 3, tensor: 'loss' });
    expect(r.state.step).toBe(2);
    expect(afterStep2).toBeDefined();
    expect(sameWeights(await base.exportWeights(), afterStep2!)).toBe(true);
    expect(sameWeights(r.snapshot!.weights, afterStep2!)).toBe(true);
    expect(r.snapshot!.optimizer.meta.appliedSteps).toBe(2);
    base.dispose();
  });

  for (const hostResident of [true, false]) {
    it(`trainer: two steps enqueued, the first non-finite -> both skipped, state unchanged, then it carries on (${hostResident ? 'host' : 'device'} guard)`, async () => {
      const base = createBertModel(fx.config, fx.weights, CLS, { seed: 1 });
      const { model } = counting(base, 2);
      const trainer = createTrainer(model, { ...DEFAULT_OPTIMIZER, numWarmupSteps: 0, learningRate: 1e-3 }, { dropout: false, hostResident, groupLimit: hostResident ? undefined : 1500 });
      const batch = toDeviceBatch(fx.host);
      expect((await trainer.step(batch)).applied).toBe(true);
      const weights = await base.exportWeights();
      const slots = await trainer.getState();
      const p2 = trainer.step(batch); // non-finite
      const p3 = trainer.step(batch); // enqueued before p2 is read
      const [r2, r3] = await Promise.all([p2, p3]);
      expect(r2.skipped).toEqual({ step: 2, reason: 'non-finite loss', tensor: 'loss' });
      expect(r3.applied).toBe(false);
      expect(r3.skipped).toEqual({ step: 3, reason: 'after a non-finite step', tensor: 'none' });
      expect(sameWeights(await base.exportWeights(), weights)).toBe(true);
      const after = await trainer.getState();
      expect(after.meta.appliedSteps).toBe(1);
      for (const [n, t] of slots.tensors) expect(after.tensors.get(n)!.data, n).toEqual(t.data);
      const r4 = await trainer.step(batch); // after the caller saw the report: the guard is re-armed
      expect(r4.applied).toBe(true);
      disposeBatch(batch);
      trainer.dispose();
      base.dispose();
    });
  }

  it('keeps numTensors flat over 60 pipelined steps', async () => {
    const model = createBertModel(fx.config, fx.weights, CLS, { seed: 1 });
    const trainer = createTrainer(model, { ...DEFAULT_OPTIMIZER, numWarmupSteps: 0, numTrainSteps: 100 }, { seed: 3 });
    const batch = toDeviceBatch(fx.host);
    let prev = trainer.step(batch);
    await prev;
    prev = trainer.step(batch);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 60; i++) {
      const next = trainer.step(batch); // k+1 enqueued before k is read
      expect((await prev).applied).toBe(true);
      prev = next;
    }
    expect(tf.memory().numTensors).toBe(before);
    await prev;
    disposeBatch(batch);
    trainer.dispose();
    model.dispose();
  });
});
