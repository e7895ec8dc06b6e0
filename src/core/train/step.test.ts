/**
 * The training step against PyTorch / google-research/bert trajectories (tiny-odd):
 * every parameter after each of 4 steps of bert-adam (classification loss, Google schedule,
 * tf.clip_by_global_norm) and adamw (span loss, linear schedule, clip_grad_norm_), plus the
 * per-step loss, learning rate and gradient norm of golden.json. WASM backend, dropout off.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend/init';
import { createBertModel } from '../model/bert-model';
import { disposeBatch, toDeviceBatch } from '../model/batch';
import { expectClose, goldenNames, loadFixture, loadFixtureFrom, OUTPUT_TOL, PARAM_TOL, type WeightSource } from '../../testing/fixture-case';
import type { HeadSpec } from '../model/types';
import { createTrainer } from './step';
import { goldenOptimizerConfig, type GoldenTrajectory } from '../../testing/golden-trajectory';


beforeAll(async () => {
  expect((await initBackend('wasm')).name).toBe('wasm');
});

const fx = loadFixture('tiny-odd');
const golden = fx.goldenJson as unknown as { bertadam: GoldenTrajectory; adamw: GoldenTrajectory };


const OPTIMIZERS = [
  ['bert-adam', 'bertadam', { kind: 'classification', numLabels: 2, labels: ['0', '1'] }],
  ['adamw', 'adamw', { kind: 'span' }],
] as const;
const SOURCES: WeightSource[] = ['safetensors', 'bin', 'google'];
/** The host path (per-variable updates, flag read from memory) and the GPU path (packed groups, device-side guard). */
const PATHS = { host: {}, packed: { hostResident: false, groupLimit: 1500 } } as const;

describe.each([
  ...SOURCES.flatMap((src) => OPTIMIZERS.map(([o, p, h]) => [o, p, src, 'host', h] as const)),
  ...OPTIMIZERS.map(([o, p, h]) => [o, p, 'safetensors', 'packed', h] as const),
])('%s (%s) on tiny-odd, weights from %s, %s optimizer path', (optName, prefix, source, path, head) => {
  it(`matches every ${prefix}/step{1..4}/* parameter and the golden.json trajectory`, async () => {
    const traj = golden[prefix];
    const from = await loadFixtureFrom('tiny-odd', source);
    const model = createBertModel(from.config, from.weights, head as HeadSpec);
    const trainer = createTrainer(model, goldenOptimizerConfig(optName, traj), { dropout: false, ...PATHS[path] });
    const batch = toDeviceBatch(fx.host);
    for (let k = 1; k <= traj.hyper.steps; k++) {
      const r = await trainer.step(batch);
      const want = traj.steps[k - 1];
      expect(r.applied).toBe(true);
      expect(r.step).toBe(k);
      expect(r.learningRate).toBeCloseTo(want.lr, 10);
      expect(Math.abs(r.loss - want.loss)).toBeLessThanOrEqual(OUTPUT_TOL);
      expect(Math.abs(r.gradNorm - want.grad_global_norm)).toBeLessThanOrEqual(1e-3 * want.grad_global_norm);
      const names = goldenNames(fx.golden, `${prefix}/step${k}/`);
      expect(names.sort()).toEqual([...model.variables.keys()].sort());
      for (const n of names) {
        expectClose(`${prefix}/step${k}/${n}`, await model.variables.get(n)!.data(), fx.golden.get(`${prefix}/step${k}/${n}`)!, PARAM_TOL);
      }
    }
    disposeBatch(batch);
    trainer.dispose();
    model.dispose();
  });
});

