/** Checkpoint format and stores, the loop's RNG, and the run config's defaults and checks. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isTabtuneError } from '../errors';
import {
  checkpointName,
  createMemoryCheckpointStore,
  deserializeCheckpoint,
  loadLatestCheckpoint,
  serializeCheckpoint,
  type TrainingCheckpoint,
} from './checkpoint';
import { createFsCheckpointStore } from '../../platform/node/checkpoint-store';
import { createLoopRng, mixSeed } from './loop-rng';
import { countTrainSteps, defaultTrainingConfig, optimizerConfigFor, resolveTrainingConfig } from './run-config';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function sample(step: number): TrainingCheckpoint {
  const rng = createLoopRng(7);
  const order = rng.permutation(10);
  return {
    weights: new Map([
      ['bert.embeddings.word_embeddings.weight', { dtype: 'float32', shape: [3, 2], data: Float32Array.from([1, -2, 3.5, 1e-30, -0, 7]) }],
      ['classifier.bias', { dtype: 'float32', shape: [2], data: Float32Array.from([0.25, -0.75]) }],
    ]),
    optimizer: {
      tensors: new Map([['classifier.bias/adam_m', { dtype: 'float32', shape: [2], data: Float32Array.from([1e-8, 2]) }]]),
      meta: { t: step, name: 'bert-adam' },
    },
    state: {
      step,
      microStep: step * 2,
      epoch: 1,
      batchInEpoch: 3,
      epochOrder: order,
      rngState: rng.getState(),
      numTrainFeatures: 10,
      history: { train: [{ step: 1, loss: 0.69, learning_rate: 1e-3 }], eval: [{ step: 1, epoch: 0.5, metrics: { accuracy: 0.5 } }] },
    },
    config: resolveTrainingConfig('mrpc', { learningRate: 1e-3 }),
  };
}

describe('checkpoint format', () => {
  it('round-trips weights, optimizer state, loop state and config bit for bit', () => {
    const c = sample(5);
    const back = deserializeCheckpoint(serializeCheckpoint(c));
    expect(back.state).toEqual(c.state);
    expect(back.config).toEqual(c.config);
    expect(back.optimizer.meta).toEqual(c.optimizer.meta);
    for (const [name, t] of [...c.weights, ...c.optimizer.tensors]) {
      const got = back.weights.get(name) ?? back.optimizer.tensors.get(name)!;
      expect(got.shape).toEqual(t.shape);
      expect(new Uint8Array(got.data.buffer, got.data.byteOffset, got.data.byteLength)).toEqual(new Uint8Array(t.data.buffer));
    }
  });

  it('refuses incomplete or foreign checkpoints with a TabtuneError naming the file', () => {
    const files = serializeCheckpoint(sample(1));
    files.delete('optimizer.safetensors');
    expect(() => deserializeCheckpoint(files, 'ck')).toThrow(/ck.*optimizer\.safetensors/);
    const other = serializeCheckpoint(sample(1));
    other.set('trainer_state.json', new TextEncoder().encode('{"format":"something-else"}'));
    try {
      deserializeCheckpoint(other, 'ck2');
      throw new Error('no error');
    } catch (e) {
      expect(isTabtuneError(e)).toBe(true);
      expect((e as Error).message).toMatch(/ck2\/trainer_state\.json/);
    }
    const broken = serializeCheckpoint(sample(1));
    broken.set('trainer_state.json', new TextEncoder().encode('{not json'));
    expect(() => deserializeCheckpoint(broken, 'ck3')).toThrow(/ck3\/trainer_state\.json: trainer state is not JSON/);
  });

  it('memory and filesystem stores save, list in step order, load, prune and report a missing name', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tabtune-ckpt-'));
    dirs.push(dir);
    for (const store of [createMemoryCheckpointStore(), createFsCheckpointStore(dir)]) {
      for (const step of [20, 3, 100]) await store.save(checkpointName(step), serializeCheckpoint(sample(step)));
      expect(await store.list()).toEqual([checkpointName(3), checkpointName(20), checkpointName(100)]);
      const latest = await loadLatestCheckpoint(store);
      expect(latest?.name).toBe('step-000000100');
      expect(latest?.checkpoint.state.step).toBe(100);
      await store.remove(checkpointName(3));
      expect(await store.list()).toEqual([checkpointName(20), checkpointName(100)]);
      await expect(store.load('step-000000003')).rejects.toThrow(/step-000000003/);
    }
    // A half-written checkpoint folder (no trainer_state.json) is not listed.
    const fs = createFsCheckpointStore(dir);
    await fs.save('step-000000200.partial', new Map([['model.safetensors', new Uint8Array(8)]]));
    writeFileSync(join(dir, 'stray.txt'), 'x');
    expect(await fs.list()).toEqual([checkpointName(20), checkpointName(100)]);
  });
});

describe('loop RNG', () => {
  it('is seeded, resumable from its state, and shuffles into permutations', () => {
    const a = createLoopRng(42);
    const b = createLoopRng(42);
    expect(a.permutation(50)).toEqual(b.permutation(50));
    const saved = a.getState();
    const next = a.permutation(30);
    const c = createLoopRng(0);
    c.setState(saved);
    expect(c.permutation(30)).toEqual(next);
    expect([...next].sort((x, y) => x - y)).toEqual(Array.from({ length: 30 }, (_, i) => i));
    expect(createLoopRng(43).permutation(50)).not.toEqual(createLoopRng(42).permutation(50));
    expect(() => c.setState([1, 2, 3])).toThrow(/four uint32/);
    // Uniformity, roughly: 10k floats have mean ~0.5.
    let sum = 0;
    for (let i = 0; i < 10000; i++) sum += a.nextFloat();
    expect(Math.abs(sum / 10000 - 0.5)).toBeLessThan(0.02);
    expect(mixSeed(42, 1)).not.toBe(mixSeed(42, 2));
    expect(mixSeed(42, 1)).toBe(mixSeed(42, 1));
  });
});

describe('run config', () => {
  it("applies run_classifier's and run_squad's defaults, presets and overrides", () => {
    const cls = defaultTrainingConfig('mrpc');
    expect([cls.maxSeqLength, cls.trainBatchSize, cls.learningRate, cls.numTrainEpochs, cls.warmupProportion, cls.optimizer]).toEqual([128, 32, 5e-5, 3, 0.1, 'bert-adam']);
    const sq = defaultTrainingConfig('squad');
    expect([sq.maxSeqLength, sq.docStride, sq.maxQueryLength, sq.trainBatchSize, sq.learningRate, sq.numTrainEpochs]).toEqual([384, 128, 64, 32, 5e-5, 3]);
    expect(resolveTrainingConfig('squad2').versionTwoWithNegative).toBe(true);
    const fast = resolveTrainingConfig('mrpc', { learningRate: 1e-2 }, 'small-fast');
    expect([fast.maxSeqLength, fast.learningRate, fast.optimizer]).toEqual([64, 1e-2, 'adamw']);
    expect(resolveTrainingConfig('mrpc', { learningRate: undefined }).learningRate).toBe(5e-5);
  });

  it('refuses bad values with a TabtuneError naming the setting', () => {
    expect(() => resolveTrainingConfig('mrpc', { trainBatchSize: 0 })).toThrow(/trainBatchSize.*at least 1/);
    expect(() => resolveTrainingConfig('mrpc', { learningRate: -1 })).toThrow(/learningRate/);
    expect(() => resolveTrainingConfig('mrpc', { warmupProportion: 1 })).toThrow(/warmupProportion/);
    expect(() => resolveTrainingConfig('squad', { maxSeqLength: 64, maxQueryLength: 64 })).toThrow(/maxSeqLength/);
  });

  it('counts steps as run_classifier does (per epoch, with accumulation) and builds the optimizer config', () => {
    const c = resolveTrainingConfig('mrpc', { trainBatchSize: 32, numTrainEpochs: 3, warmupProportion: 0.1 });
    expect(countTrainSteps(c, 3668)).toEqual({ microBatchesPerEpoch: 115, totalMicroBatches: 345, numTrainSteps: 345, numWarmupSteps: 34 });
    const acc = { ...c, gradientAccumulationSteps: 4, numTrainEpochs: 2 };
    expect(countTrainSteps(acc, 100)).toEqual({ microBatchesPerEpoch: 4, totalMicroBatches: 8, numTrainSteps: 2, numWarmupSteps: 0 });
    const o = optimizerConfigFor({ ...c, optimizer: 'adamw' }, 3668);
    expect([o.name, o.numTrainSteps, o.numWarmupSteps, o.epsilon, o.weightDecay]).toEqual(['adamw', 345, 34, 1e-8, 0.01]);
    expect(optimizerConfigFor(c, 3668).epsilon).toBe(1e-6);
  });
});
