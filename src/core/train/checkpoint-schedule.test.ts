/**
 * The checkpoint rule: by steps, by seconds of training (pauses not counted, the clock restarted
 * by every checkpoint), and at the last step; then the loop on tiny-uncased (WASM) with a fake
 * clock saves by time where the rule says, with nothing in flight behind the saved step.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend/init';
import { sourceFromFile } from '../../platform/node/data-source';
import { readSafetensors } from '../io/safetensors';
import { parseBertConfig } from '../io/config';
import { createBertModel } from '../model/bert-model';
import { tokenizerFromBytes } from '../tokenizer';
import { readShared, readSharedBytes, sharedPath } from '../../testing/shared';
import { resolveTrainingConfig } from './run-config';
import { createTaskAdapter } from './task';
import { checkpointName, createMemoryCheckpointStore, deserializeCheckpoint } from './checkpoint';
import { checkpointReason, createCheckpointSchedule } from './checkpoint-schedule';
import { runTraining } from './loop';

describe('checkpointReason', () => {
  it('checkpoints by steps, by time, and at the last step', () => {
    const rule = { steps: 5, seconds: 120 };
    expect(checkpointReason(rule, 5, false, 0)).toBe('steps');
    expect(checkpointReason(rule, 10, false, 1)).toBe('steps');
    expect(checkpointReason(rule, 3, false, 119_999)).toBeNull();
    expect(checkpointReason(rule, 3, false, 120_000)).toBe('time');
    expect(checkpointReason(rule, 3, true, 0)).toBe('last');
    expect(checkpointReason(rule, 0, false, 0)).toBeNull();
  });

  it('0 turns either rule off', () => {
    expect(checkpointReason({ steps: 0, seconds: 120 }, 1000, false, 1)).toBeNull();
    expect(checkpointReason({ steps: 0, seconds: 120 }, 7, false, 130_000)).toBe('time');
    expect(checkpointReason({ steps: 1000, seconds: 0 }, 7, false, 1e9)).toBeNull();
    expect(checkpointReason({ steps: 0, seconds: 0 }, 7, true, 0)).toBe('last');
  });
});

describe('createCheckpointSchedule', () => {
  it('counts training time only: paused time is left out, a checkpoint restarts the clock', () => {
    let t = 1_000;
    const s = createCheckpointSchedule({ steps: 0, seconds: 60 }, () => t);
    t += 50_000;
    expect(s.due(1, false)).toBeNull();
    s.pause();
    t += 600_000; // ten minutes paused
    expect(s.elapsedMs()).toBe(50_000);
    expect(s.due(1, false)).toBeNull();
    s.resume();
    t += 9_999;
    expect(s.due(2, false)).toBeNull();
    t += 1;
    expect(s.due(3, false)).toBe('time');
    s.saved();
    expect(s.elapsedMs()).toBe(0);
    expect(s.due(4, false)).toBeNull();
    t += 60_000;
    expect(s.due(5, false)).toBe('time');
  });

  it('a second pause() or a resume() without a pause changes nothing', () => {
    let t = 0;
    const s = createCheckpointSchedule({ steps: 0, seconds: 10 }, () => t);
    s.resume();
    t = 4_000;
    s.pause();
    t = 8_000;
    s.pause();
    t = 20_000;
    s.resume();
    expect(s.elapsedMs()).toBe(4_000);
  });
});

describe('runTraining with checkpoints by time', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('saves when the training time since the last checkpoint is up, and at the end', async () => {
    const bertConfig = parseBertConfig(readShared('fixtures/model/tiny-uncased/config.json')).config;
    const weights = readSafetensors(readSharedBytes('fixtures/model/tiny-uncased/model.safetensors')).tensors;
    const tokenizer = tokenizerFromBytes(readSharedBytes('fixtures/vocab/bert-base-uncased.txt'), 'vocab.txt', { doLowerCase: true });
    const config = resolveTrainingConfig('mrpc', {
      maxSeqLength: 32, trainBatchSize: 2, evalBatchSize: 8, learningRate: 1e-3, numTrainEpochs: 1, maxTrainExamples: 14,
      saveCheckpointsSteps: 0, saveCheckpointsSeconds: 10, seed: 7,
    });
    const mrpc = sharedPath('datasets/glue/MRPC/train.tsv');
    const adapter = await createTaskAdapter({ tokenizer, config, train: sourceFromFile(mrpc) });
    const model = createBertModel(bertConfig, weights, adapter.head, { seed: 3 });
    const store = createMemoryCheckpointStore();
    // Each step takes 6 s of (fake) training time: the clock passes 10 s during step 2, so step 3
    // is the first one submitted after it (decided at submit), then step 6, then the last (7).
    let t = 0;
    const saved: number[] = [];
    const result = await runTraining(
      { model, config, train: adapter.train!, store, keepCheckpoints: 0, now: () => t, maxInFlight: 1 },
      { onStep: () => (t += 6_000), onCheckpoint: (c) => saved.push(c.step) },
    );
    expect(result.status).toBe('completed');
    expect(result.numTrainSteps).toBe(7);
    expect(saved).toEqual([3, 6, 7]);
    expect(await store.list()).toEqual([3, 6, 7].map(checkpointName));
    // The step-3 checkpoint holds step 3's position (nothing was enqueued behind it).
    expect(deserializeCheckpoint(await store.load(checkpointName(3))).state.step).toBe(3);
    model.dispose();
  });
});
