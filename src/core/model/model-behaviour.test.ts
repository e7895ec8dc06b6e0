/**
 * Model behaviour beyond fixture parity: dropout (seeded, reproducible, off in eval), head
 * initialisation, the regression head's MSE, the span model's trainable set, and bad input.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend/init';
import { isTabtuneError } from '../errors';
import { createBertModel } from './bert-model';
import { disposeBatch, toDeviceBatch } from './batch';
import { loadFixture } from '../../testing/fixture-case';
import type { HeadSpec, WeightMap } from './types';

const CLS: HeadSpec = { kind: 'classification', numLabels: 2, labels: ['0', '1'] };
const fx = loadFixture('tiny-odd');

beforeAll(async () => {
  await initBackend('wasm');
});

async function lossOf(weights: WeightMap, head: HeadSpec, training: boolean, seed?: number, host = fx.host): Promise<number> {
  const m = createBertModel(fx.config, weights, head);
  const b = toDeviceBatch(host);
  const l = m.loss(b, { training, seed });
  const v = (await l.data())[0];
  l.dispose();
  disposeBatch(b);
  m.dispose();
  return v;
}

describe('dropout', () => {
  it('is reproducible with a seed, differs across seeds, and is off in evaluation', async () => {
    const evalLoss = await lossOf(fx.weights, CLS, false);
    expect(evalLoss).toBeCloseTo(fx.goldenJson.cls_loss as number, 4);
    const a = await lossOf(fx.weights, CLS, true, 11);
    const b = await lossOf(fx.weights, CLS, true, 11);
    const c = await lossOf(fx.weights, CLS, true, 12);
    expect(a).toBe(b);
    expect(c).not.toBe(a);
    expect(a).not.toBe(evalLoss);
  });
});

describe('heads', () => {
  const noHeads = new Map([...fx.weights].filter(([n]) => n.startsWith('bert.')));

  it('initialises a missing classifier as BERT does: truncated normal (σ = initializer_range), zero bias, seeded', async () => {
    const head: HeadSpec = { kind: 'classification', numLabels: 3, labels: ['a', 'b', 'c'] };
    const m1 = createBertModel(fx.config, noHeads, head, { seed: 5 });
    const m2 = createBertModel(fx.config, noHeads, head, { seed: 5 });
    const m3 = createBertModel(fx.config, noHeads, head, { seed: 6 });
    expect([...(m1.initialized ?? [])].sort()).toEqual(['classifier.bias', 'classifier.weight']);
    const w1 = Array.from(await m1.variables.get('classifier.weight')!.data());
    expect(w1).toHaveLength(3 * fx.config.hiddenSize);
    expect(Array.from(await m2.variables.get('classifier.weight')!.data())).toEqual(w1);
    expect(Array.from(await m3.variables.get('classifier.weight')!.data())).not.toEqual(w1);
    expect(Math.max(...w1.map(Math.abs))).toBeLessThanOrEqual(2 * fx.config.initializerRange);
    const sd = Math.sqrt(w1.reduce((s, x) => s + x * x, 0) / w1.length);
    expect(sd).toBeGreaterThan(0.5 * fx.config.initializerRange);
    expect(Array.from(await m1.variables.get('classifier.bias')!.data())).toEqual([0, 0, 0]);
    [m1, m2, m3].forEach((m) => m.dispose());
  });

  it('regression: one output and mean squared error', async () => {
    const labels = new Float32Array([0.5, -1, 2]);
    const host = { ...fx.host, labels };
    const m = createBertModel(fx.config, noHeads, { kind: 'regression' }, { seed: 1 });
    const b = toDeviceBatch(host);
    const out = m.forward(b, { training: false });
    expect(out.logits!.shape).toEqual([3, 1]);
    const logits = Array.from(await out.logits!.data());
    const want = logits.reduce((s, y, i) => s + (y - labels[i]) ** 2, 0) / 3;
    const l = m.loss(b, { training: false });
    expect((await l.data())[0]).toBeCloseTo(want, 5);
    tf.dispose([l, ...(Object.values(out) as tf.Tensor[])]);
    disposeBatch(b);
    m.dispose();
  });

  it('span model trains bert.* without the pooler, plus qa_outputs', () => {
    const m = createBertModel(fx.config, fx.weights, { kind: 'span' });
    const names = [...m.variables.keys()];
    expect(names.some((n) => n.startsWith('bert.pooler'))).toBe(false);
    expect(names).toContain('qa_outputs.weight');
    expect(names).not.toContain('classifier.weight');
    m.dispose();
  });

  it('exports every weight with Hugging Face names and shapes', async () => {
    const m = createBertModel(fx.config, fx.weights, { kind: 'span' });
    const out = await m.exportWeights();
    for (const [n, t] of fx.weights) {
      if (n.startsWith('cls.') || n.startsWith('classifier.')) continue;
      expect(out.get(n)?.shape, n).toEqual(t.shape);
      expect(out.get(n)!.data, n).toEqual(t.data);
    }
    m.dispose();
  });
});

describe('bad input', () => {
  function errorOf(f: () => unknown): Error {
    try {
      f();
    } catch (e) {
      return e as Error;
    }
    throw new Error('expected an error');
  }

  it('a missing encoder weight names the tensor and the expected shape', () => {
    const w = new Map(fx.weights);
    w.delete('bert.encoder.layer.1.output.dense.weight');
    const before = tf.memory().numTensors;
    const e = errorOf(() => createBertModel(fx.config, w, CLS, { source: 'model.safetensors' }));
    expect(tf.memory().numTensors).toBe(before); // nothing allocated survives the rejection
    expect(isTabtuneError(e)).toBe(true);
    expect(e.message).toContain('model.safetensors');
    expect(e.message).toContain('bert.encoder.layer.1.output.dense.weight');
    expect(e.message).toContain('[24, 48]');
  });

  it('a wrong shape names both shapes', () => {
    const w = new Map(fx.weights);
    w.set('classifier.weight', { dtype: 'float32', shape: [3, 24], data: new Float32Array(72) });
    const e = errorOf(() => createBertModel(fx.config, w, CLS, { source: 'heads.safetensors' }));
    expect(isTabtuneError(e)).toBe(true);
    expect(e.message).toMatch(/classifier\.weight.*\[3, 24\].*\[2, 24\]/);
  });

  it('a batch with the wrong number of ids is rejected', () => {
    const e = errorOf(() => toDeviceBatch({ ...fx.host, inputIds: new Int32Array(5) }));
    expect(isTabtuneError(e)).toBe(true);
    expect(e.message).toContain('input_ids');
  });

  it('a sequence longer than max_position_embeddings is rejected', () => {
    const S = fx.config.maxPositionEmbeddings + 1;
    const m = createBertModel(fx.config, fx.weights, CLS);
    const b = toDeviceBatch({ batchSize: 1, seqLength: S, inputIds: new Int32Array(S), tokenTypeIds: new Int32Array(S), attentionMask: new Int32Array(S).fill(1) });
    const e = errorOf(() => m.forward(b, { training: false }));
    expect(isTabtuneError(e)).toBe(true);
    expect(e.message).toContain('max_position_embeddings');
    disposeBatch(b);
    m.dispose();
  });
});
