/**
 * Trainable-parameter choices on WASM (tiny-odd, golden.safetensors' classification batch):
 * frozen embeddings / layers are not variables, get no gradient work and no optimizer slots,
 * and leave the other gradients exactly as PyTorch's grad_cls/*; peft's default LoRA init
 * (A Kaiming-uniform, B zero) leaves the model's outputs unchanged; the MLM head is initialised
 * as BERT does when the checkpoint lacks it; the two LoRA exports (merged, peft adapter).
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend/init';
import { exportPeftAdapter, mergeLoraWeights, peftToCanonical } from '../io/export-lora';
import { exportHfFolder } from '../io/export-hf';
import { readSafetensors } from '../io/safetensors';
import { createTrainer } from '../train/step';
import { DEFAULT_OPTIMIZER } from '../train/types';
import { createBertModel } from './bert-model';
import { makeConfig } from './config';
import { paramCounts } from './param-counts';
import { disposeBatch, toDeviceBatch } from './batch';
import { expectClose, gradTolerance, loadFixture, OUTPUT_TOL, type Fixture } from '../../testing/fixture-case';
import type { BertModel, HeadSpec } from './types';

const CLS: HeadSpec = { kind: 'classification', numLabels: 2, labels: ['0', '1'] };
let fx: Fixture;

beforeAll(async () => {
  expect((await initBackend('wasm')).name).toBe('wasm');
  fx = loadFixture('tiny-odd');
});

/** Gradients by name and the number of kernels the backward pass ran. */
async function backward(model: BertModel): Promise<{ grads: Map<string, Float32Array>; kernels: number }> {
  const batch = toDeviceBatch(fx.host);
  const vars = [...model.variables.values()];
  const grads = new Map<string, Float32Array>();
  const info = await tf.profile(async () => {
    const r = tf.variableGrads(() => model.loss(batch, { training: false }), vars);
    for (const [n, v] of model.variables) grads.set(n, (await r.grads[v.name].data()) as Float32Array);
    tf.dispose([r.value, ...Object.values(r.grads)]);
  });
  disposeBatch(batch);
  return { grads, kernels: info.kernels.length };
}

describe('frozen layers', () => {
  it('freezes the embeddings and the first layer: no variables, fewer kernels, the other gradients unchanged', async () => {
    const full = createBertModel(fx.config, fx.weights, CLS);
    const frozen = createBertModel(fx.config, fx.weights, CLS, { trainable: { kind: 'freeze', embeddings: true, layers: 1 } });
    const names = [...frozen.variables.keys()];
    expect(names.some((n) => n.startsWith('bert.embeddings.') || n.startsWith('bert.encoder.layer.0.'))).toBe(false);
    expect(names.filter((n) => n.startsWith('bert.encoder.layer.1.')).length).toBe(16);
    expect(frozen.frozenNames).toContain('bert.embeddings.word_embeddings.weight');
    const a = await backward(full);
    const b = await backward(frozen);
    expect(b.kernels).toBeLessThan(a.kernels); // the frozen part's backward is not run
    for (const n of names) expectClose(`grad_cls/${n}`, b.grads.get(n)!, fx.golden.get(`grad_cls/${n}`)!, gradTolerance(fx.golden.get(`grad_cls/${n}`)!));
    // exported weights still hold every tensor
    expect((await frozen.exportWeights()).size).toBe((await full.exportWeights()).size);
    full.dispose();
    frozen.dispose();
  });

  it('keeps no optimizer slots for frozen weights and leaves them unchanged by a step', async () => {
    const model = createBertModel(fx.config, fx.weights, CLS, { trainable: { kind: 'freeze', embeddings: true, layers: 2 } });
    const trainer = createTrainer(model, { ...DEFAULT_OPTIMIZER, name: 'adamw', learningRate: 1e-2, numWarmupSteps: 0, schedule: 'constant' }, { dropout: false });
    const batch = toDeviceBatch(fx.host);
    expect((await trainer.step(batch)).applied).toBe(true);
    const state = await trainer.getState();
    const slotted = [...state.tensors.keys()].map((k) => k.replace(/\/adam_[mv]$/, ''));
    expect(new Set(slotted)).toEqual(new Set(model.variables.keys()));
    expect(slotted.some((n) => n.startsWith('bert.embeddings.') || /layer\.[01]\./.test(n))).toBe(false);
    const after = await model.exportWeights();
    for (const n of ['bert.embeddings.word_embeddings.weight', 'bert.encoder.layer.1.output.dense.weight']) expect(after.get(n)!.data).toEqual(fx.weights.get(n)!.data);
    expect(after.get('bert.encoder.layer.2.output.dense.weight')!.data).not.toEqual(fx.weights.get('bert.encoder.layer.2.output.dense.weight')!.data);
    disposeBatch(batch);
    trainer.dispose();
    model.dispose();
  });

  it('rejects freezing more layers than the model has', () => {
    expect(() => createBertModel(fx.config, fx.weights, CLS, { trainable: { kind: 'freeze', embeddings: false, layers: 4 } })).toThrow(/from 0 to 3/);
  });
});