describe('training step', () => {
  const CLS: HeadSpec = { kind: 'classification', numLabels: 2, labels: ['0', '1'] };
  const config = goldenOptimizerConfig('bert-adam', golden.bertadam);

  it('keeps numTensors and bytes flat over 200 steps (dropout on, accumulation 2)', async () => {
    const model = createBertModel(fx.config, fx.weights, CLS);
    const trainer = createTrainer(model, { ...config, numTrainSteps: 200 }, { gradientAccumulationSteps: 2, seed: 7 });
    const batch = toDeviceBatch(fx.host);
    await trainer.step(batch);
    await trainer.step(batch);
    const before = tf.memory();
    for (let i = 0; i < 200; i++) await trainer.step(batch);
    const after = tf.memory();
    expect(after.numTensors).toBe(before.numTensors);
    expect(after.numBytes).toBe(before.numBytes);
    expect(trainer.stepCount).toBe(101);
    disposeBatch(batch);
    trainer.dispose();
    model.dispose();
  });

  it.each([1, 2])('leaves no tensor behind once model and trainer are disposed (accumulation %i)', async (k) => {
    const before = tf.memory().numTensors;
    const model = createBertModel(fx.config, fx.weights, CLS);
    const trainer = createTrainer(model, config, { gradientAccumulationSteps: k, seed: 1 });
    const batch = toDeviceBatch(fx.host);
    for (let i = 0; i < 2 * k; i++) await trainer.step(batch);
    await trainer.getState();
    disposeBatch(batch);
    trainer.dispose();
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it.each(Object.keys(PATHS) as (keyof typeof PATHS)[])('skips a step with a non-finite loss, keeps the last good weights and names the tensor (%s path)', async (path) => {
    const model = createBertModel(fx.config, fx.weights, CLS);
    const trainer = createTrainer(model, { ...config, numWarmupSteps: 0 }, { dropout: false, ...PATHS[path] });
    const batch = toDeviceBatch(fx.host);
    const good = await trainer.step(batch);
    expect(good.applied).toBe(true);
    const snapshot = await model.exportWeights();
    const stateBefore = await trainer.getState();
    // Poison one weight: every loss and gradient downstream turns NaN.
    const target = model.variables.get('classifier.bias')!;
    const saved = target.clone();
    target.assign(tf.tensor1d([NaN, 0]));
    const bad = await trainer.step(batch);
    expect(bad.applied).toBe(false);
    expect(bad.skipped).toEqual({ step: 2, reason: 'non-finite loss', tensor: 'loss' });
    target.assign(saved);
    saved.dispose();
    const after = await model.exportWeights();
    for (const [n, t] of snapshot) {
      if (n === 'classifier.bias') continue;
      expect(after.get(n)!.data, n).toEqual(t.data);
    }
    const stateAfter = await trainer.getState();
    expect(stateAfter.meta.appliedSteps).toBe(1);
    for (const [n, t] of stateBefore.tensors) expect(stateAfter.tensors.get(n)!.data, n).toEqual(t.data);
    // Training continues (with a lower learning rate) from the last good weights.
    trainer.updateConfig({ learningRate: config.learningRate / 10 });
    const next = await trainer.step(batch);
    expect(next.applied).toBe(true);
    expect(Number.isFinite(next.loss)).toBe(true);
    disposeBatch(batch);
    trainer.dispose();
    model.dispose();
  });

  it.each(Object.keys(PATHS) as (keyof typeof PATHS)[])('names the non-finite gradient tensor when the loss is finite (%s path)', async (path) => {
    const model = createBertModel(fx.config, fx.weights, CLS);
    const trainer = createTrainer(model, { ...config, numWarmupSteps: 0 }, { dropout: false, ...PATHS[path] });
    const batch = toDeviceBatch(fx.host);
    // A classifier of magnitude 1e30: logits and loss stay finite (~1e30), but the gradients
    // flowing into the encoder are ~1e29 and their squared norm overflows float32.
    const w = model.variables.get('classifier.weight')!;
    const huge = new Float32Array(w.size).map((_, i) => (i < w.size / 2 ? 1e30 : -1e30));
    w.assign(tf.tensor(huge, w.shape));
    const snapshot = await model.exportWeights();
    const r = await trainer.step(batch);
    expect(Number.isFinite(r.loss)).toBe(true);
    expect(r.applied).toBe(false);
    expect(r.skipped?.reason).toBe('non-finite gradient');
    expect(r.skipped?.step).toBe(1);
    expect([...model.variables.keys()]).toContain(r.skipped?.tensor);
    const after = await model.exportWeights();
    for (const [n, t] of snapshot) expect(after.get(n)!.data, n).toEqual(t.data);
    disposeBatch(batch);
    trainer.dispose();
    model.dispose();
  });

  it('gradient accumulation over two copies of a batch equals one step on it', async () => {
    const a = createBertModel(fx.config, fx.weights, CLS);
    const b = createBertModel(fx.config, fx.weights, CLS);
    const ta = createTrainer(a, { ...config, numWarmupSteps: 0 }, { dropout: false });
    const tb = createTrainer(b, { ...config, numWarmupSteps: 0 }, { dropout: false, gradientAccumulationSteps: 2, ...PATHS.packed });
    const batch = toDeviceBatch(fx.host);
    const ra = await ta.step(batch);
    const r1 = await tb.step(batch);
    expect(r1.applied).toBe(false);
    const rb = await tb.step(batch);
    expect(rb.applied).toBe(true);
    expect(rb.loss).toBeCloseTo(ra.loss, 6);
    expect(rb.gradNorm).toBeCloseTo(ra.gradNorm, 5);
    for (const [n, v] of a.variables) expectClose(n, await b.variables.get(n)!.data(), { dtype: 'float32', shape: [...v.shape], data: (await v.data()) as Float32Array }, 1e-6);
    disposeBatch(batch);
    ta.dispose();
    tb.dispose();
    a.dispose();
    b.dispose();
  });

  it('exports and restores optimizer state: a resumed run continues identically', async () => {
    const a = createBertModel(fx.config, fx.weights, CLS);
    const ta = createTrainer(a, goldenOptimizerConfig('bert-adam', golden.bertadam), { dropout: false });
    const batch = toDeviceBatch(fx.host);
    await ta.step(batch);
    await ta.step(batch);
    const state = await ta.getState();
    const weights = await a.exportWeights();
    const b = createBertModel(fx.config, weights, CLS);
    const tb = createTrainer(b, goldenOptimizerConfig('bert-adam', golden.bertadam), { dropout: false });
    tb.setState(state);
    expect(tb.stepCount).toBe(2);
    const ra = await ta.step(batch);
    const rb = await tb.step(batch);
    expect(rb.loss).toBe(ra.loss);
    for (const [n, v] of a.variables) expect(Array.from(await b.variables.get(n)!.data()), n).toEqual(Array.from(await v.data()));
    expect(() => tb.setState({ tensors: new Map(), meta: { optimizer: 'bert-adam' } }, 'ckpt')).toThrow(/ckpt.*adam_m.*missing/);
    disposeBatch(batch);
    ta.dispose();
    tb.dispose();
    a.dispose();
    b.dispose();
  });
});
