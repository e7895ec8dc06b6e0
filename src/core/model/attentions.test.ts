/**
 * outputAttentions on the tiny-odd fixture (the fixtures hold no attention probabilities, so their
 * properties are checked): one [B, N, S, S] tensor per layer, rows that sum to 1, zero on masked
 * keys, layer 0 equal to softmax(QKᵀ/√D + mask) recomputed here from the weights, and the same
 * logits as a forward without it (the fixture's golden loss).
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend/init';
import { createBertModel } from './bert-model';
import { disposeBatch, toDeviceBatch } from './batch';
import { crossEntropy } from './classification-head';
import type { HeadSpec } from './types';
import { loadFixture } from '../../testing/fixture-case';

const fx = loadFixture('tiny-odd');
const CLS: HeadSpec = { kind: 'classification', numLabels: 2, labels: ['0', '1'] };

beforeAll(async () => {
  await initBackend('wasm');
});

describe('outputAttentions', () => {
  it('returns each layer’s attention probabilities, as the composed formula gives them, without changing the logits', async () => {
    const { config: c, host } = fx;
    const model = createBertModel(c, fx.weights, CLS);
    const batch = toDeviceBatch(host);
    const B = host.batchSize;
    const S = host.seqLength;
    const N = c.numAttentionHeads;
    const plain = model.forward(batch, { training: false });
    const withAtt = model.forward(batch, { training: false, outputAttentions: true });
    expect(plain.attentions).toBeUndefined();
    expect(withAtt.attentions).toHaveLength(c.numHiddenLayers);
    for (const a of withAtt.attentions!) expect(a.shape).toEqual([B, N, S, S]);
    const l0 = Array.from(await plain.logits!.data());
    const l1 = Array.from(await withAtt.logits!.data());
    l1.forEach((v, i) => expect(v).toBeCloseTo(l0[i], 5));
    const loss = crossEntropy(withAtt.logits!, batch.labels!);
    expect((await loss.data())[0]).toBeCloseTo(fx.goldenJson.cls_loss as number, 4);

    const mask = host.attentionMask;
    expect(Array.from(mask).some((m) => m === 0)).toBe(true); // the golden batch pads
    for (const a of withAtt.attentions!) {
      const p = await a.data();
      for (let row = 0; row < B * N * S; row++) {
        const b = Math.floor(row / (N * S));
        let sum = 0;
        for (let k = 0; k < S; k++) {
          const v = p[row * S + k];
          sum += v;
          if (!mask[b * S + k]) expect(v).toBeLessThan(1e-6);
          else expect(v).toBeGreaterThan(0);
        }
        expect(sum).toBeCloseTo(1, 5);
      }
    }

    // Layer 0 from the weights: x = LayerNorm(word + position + type), Q = xWqᵀ + bq, K = xWkᵀ + bk.
    const D = c.hiddenSize / N;
    const w = (name: string) => {
      const t = fx.weights.get(name)!;
      return tf.tensor(t.data, t.shape, 'float32');
    };
    const expected = tf.tidy(() => {
      const ids = tf.tensor2d(host.inputIds, [B, S], 'int32');
      const types = tf.tensor2d(host.tokenTypeIds, [B, S], 'int32');
      const sum = tf.add(tf.add(tf.gather(w('bert.embeddings.word_embeddings.weight'), ids), tf.gather(w('bert.embeddings.token_type_embeddings.weight'), types)), tf.slice(w('bert.embeddings.position_embeddings.weight'), [0, 0], [S, c.hiddenSize])); // [B, S, H]
      const mean = tf.mean(sum, -1, true);
      const variance = tf.mean(tf.square(tf.sub(sum, mean)), -1, true);
      const x = tf.add(tf.mul(tf.div(tf.sub(sum, mean), tf.sqrt(tf.add(variance, c.layerNormEps))), w('bert.embeddings.LayerNorm.weight')), w('bert.embeddings.LayerNorm.bias')); // [B, S, H]
      const proj = (name: string) => tf.transpose(tf.reshape(tf.add(tf.matMul(tf.reshape(x, [B * S, c.hiddenSize]), w(`bert.encoder.layer.0.attention.self.${name}.weight`), false, true), w(`bert.encoder.layer.0.attention.self.${name}.bias`)), [B, S, N, D]), [0, 2, 1, 3]); // [B, N, S, D]
      const scores = tf.div(tf.matMul(tf.reshape(proj('query'), [B * N, S, D]), tf.reshape(proj('key'), [B * N, S, D]), false, true), Math.sqrt(D)); // [B·N, S, S]
      const adder = tf.reshape(tf.mul(tf.sub(1, tf.tensor2d(host.attentionMask, [B, S], 'float32')), -10000), [B, 1, 1, S]);
      return tf.softmax(tf.add(tf.reshape(scores, [B, N, S, S]), adder), -1);
    });
    const got = await withAtt.attentions![0].data();
    const want = await expected.data();
    let worst = 0;
    for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]));
    expect(worst).toBeLessThan(1e-5);
    tf.dispose([loss, expected]);
    for (const t of [...Object.values(plain), ...Object.values(withAtt)]) tf.dispose(t as tf.Tensor | tf.Tensor[]);
    disposeBatch(batch);
    model.dispose();
  });

  it('is refused while training (dropout on), and inputsEmbeds of the looked-up words gives the same logits', () => {
    const model = createBertModel(fx.config, fx.weights, CLS);
    const batch = toDeviceBatch(fx.host);
    expect(() => model.forward(batch, { training: true, outputAttentions: true })).toThrow(/inference only/);
    const same = tf.tidy(() => {
      const a = model.forward(batch, { training: false }).logits!;
      const b = model.forward(batch, { training: false, inputsEmbeds: model.embedWords!(batch.inputIds) }).logits!;
      return tf.max(tf.abs(tf.sub(a, b)));
    });
    expect(same.dataSync()[0]).toBeLessThan(1e-6);
    same.dispose();
    disposeBatch(batch);
    model.dispose();
  });
});
