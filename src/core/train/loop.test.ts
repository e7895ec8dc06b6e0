/**
 * The training loop on tiny-uncased (WASM backend, dropout on): resume from a checkpoint is
 * bit-for-bit the uninterrupted run (across an epoch boundary, with and without gradient
 * accumulation); tf.memory() stays flat across 200 steps with evaluations in between; a
 * non-finite loss stops the run with the last good weights, and the run continues from there
 * with a lower learning rate.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../backend/init';
import { sourceFromFile } from '../../platform/node/data-source';
import { readSafetensors } from '../io/safetensors';
import { parseBertConfig } from '../io/config';
import { createBertModel } from '../model/bert-model';
import type { BertModel, HostBatch, WeightMap } from '../model/types';
import { tokenizerFromBytes } from '../tokenizer';
import { readShared, readSharedBytes, sharedPath } from '../../testing/shared';
import { optimizerConfigFor, resolveTrainingConfig, type TrainingConfig } from './run-config';
import { createTrainer } from './step';
import { createTaskAdapter } from './task';
import type { EvalSet, TaskAdapter, TrainSet } from './task-types';
import { inferBatches } from './task-infer';
import { createMemoryCheckpointStore, deserializeCheckpoint, checkpointName } from './checkpoint';
import { runTraining } from './loop';
import { createPauseControl, type PauseControl } from './loop-control';
import type { StepMetrics } from './types';

const bertConfig = parseBertConfig(readShared('fixtures/model/tiny-uncased/config.json')).config;
const weights = readSafetensors(readSharedBytes('fixtures/model/tiny-uncased/model.safetensors')).tensors;
const tokenizer = tokenizerFromBytes(readSharedBytes('fixtures/vocab/bert-base-uncased.txt'), 'vocab.txt', { doLowerCase: true });

beforeAll(async () => {
  await initBackend('wasm');
});

function baseConfig(over: Partial<TrainingConfig> = {}): TrainingConfig {
  return resolveTrainingConfig('mrpc', {
    maxSeqLength: 32,
    trainBatchSize: 4,
    evalBatchSize: 8,
    learningRate: 2e-3,
    numTrainEpochs: 2,
    maxTrainExamples: 14, // 4 batches per epoch, the last one of 2 examples
    maxEvalExamples: 8,
    optimizer: 'adamw',
    schedule: 'linear',
    warmupProportion: 0.25,
    saveCheckpointsSteps: 0,
    seed: 7,
    ...over,
  });
}

async function adapterFor(config: TrainingConfig): Promise<TaskAdapter> {
  const mrpc = sharedPath('datasets/glue/MRPC/train.tsv');
  return createTaskAdapter({ tokenizer, config, train: sourceFromFile(mrpc), dev: sourceFromFile(mrpc) });
}

function freshModel(adapter: TaskAdapter): BertModel {
  return createBertModel(bertConfig, weights, adapter.head, { seed: 3 });
}

function expectSameWeights(a: WeightMap, b: WeightMap): void {
  expect([...a.keys()].sort()).toEqual([...b.keys()].sort());
  for (const [name, t] of a) {
    const u = b.get(name)!;
    const same = t.data.length === u.data.length && t.data.every((v, i) => Object.is(v, u.data[i]));
    if (!same) throw new Error(`weight ${name} differs`);
  }
}

describe('runTraining', () => {
  for (const accum of [1, 2]) {
    it(`resumes from a checkpoint bit-for-bit (gradient accumulation ${accum})`, async () => {
      const config = baseConfig({ gradientAccumulationSteps: accum, trainBatchSize: accum === 1 ? 4 : 2, numTrainEpochs: 2 });
      const adapter = await adapterFor(config);

      // Uninterrupted.
      const straight = freshModel(adapter);
      const steps: StepMetrics[] = [];
      const full = await runTraining({ model: straight, config, train: adapter.train!, dev: adapter.dev }, { onStep: (m) => steps.push(m) });
      expect(full.status).toBe('completed');
      const total = full.numTrainSteps;
      expect(steps.map((s) => s.step)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
      // Evaluations at each epoch end (with accumulation: at the step completing the epoch's last batch).
      expect(full.state.history.eval.map((e) => e.step)).toEqual([Math.ceil(total / 2), total]);
      const straightWeights = await straight.exportWeights();
      straight.dispose();

      // Interrupted after `half` steps (cancel), checkpoint through serialised bytes, resumed in a new model.
      const half = Math.floor(total / 2) - 1; // not on the epoch boundary: the saved data order is mid-epoch
      const store = createMemoryCheckpointStore();
      const first = freshModel(adapter);
      const controller = new AbortController();
      const r1 = await runTraining(
        { model: first, config: { ...config, saveCheckpointsSteps: half }, train: adapter.train!, dev: adapter.dev, store },
        { onStep: (m) => m.step === half && controller.abort() },
        controller.signal,
      );
      expect(r1.status).toBe('cancelled');
      expect(r1.state.step).toBe(half);
      expectSameWeights(r1.snapshot!.weights, await first.exportWeights());
      first.dispose();
      expect(await store.list()).toEqual([checkpointName(half)]);
      const ckpt = deserializeCheckpoint(await store.load(checkpointName(half)));
      expect(ckpt.state.step).toBe(half);

      const second = freshModel(adapter);
      const resumedSteps: StepMetrics[] = [];
      const r2 = await runTraining({ model: second, config, train: adapter.train!, dev: adapter.dev, resume: ckpt }, { onStep: (m) => resumedSteps.push(m) });
      expect(r2.status).toBe('completed');
      expect(resumedSteps.map((s) => s.step)).toEqual(Array.from({ length: total - half }, (_, i) => half + i + 1));
      // Same losses step for step, same history, same final weights, bit for bit.
      expect(resumedSteps.map((s) => s.loss)).toEqual(steps.slice(half).map((s) => s.loss));
      expect(r2.state.history.train).toEqual(full.state.history.train);
      expect(r2.state.history.eval).toEqual(full.state.history.eval);
      expectSameWeights(await second.exportWeights(), straightWeights);
      second.dispose();
    });
  }

  it('keeps tf.memory() flat across 200 steps with evaluations in between, and reports step metrics', async () => {
    // tiny-odd (vocabulary 128) on the rows of its golden batch: the cheapest real model.
    const golden = readSafetensors(readSharedBytes('fixtures/model/tiny-odd/golden.safetensors')).tensors;
    const odd = parseBertConfig(readShared('fixtures/model/tiny-odd/config.json')).config;
    const oddWeights = readSafetensors(readSharedBytes('fixtures/model/tiny-odd/model.safetensors')).tensors;
    const S = 20;
    const pick = (name: string, idx: readonly number[], width: number) => {
      const src = golden.get(name)!.data as Int32Array;
      const out = new Int32Array(idx.length * width);
      idx.forEach((r, b) => out.set(src.subarray(r * width, (r + 1) * width), b * width));
      return out;
    };
    const rowsBatch = (idx: readonly number[]): HostBatch => ({
      batchSize: idx.length,
      seqLength: S,
      inputIds: pick('input/input_ids', idx, S),
      tokenTypeIds: pick('input/token_type_ids', idx, S),
      attentionMask: pick('input/attention_mask', idx, S),
      labels: pick('input/labels', idx, 1),
    });
    const train: TrainSet = { numExamples: 3, numFeatures: 3, batch: rowsBatch };
    let evalRows = 0;
    const dev: EvalSet = {
      numExamples: 3,
      numFeatures: 3,
      labelled: true,
      async evaluate(model, options) {
        let right = 0;
        await inferBatches(model, 2, (i) => rowsBatch(i === 0 ? [0, 1] : [2]), (out) => {
          for (let b = 0; b < out.batch.batchSize; b++) {
            evalRows++;
            const l = out.logits!;
            if (Number(l[b * 2 + 1] > l[b * 2]) === out.batch.labels![b]) right++;
          }
        }, { signal: options.signal });
        return { metrics: { accuracy: right / 3 }, predictions: { kind: 'regression', guids: [], predicted: [] } };
      },
    };
    const config = resolveTrainingConfig('mrpc', { trainBatchSize: 1, numTrainEpochs: 200 / 3, evalEverySteps: 40, learningRate: 1e-3, optimizer: 'adamw', schedule: 'linear', seed: 5 });
    const model = createBertModel(odd, oddWeights, { kind: 'classification', numLabels: 2, labels: ['0', '1'] }, { seed: 1 });
    const seen: StepMetrics[] = [];
    // What creating and disposing a trainer leaves behind (tf.variable's initial values are not
    // released by the optimizer: 5 tensors per trainer at the time of writing, not per step).
    const probeStart = tf.memory().numTensors;
    createTrainer(model, optimizerConfigFor(config, 3), { gradientAccumulationSteps: 1 }).dispose();
    const trainerResidue = tf.memory().numTensors - probeStart;
    const before = tf.memory().numTensors;
    let evals = 0;
    const result = await runTraining({ model, config, train, dev }, { onStep: (m) => seen.push(m), onEval: () => evals++ });
    expect(result.status).toBe('completed');
    expect(seen).toHaveLength(200);
    expect(evals).toBe(66 + 4); // 66 epoch ends (every 3 steps), and steps 40, 80, 160, 200 (120 is an epoch end; 200 is also the last)
    expect(evalRows).toBe(evals * 3);
    const at10 = seen[9];
    for (const m of seen.slice(10)) {
      expect(m.numTensors).toBe(at10.numTensors);
      expect(m.memoryBytes).toBe(at10.memoryBytes);
    }
    for (const m of seen) {
      expect(Number.isFinite(m.loss) && Number.isFinite(m.gradNorm) && m.learningRate >= 0).toBe(true);
      expect(m.examplesPerSec).toBeGreaterThan(0);
      expect(m.tokensPerSec).toBeGreaterThan(m.examplesPerSec);
    }
    // After the run, the loop itself has left nothing behind.
    expect(tf.memory().numTensors).toBe(before + trainerResidue);
    model.dispose();
  });

  it('stops at a non-finite loss with the last good weights, and continues with a lower learning rate', async () => {
    const config = baseConfig({ numTrainEpochs: 2 });
    const adapter = await adapterFor(config);
    const real = freshModel(adapter);
    let calls = 0;
    const poisoned: BertModel = { ...real, loss: (batch, opts) => (++calls === 3 ? tf.mul(real.loss(batch, opts), NaN) : real.loss(batch, opts)) };
    let afterStep2: WeightMap | undefined;
    const reports: Array<{ step: number; tensor: string }> = [];
    const r = await runTraining(
      { model: poisoned, config, train: adapter.train!, dev: adapter.dev },
      {
        onStep: async (m) => {
          if (m.step === 2) afterStep2 = await real.exportWeights();
        },
        onNonFinite: (rep) => reports.push(rep),
      },
    );
    expect(r.status).toBe('diverged');
    expect(r.nonFinite).toEqual({ step: 3, tensor: 'loss' });
    expect(reports).toEqual([{ step: 3, tensor: 'loss' }]);
    expect(r.state.step).toBe(2);
    expectSameWeights(await real.exportWeights(), afterStep2!);
    expectSameWeights(r.snapshot!.weights, afterStep2!);

    const lower = { ...config, learningRate: config.learningRate / 10 };
    // Paused after step 4: the loop must wait before step 5; it is resumed from inside that wait
    // (an event, not a timer), so the test proves the wait happened and the run went on after it.
    const control = createPauseControl();
    const waitsWhilePaused: number[] = [];
    const pause: PauseControl = {
      get paused() {
        return control.paused;
      },
      pause: () => control.pause(),
      resume: () => control.resume(),
      wait(signal) {
        const waiting = control.wait(signal);
        if (control.paused) {
          waitsWhilePaused.push(steps.at(-1)!);
          queueMicrotask(() => control.resume());
        }
        return waiting;
      },
    };
    const steps: number[] = [];
    const cont = await runTraining({ model: real, config: lower, train: adapter.train!, resume: r.snapshot!, pause }, {
      onStep: (m) => {
        steps.push(m.step);
        if (m.step === 4) pause.pause();
      },
    });
    expect(waitsWhilePaused).toEqual([4]);
    expect(cont.status).toBe('completed');
    expect(steps).toEqual(Array.from({ length: cont.numTrainSteps - 2 }, (_, i) => i + 3));
    real.dispose();
  });
});
