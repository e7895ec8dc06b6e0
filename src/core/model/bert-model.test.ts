/**
 * Parity of the model with PyTorch on both fixtures (../shared/fixtures/model), on the WASM
 * backend the CLI uses: every output/* tensor, every grad_cls/* and grad_qa/* tensor, with the
 * weights read from model.safetensors (+ heads.safetensors), from pytorch_model.bin
 * (+ heads.safetensors) and, for tiny-odd, from the Google checkpoint in google/ (its own
 * output_weights and cls/squad heads), all three through the project's loaders.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend/init';
import { createBertModel } from './bert-model';
import { disposeBatch, toDeviceBatch } from './batch';
import { expectClose, goldenNames, gradTolerance, loadFixtureFrom, OUTPUT_TOL, type Fixture, type FixtureCase, type WeightSource } from '../../testing/fixture-case';
import type { BertModel, HeadSpec } from './types';

const CLS: HeadSpec = { kind: 'classification', numLabels: 2, labels: ['0', '1'] };
const SPAN: HeadSpec = { kind: 'span' };

beforeAll(async () => {
  const info = await initBackend('wasm');
  expect(info.name).toBe('wasm');
});

async function gradsOf(model: BertModel, fx: Fixture): Promise<{ loss: number; grads: Map<string, Float32Array> }> {
  const batch = toDeviceBatch(fx.host);
  const names = [...model.variables.keys()];
  const { value, grads } = tf.variableGrads(() => model.loss(batch, { training: false }), names.map((n) => model.variables.get(n)!));
  const out = new Map<string, Float32Array>();
  for (const n of names) out.set(n, (await grads[model.variables.get(n)!.name].data()) as Float32Array);
  const loss = (await value.data())[0];
  value.dispose();
  tf.dispose(Object.values(grads));
  disposeBatch(batch);
  return { loss, grads: out };
}

const CASES: [FixtureCase, WeightSource][] = [
  ['tiny-uncased', 'safetensors'],
  ['tiny-uncased', 'bin'],
  ['tiny-odd', 'safetensors'],
  ['tiny-odd', 'bin'],
  ['tiny-odd', 'google'],
];

describe.each(CASES)('%s from %s', (name, source) => {
  let fx: Fixture;
  beforeAll(async () => {
    fx = await loadFixtureFrom(name, source);
  });

  it('matches every output/* tensor', async () => {
    const cls = createBertModel(fx.config, fx.weights, CLS);
    const span = createBertModel(fx.config, fx.weights, SPAN);
    const batch = toDeviceBatch(fx.host);
    const a = cls.forward(batch, { training: false });
    const b = span.forward(batch, { training: false });
    const produced: Record<string, tf.Tensor | undefined> = {
      sequence_output: a.sequenceOutput,
      pooled_output: a.pooledOutput,
      cls_logits: a.logits,
      qa_start_logits: b.startLogits,
      qa_end_logits: b.endLogits,
    };
    const names = goldenNames(fx.golden, 'output/');
    expect(names.sort()).toEqual(Object.keys(produced).sort());
    for (const n of names) expectClose(`output/${n}`, await produced[n]!.data(), fx.golden.get(`output/${n}`)!, OUTPUT_TOL);
    tf.dispose([a, b] as unknown as tf.Tensor[]);
    tf.dispose(Object.values(a).concat(Object.values(b)));
    disposeBatch(batch);
    cls.dispose();
    span.dispose();
  });

  it('matches every grad_cls/* tensor and the classification loss', async () => {
    const model = createBertModel(fx.config, fx.weights, CLS);
    const { loss, grads } = await gradsOf(model, fx);
    expect(Math.abs(loss - (fx.goldenJson.cls_loss as number))).toBeLessThanOrEqual(OUTPUT_TOL);
    const names = goldenNames(fx.golden, 'grad_cls/');
    expect(names.sort()).toEqual([...grads.keys()].sort());
    for (const n of names) {
      const want = fx.golden.get(`grad_cls/${n}`)!;
      expectClose(`grad_cls/${n}`, grads.get(n)!, want, gradTolerance(want));
    }
    model.dispose();
  });

  it('matches every grad_qa/* tensor and the span loss', async () => {
    const model = createBertModel(fx.config, fx.weights, SPAN);
    const { loss, grads } = await gradsOf(model, fx);
    expect(Math.abs(loss - (fx.goldenJson.qa_loss as number))).toBeLessThanOrEqual(OUTPUT_TOL);
    const names = goldenNames(fx.golden, 'grad_qa/');
    expect(names.sort()).toEqual([...grads.keys()].sort());
    for (const n of names) {
      const want = fx.golden.get(`grad_qa/${n}`)!;
      expectClose(`grad_qa/${n}`, grads.get(n)!, want, gradTolerance(want));
    }
    model.dispose();
  });
});