describe('LoRA with peft defaults', () => {
  const spec = { kind: 'lora' as const, rank: 8, alpha: 16, dropout: 0.1, targets: ['query' as const, 'value' as const, 'intermediate' as const] };

  it('starts with B = 0, A in ±1/√in, and the base model unchanged; only A, B and the head train', async () => {
    const base = createBertModel(fx.config, fx.weights, CLS);
    const lora = createBertModel(fx.config, fx.weights, CLS, { trainable: spec, seed: 3 });
    const H = fx.config.hiddenSize;
    expect(lora.lora).toMatchObject({ rank: 8, alpha: 16 });
    expect(lora.initialized).toContain('bert.encoder.layer.2.intermediate.dense.lora_A.weight');
    const names = [...lora.variables.keys()];
    expect(names.filter((n) => !n.includes('.lora_')).sort()).toEqual(['classifier.bias', 'classifier.weight']);
    expect(names.length).toBe(2 + 3 * 3 * 2);
    const a = lora.variables.get('bert.encoder.layer.0.attention.self.query.lora_A.weight')!;
    expect(a.shape).toEqual([8, H]);
    const av = a.dataSync();
    expect(Math.max(...av.map(Math.abs))).toBeLessThanOrEqual(1 / Math.sqrt(H));
    expect(new Set(av).size).toBeGreaterThan(av.length / 2);
    expect(lora.variables.get('bert.encoder.layer.0.intermediate.dense.lora_B.weight')!.shape).toEqual([fx.config.intermediateSize, 8]);
    expect([...lora.variables.get('bert.encoder.layer.0.attention.self.value.lora_B.weight')!.dataSync()].every((x) => x === 0)).toBe(true);
    const batch = toDeviceBatch(fx.host);
    const x = base.forward(batch, { training: false });
    const y = lora.forward(batch, { training: false });
    expectClose('cls_logits', y.logits!.dataSync(), { dtype: 'float32', shape: x.logits!.shape, data: x.logits!.dataSync() as Float32Array }, 1e-6);
    tf.dispose([...Object.values(x), ...Object.values(y)] as tf.Tensor[]);
    disposeBatch(batch);
    base.dispose();
    lora.dispose();
  });

  it('applies lora_dropout to the adapter input in training only', () => {
    const c = { ...fx.config, hiddenDropoutProb: 0, attentionProbsDropoutProb: 0 };
    const logits = (rate: number, training: boolean) => {
      const m = createBertModel(c, fx.weights, CLS, { trainable: { ...spec, dropout: rate }, seed: 3 });
      for (const [n, v] of m.variables) if (n.endsWith('lora_B.weight')) tf.tidy(() => v.assign(tf.fill(v.shape, 0.05)));
      const batch = toDeviceBatch(fx.host);
      const out = m.forward(batch, { training, seed: 11 });
      const data = Array.from(out.logits!.dataSync());
      tf.dispose(Object.values(out) as tf.Tensor[]);
      disposeBatch(batch);
      m.dispose();
      return data;
    };
    const evalOut = logits(0.5, false);
    expect(logits(0, true)).toEqual(evalOut);
    const dropped = logits(0.5, true);
    expect(dropped.some((x, i) => Math.abs(x - evalOut[i]) > 1e-4)).toBe(true);
    expect(logits(0.5, true)).toEqual(dropped); // seeded
  });

  it('exports peft layout (adapter_model.safetensors + adapter_config.json) and a merged plain folder', async () => {
    const lora = createBertModel(fx.config, fx.weights, CLS, { trainable: spec, seed: 3 });
    // make B non-zero so the merge is visible
    const bName = 'bert.encoder.layer.1.attention.self.query.lora_B.weight';
    tf.tidy(() => lora.variables.get(bName)!.assign(tf.onesLike(lora.variables.get(bName)!)));
    const weights = await lora.exportWeights();
    const files = exportPeftAdapter(weights, lora.lora!, CLS, fx.config, 'tiny-odd');
    const cfg = JSON.parse(new TextDecoder().decode(files.get('adapter_config.json')!)) as Record<string, unknown>;
    expect(cfg).toMatchObject({ peft_type: 'LORA', task_type: 'SEQ_CLS', r: 8, lora_alpha: 16, lora_dropout: 0.1, target_modules: ['query', 'value', 'intermediate.dense'], modules_to_save: ['classifier'], base_model_name_or_path: 'tiny-odd' });
    const st = readSafetensors(files.get('adapter_model.safetensors')!).tensors;
    expect(st.size).toBe(2 + 3 * 3 * 2);
    expect(st.has('base_model.model.bert.encoder.layer.0.attention.self.query.lora_A.weight')).toBe(true);
    expect(st.has('base_model.model.classifier.weight')).toBe(true);
    const back = peftToCanonical(st);
    expect(back.get(bName)!.data).toEqual(weights.get(bName)!.data);
    const merged = mergeLoraWeights(weights, lora.lora!);
    expect(merged.size).toBe(weights.size - 18);
    const folder = { config: fx.config, head: CLS, vocabText: 'a\nb', doLowerCase: true };
    expect(() => exportHfFolder({ ...folder, weights })).toThrow(/LoRA adapters/);
    const plain = readSafetensors(exportHfFolder({ ...folder, weights: merged }).get('model.safetensors')!).tensors;
    expect(plain.get('bert.encoder.layer.1.attention.self.query.weight')!.data).toEqual(merged.get('bert.encoder.layer.1.attention.self.query.weight')!.data);
    // W' = W + 2·B·A: with B = 1, row i of W' − W is 2·Σ_k A[k, :]
    const w0 = weights.get('bert.encoder.layer.1.attention.self.query.weight')!.data;
    const w1 = merged.get('bert.encoder.layer.1.attention.self.query.weight')!.data;
    const A = weights.get('bert.encoder.layer.1.attention.self.query.lora_A.weight')!.data;
    const H = fx.config.hiddenSize;
    for (const j of [0, 5, H - 1]) {
      let s = 0;
      for (let k = 0; k < 8; k++) s += A[k * H + j];
      expect(w1[3 * H + j] - w0[3 * H + j]).toBeCloseTo(2 * s, 5);
    }
    lora.dispose();
  });
});

