/**
 * Token attributions on the tiny-odd fixture model: gradient × input equals a central finite
 * difference of F along each token's own embedding, integrated gradients is complete
 * (Σ scores ≈ F(input) − F(baseline)), and no tensor leaks.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend/init';
import { createBertModel } from '../model/bert-model';
import { disposeBatch, toDeviceBatch } from '../model/batch';
import type { BertBatch, BertModel, HeadSpec, HostBatch } from '../model/types';
import { loadFixture } from '../../testing/fixture-case';
import { tokenAttributions, type AttributionTarget } from './attribution';

const fx = loadFixture('tiny-odd');
const CLS: HeadSpec = { kind: 'classification', numLabels: 2, labels: ['0', '1'] };

beforeAll(async () => {
  await initBackend('cpu');
});

/** Row 0 of the fixture's golden batch as a one-example batch. */
function firstRow(host: HostBatch): HostBatch {
  const S = host.seqLength;
  return { batchSize: 1, seqLength: S, inputIds: host.inputIds.slice(0, S), tokenTypeIds: host.tokenTypeIds.slice(0, S), attentionMask: host.attentionMask.slice(0, S) };
}

const logitOf = (label: number): AttributionTarget => (out, row) => tf.squeeze(tf.slice(out.logits!, [row, label], [1, 1])) as tf.Scalar;

/** F with token i's word embedding scaled by (1 + t). */
async function scaledF(model: BertModel, batch: BertBatch, target: AttributionTarget, i: number, t: number): Promise<number> {
  const v = tf.tidy(() => {
    const e = model.embedWords!(batch.inputIds); // [1, S, H]
    const S = e.shape[1];
    const scale = tf.tensor3d(Float32Array.from({ length: S }, (_, j) => (j === i ? 1 + t : 1)), [1, S, 1]);
    return target(model.forward(batch, { training: false, inputsEmbeds: tf.mul(e, scale) as tf.Tensor3D }), 0);
  });
  const out = (await v.data())[0];
  v.dispose();
  return out;
}

describe('token attributions', () => {
  it('gradient × input is the derivative of F along each token embedding (central finite difference)', async () => {
    const model = createBertModel(fx.config, fx.weights, CLS);
    const batch = toDeviceBatch(firstRow(fx.host));
    const target = logitOf(1);
    const before = tf.memory().numTensors;
    const a = await tokenAttributions(model, batch, target, { method: 'gradient-x-input' });
    expect(tf.memory().numTensors).toBe(before);
    const mask = Array.from(firstRow(fx.host).attentionMask);
    expect(a.scores).toHaveLength(mask.length);
    const eps = 1e-2;
    let checked = 0;
    for (let i = 0; i < mask.length; i++) {
      if (!mask[i]) continue;
      const fd = ((await scaledF(model, batch, target, i, eps)) - (await scaledF(model, batch, target, i, -eps))) / (2 * eps);
      expect(Math.abs(a.scores[i] - fd), `token ${i}: ${a.scores[i]} vs ${fd}`).toBeLessThan(2e-3 + 0.02 * Math.abs(fd));
      checked++;
    }
    expect(checked).toBeGreaterThan(2);
    expect(a.scores.some((s) => Math.abs(s) > 1e-4)).toBe(true);
    disposeBatch(batch);
    model.dispose();
  });

  it('integrated gradients are complete: the scores sum to F(input) − F(zero baseline)', async () => {
    const model = createBertModel(fx.config, fx.weights, CLS);
    const batch = toDeviceBatch(firstRow(fx.host));
    const target = logitOf(0);
    const before = tf.memory().numTensors;
    const ig20 = await tokenAttributions(model, batch, target, { method: 'integrated-gradients', steps: 20, chunk: 7 });
    expect(tf.memory().numTensors).toBe(before);
    const ig60 = await tokenAttributions(model, batch, target, { method: 'integrated-gradients', steps: 60 });
    const gap = (r: typeof ig20) => Math.abs(r.scores.reduce((s, x) => s + x, 0) - (r.target - r.baseline!));
    const delta = Math.abs(ig20.target - ig20.baseline!);
    expect(delta).toBeGreaterThan(1e-3);
    expect(gap(ig20)).toBeLessThan(0.05 * delta);
    expect(gap(ig60)).toBeLessThan(0.01 * delta);
    expect(ig20.steps).toBe(20);
    // The chunking does not change the sum: one pass of 20 gives the same scores as chunks of 7.
    const one = await tokenAttributions(model, batch, target, { method: 'integrated-gradients', steps: 20, chunk: 20 });
    for (let i = 0; i < one.scores.length; i++) expect(one.scores[i]).toBeCloseTo(ig20.scores[i], 4);
    disposeBatch(batch);
    model.dispose();
  });
});
