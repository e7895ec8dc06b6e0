/**
 * Masked-LM head and LoRA against PyTorch (../shared/fixtures/mlm-lora/<case>/), on WASM, for
 * both tiny models with weights from model.safetensors and pytorch_model.bin:
 *   golden-mlm: output/mlm_logits, the loss, and every grad_mlm/* (all bert.* but the pooler,
 *               every cls.predictions.*; the word-embedding gradient sums both paths);
 *   golden-lora: output/lora_cls_logits, every grad_lora/* (only the adapters and the
 *               classifier train), merged/* (W' = W + (α/r)·B·A), and 3 AdamW steps
 *               (adamw_lora/step{k}/*: constant lr 1e-2, decay 0.01, clip 1.0).
 * Tolerances from the fixtures README (fixture-case.testutil.ts).
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend/init';
import { mergeLoraWeights } from '../io/export-lora';
import { loadPretrained, transpose2d } from '../io/load-pretrained';
import { bytesSource, readSafetensors, type LoadedTensor } from '../io/safetensors';
import { listTfBundle } from '../io/tf-bundle';
import { writeTfBundle } from '../io/tf-bundle-writer';
import { createTrainer } from '../train/step';
import { DEFAULT_OPTIMIZER } from '../train/types';
import { readShared, readSharedBytes } from '../../testing/shared';
import { createBertModel } from './bert-model';
import { disposeBatch, toDeviceBatch } from './batch';
import { expectClose, goldenNames, gradTolerance, hostBatchFromTensors, loadFixtureFrom, OUTPUT_TOL, PARAM_TOL, type Fixture, type FixtureCase, type WeightSource } from '../../testing/fixture-case';
import type { BertModel, HeadSpec, HostBatch } from './types';

const MLM: HeadSpec = { kind: 'mlm' };
const CLS: HeadSpec = { kind: 'classification', numLabels: 2, labels: ['0', '1'] };

beforeAll(async () => {
  expect((await initBackend('wasm')).name).toBe('wasm');
});

function goldenOf(name: FixtureCase, file: string): Map<string, LoadedTensor> {
  return readSafetensors(readSharedBytes('fixtures', 'mlm-lora', name, file)).tensors;
}

async function gradsOf(model: BertModel, host: HostBatch): Promise<{ loss: number; grads: Map<string, Float32Array> }> {
  const batch = toDeviceBatch(host);
  const names = [...model.variables.keys()];
  const { value, grads } = tf.variableGrads(() => model.loss(batch, { training: false }), names.map((n) => model.variables.get(n)!));
  const out = new Map<string, Float32Array>();
  for (const n of names) out.set(n, (await grads[model.variables.get(n)!.name].data()) as Float32Array);
  const loss = (await value.data())[0];
  tf.dispose([value, ...Object.values(grads)]);
  disposeBatch(batch);
  return { loss, grads: out };
}

const CASES: [FixtureCase, WeightSource][] = [
  ['tiny-uncased', 'safetensors'],
  ['tiny-uncased', 'bin'],
  ['tiny-odd', 'safetensors'],
  ['tiny-odd', 'bin'],
];

describe.each(CASES)('masked LM, %s from %s', (name, source) => {
  let fx: Fixture;
  const golden = goldenOf(name, 'golden-mlm.safetensors');
  const goldenJson = JSON.parse(readShared('fixtures', 'mlm-lora', name, 'golden-mlm.json')) as { mlm_loss: number; masked_positions: number };
  const host: HostBatch = { ...hostBatchFromTensors(golden), mlmLabels: golden.get('input/mlm_labels')!.data as Int32Array };
  beforeAll(async () => {
    fx = await loadFixtureFrom(name, source);
  });

  it('loads the checkpoint head and matches output/mlm_logits', () => {
    const model = createBertModel(fx.config, fx.weights, MLM);
    expect(model.initialized).toEqual([]);
    const batch = toDeviceBatch(host);
    expect(batch.mlmPositions!.size).toBe(goldenJson.masked_positions);
    const out = model.forward({ ...batch, mlmPositions: undefined }, { training: false });
    expect(out.mlmLogits!.shape).toEqual(golden.get('output/mlm_logits')!.shape);
    expectClose('output/mlm_logits', out.mlmLogits!.dataSync(), golden.get('output/mlm_logits')!, OUTPUT_TOL);
    tf.dispose(Object.values(out) as tf.Tensor[]);
    // with predicted positions, only their rows: the same logits as [M, V]
    const o2 = model.forward(batch, { training: false });
    const masked = o2.maskedLogits!;
    const all = golden.get('output/mlm_logits')!;
    const V = all.shape[2];
    const rows = [...batch.mlmPositions!.dataSync()].flatMap((pos) => [...all.data.subarray(pos * V, (pos + 1) * V)]);
    expectClose('maskedLogits', masked.dataSync(), { dtype: 'float32', shape: [rows.length / V, V], data: Float32Array.from(rows) }, OUTPUT_TOL);
    tf.dispose(Object.values(o2) as tf.Tensor[]);
    disposeBatch(batch);
    model.dispose();
  });

  it('matches the loss and every grad_mlm/* tensor (tied embedding: both paths)', async () => {
    const model = createBertModel(fx.config, fx.weights, MLM);
    const { loss, grads } = await gradsOf(model, host);
    expect(Math.abs(loss - goldenJson.mlm_loss)).toBeLessThanOrEqual(OUTPUT_TOL);
    const expected = goldenNames(golden, 'grad_mlm/').sort();
    expect([...grads.keys()].sort()).toEqual(expected);
    for (const n of expected) expectClose(`grad_mlm/${n}`, grads.get(n)!, golden.get(`grad_mlm/${n}`)!, gradTolerance(golden.get(`grad_mlm/${n}`)!));
    model.dispose();
  });
});

describe("masked LM from a Google checkpoint's cls/predictions/*", () => {
  it('loads the head under Google names (kernel transposed, output_bias) and matches golden-mlm', async () => {
    // tiny-odd's Google checkpoint plus its MLM head written as google-research/bert names it
    const dir = 'fixtures/model/tiny-odd/google';
    const listed = await listTfBundle(bytesSource(readSharedBytes(dir, 'bert_model.ckpt.index'), 'bert_model.ckpt.index'), [bytesSource(readSharedBytes(dir, 'bert_model.ckpt.data-00000-of-00001'), 'bert_model.ckpt.data-00000-of-00001')]);
    const tensors = new Map(await Promise.all(listed.tensors.map(async (t) => [t.name, await t.read()] as const)));
    const hf = (await loadFixtureFrom('tiny-odd', 'safetensors')).weights;
    tensors.set('cls/predictions/transform/dense/kernel', transpose2d(hf.get('cls.predictions.transform.dense.weight')!));
    tensors.set('cls/predictions/transform/dense/bias', hf.get('cls.predictions.transform.dense.bias')!);
    tensors.set('cls/predictions/transform/LayerNorm/gamma', hf.get('cls.predictions.transform.LayerNorm.weight')!);
    tensors.set('cls/predictions/transform/LayerNorm/beta', hf.get('cls.predictions.transform.LayerNorm.bias')!);
    tensors.set('cls/predictions/output_bias', hf.get('cls.predictions.bias')!);
    const written = writeTfBundle(tensors);
    const loaded = await loadPretrained([
      bytesSource(readSharedBytes(dir, 'bert_config.json'), 'bert_config.json'),
      bytesSource(written.index, 'bert_model.ckpt.index'),
      bytesSource(written.shards[0], 'bert_model.ckpt.data-00000-of-00001'),
    ]);
    expect(loaded.notes).toContain('masked-LM head cls.predictions loaded (used by the masked-LM task only)');
    const golden = goldenOf('tiny-odd', 'golden-mlm.safetensors');
    const model = createBertModel(loaded.config, loaded.weights, MLM);
    expect(model.initialized).toEqual([]);
    const { grads } = await gradsOf(model, { ...hostBatchFromTensors(golden), mlmLabels: golden.get('input/mlm_labels')!.data as Int32Array });
    for (const n of goldenNames(golden, 'grad_mlm/')) expectClose(`grad_mlm/${n}`, grads.get(n)!, golden.get(`grad_mlm/${n}`)!, gradTolerance(golden.get(`grad_mlm/${n}`)!));
    model.dispose();
  });
});

describe.each(CASES)('LoRA, %s from %s', (name, source) => {
  let fx: Fixture;
  const golden = goldenOf(name, 'golden-lora.safetensors');
  const init = goldenOf(name, 'lora-init.safetensors');
  const meta = JSON.parse(readShared('fixtures', 'mlm-lora', name, 'golden-lora.json')) as { alpha: number; rank: number; loss: number; adamw: { lr: number; weight_decay: number; clip_global_norm: number; beta1: number; beta2: number; epsilon: number; steps: { loss: number; grad_global_norm: number }[] } };
  const host = hostBatchFromTensors(golden);
  const make = () => createBertModel(fx.config, fx.weights, CLS, { trainable: { kind: 'lora', rank: 8, alpha: meta.alpha, dropout: 0, targets: ['query', 'value'], init } });
  beforeAll(async () => {
    fx = await loadFixtureFrom(name, source);
  });

  it('trains only the adapters and the classifier; logits, loss and every grad_lora/* match', async () => {
    const model = make();
    expect(model.lora!.rank).toBe(meta.rank); // read from lora-init's shapes, not the spec's 8
    const batch = toDeviceBatch(host);
    const out = model.forward(batch, { training: false });
    expectClose('output/lora_cls_logits', out.logits!.dataSync(), golden.get('output/lora_cls_logits')!, OUTPUT_TOL);
    tf.dispose(Object.values(out) as tf.Tensor[]);
    disposeBatch(batch);
    const { loss, grads } = await gradsOf(model, host);
    expect(Math.abs(loss - meta.loss)).toBeLessThanOrEqual(OUTPUT_TOL);
    const expected = goldenNames(golden, 'grad_lora/').sort();
    expect([...grads.keys()].sort()).toEqual(expected);
    for (const n of expected) expectClose(`grad_lora/${n}`, grads.get(n)!, golden.get(`grad_lora/${n}`)!, gradTolerance(golden.get(`grad_lora/${n}`)!));
    model.dispose();
  });

  it('merges the adapters into W (merged/*)', async () => {
    const model = make();
    const merged = mergeLoraWeights(await model.exportWeights(), model.lora!);
    for (const n of goldenNames(golden, 'merged/')) expectClose(`merged/${n}`, merged.get(n)!.data, golden.get(`merged/${n}`)!, PARAM_TOL);
    expect([...merged.keys()].some((k) => k.includes('lora_'))).toBe(false);
    model.dispose();
  });

  it('takes 3 AdamW steps to adamw_lora/step{k}/* (constant schedule)', async () => {
    const model = make();
    const a = meta.adamw;
    const trainer = createTrainer(model, { ...DEFAULT_OPTIMIZER, name: 'adamw', schedule: 'constant', learningRate: a.lr, numTrainSteps: 3, numWarmupSteps: 0, weightDecay: a.weight_decay, maxGradNorm: a.clip_global_norm, beta1: a.beta1, beta2: a.beta2, epsilon: a.epsilon }, { dropout: false });
    const batch = toDeviceBatch(host);
    for (let k = 1; k <= 3; k++) {
      const r = await trainer.step(batch);
      expect(r.applied).toBe(true);
      expect(Math.abs(r.loss - a.steps[k - 1].loss)).toBeLessThanOrEqual(OUTPUT_TOL);
      expect(Math.abs(r.gradNorm - a.steps[k - 1].grad_global_norm)).toBeLessThanOrEqual(1e-3 * a.steps[k - 1].grad_global_norm);
      const names = goldenNames(golden, `adamw_lora/step${k}/`);
      expect(names.sort()).toEqual([...model.variables.keys()].sort());
      for (const n of names) expectClose(`adamw_lora/step${k}/${n}`, model.variables.get(n)!.dataSync(), golden.get(`adamw_lora/step${k}/${n}`)!, PARAM_TOL);
    }
    disposeBatch(batch);
    trainer.dispose();
    model.dispose();
  });
});