describe('masked-LM head absent from the checkpoint', () => {
  it('is initialised as BERT does (truncated normal kernel, zero biases, LayerNorm 1) and listed', () => {
    const noHead = new Map([...fx.weights].filter(([k]) => !k.startsWith('cls.')));
    const model = createBertModel(fx.config, noHead, { kind: 'mlm' }, { seed: 1 });
    expect([...(model.initialized ?? [])].sort()).toEqual(['cls.predictions.bias', 'cls.predictions.transform.LayerNorm.bias', 'cls.predictions.transform.LayerNorm.weight', 'cls.predictions.transform.dense.bias', 'cls.predictions.transform.dense.weight']);
    const w = model.variables.get('cls.predictions.transform.dense.weight')!.dataSync();
    expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual(2 * fx.config.initializerRange + 1e-7);
    expect([...model.variables.get('cls.predictions.transform.LayerNorm.weight')!.dataSync()].every((x) => x === 1)).toBe(true);
    expect(model.variables.has('bert.pooler.dense.weight')).toBe(false); // no pooler in BertForMaskedLM
    const batch = toDeviceBatch({ ...fx.host, mlmLabels: new Int32Array(fx.host.inputIds.length).fill(-100) });
    expect(() => model.loss(batch, { training: false })).toThrow(/predicts no position/);
    disposeBatch(batch);
    model.dispose();
  });

  it(`keeps ${OUTPUT_TOL} parity of the encoder whatever the head`, () => {
    const mlm = createBertModel(fx.config, fx.weights, { kind: 'mlm' });
    const batch = toDeviceBatch(fx.host);
    const out = mlm.forward(batch, { training: false });
    expectClose('output/sequence_output', out.sequenceOutput.dataSync(), fx.golden.get('output/sequence_output')!, OUTPUT_TOL);
    tf.dispose(Object.values(out) as tf.Tensor[]);
    disposeBatch(batch);
    mlm.dispose();
  });
});

describe('paramCounts', () => {
  it('counts what the model holds and trains for each choice (BERT-Base: 110M full, ~0.3M LoRA r 8 on query/value)', () => {
    const base = makeConfig({}, 'base');
    const full = paramCounts(base, CLS);
    expect(full.total).toBe(109482240 + 2 * 768 + 2);
    expect(full.trainable).toBe(full.total);
    const lora = paramCounts(base, CLS, { kind: 'lora', rank: 8, alpha: 16, dropout: 0.1, targets: ['query', 'value'] });
    expect(lora.lora).toBe(12 * 2 * (8 * 768 + 768 * 8));
    expect(lora.trainable).toBe(lora.lora + 2 * 768 + 2);
    expect(lora.trainingStateBytes).toBeLessThan(full.trainingStateBytes / 3);
    for (const spec of [{ kind: 'full' as const }, { kind: 'freeze' as const, embeddings: true, layers: 2 }, { kind: 'lora' as const, rank: 8, alpha: 16, dropout: 0, targets: ['query' as const, 'output' as const] }]) {
      const m = createBertModel(fx.config, fx.weights, CLS, { trainable: spec });
      const counts = paramCounts(fx.config, CLS, spec);
      expect(counts.trainable).toBe([...m.variables.values()].reduce((a, v) => a + v.size, 0));
      m.dispose();
    }
  });
});
