/**
 * The masked-LM pipeline on WASM with the tiny-uncased fixture (real vocabulary):
 * evaluateMlm reproduces PyTorch's loss on golden-mlm and the accuracy of its logits;
 * fillMask ranks the vocabulary at each [MASK] as the full [B, S, V] logits do; continued
 * pre-training on MRPC sentences (reader -> packing -> dynamic masking -> trainer) lowers the
 * held-out masked-LM loss; the adapted encoder hands over to a classification model, MLM head
 * dropped; the BertForMaskedLM export holds the head and no decoder copy.
 */
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend/init';
import { mlmBatches, mlmVocab, packSequences } from '../data/mlm-masking';
import { sourceFromText } from '../data/source';
import { uncasedTokenizer } from '../../testing/test-tokenizer';
import { readTextCorpus } from '../data/text-corpus';
import { exportHfFolder } from '../io/export-hf';
import { readSafetensors } from '../io/safetensors';
import { createBertModel } from '../model/bert-model';
import { disposeBatch, toDeviceBatch } from '../model/batch';
import { hostBatchFromTensors, loadFixture, OUTPUT_TOL, type Fixture } from '../../testing/fixture-case';
import type { HostBatch } from '../model/types';
import { createTrainer } from '../train/step';
import { DEFAULT_OPTIMIZER } from '../train/types';
import { readShared, readSharedBytes, sharedPath } from '../../testing/shared';
import { evaluateMlm, fillMask } from './mlm';

const tok = uncasedTokenizer();
let fx: Fixture;
beforeAll(async () => {
  expect((await initBackend('wasm')).name).toBe('wasm');
  fx = loadFixture('tiny-uncased');
});

describe('evaluateMlm', () => {
  it("gives PyTorch's loss on golden-mlm and the accuracy of its logits", async () => {
    const golden = readSafetensors(readSharedBytes('fixtures', 'mlm-lora', 'tiny-uncased', 'golden-mlm.safetensors')).tensors;
    const meta = JSON.parse(readShared('fixtures', 'mlm-lora', 'tiny-uncased', 'golden-mlm.json')) as { mlm_loss: number };
    const labels = golden.get('input/mlm_labels')!.data as Int32Array;
    const host: HostBatch = { ...hostBatchFromTensors(golden), mlmLabels: labels };
    const model = createBertModel(fx.config, fx.weights, { kind: 'mlm' });
    const m = await evaluateMlm(model, [host]);
    expect(Math.abs(m.loss - meta.mlm_loss)).toBeLessThanOrEqual(OUTPUT_TOL);
    const logits = golden.get('output/mlm_logits')!;
    const V = logits.shape[2];
    let hits = 0;
    let n = 0;
    labels.forEach((label, pos) => {
      if (label === -100) return;
      const row = logits.data.subarray(pos * V, (pos + 1) * V);
      let best = 0;
      for (let j = 1; j < V; j++) if (row[j] > row[best]) best = j;
      hits += best === label ? 1 : 0;
      n += 1;
    });
    expect(m.predicted).toBe(n);
    expect(m.maskedAccuracy).toBe(hits / n);
    expect(m.perplexity).toBeCloseTo(Math.exp(m.loss), 6);
    model.dispose();
  });
});

describe('fillMask', () => {
  it('ranks the top 5 at each [MASK] as the full logits do', async () => {
    const model = createBertModel(fx.config, fx.weights, { kind: 'mlm' });
    const r = await fillMask(model, tok, 'The capital of France is [MASK]. It has [MASK] people.');
    expect(r.tokens[0]).toBe('[CLS]');
    expect(r.tokens[r.tokens.length - 1]).toBe('[SEP]');
    expect(r.masks.map((m) => r.tokens[m.position])).toEqual(['[MASK]', '[MASK]']);
    const ids = Int32Array.from(tok.convertTokensToIds(r.tokens));
    const S = ids.length;
    const batch = toDeviceBatch({ batchSize: 1, seqLength: S, inputIds: ids, tokenTypeIds: new Int32Array(S), attentionMask: new Int32Array(S).fill(1) });
    const out = model.forward(batch, { training: false });
    const probs = tf.softmax(out.mlmLogits!, -1);
    const full = (await probs.data()) as Float32Array;
    const V = fx.config.vocabSize;
    for (const m of r.masks) {
      expect(m.candidates.length).toBe(5);
      const row = Array.from(full.subarray(m.position * V, (m.position + 1) * V));
      const order = row.map((p, i) => [p, i] as const).sort((a, b) => b[0] - a[0]).slice(0, 5);
      expect(m.candidates.map((c) => c.id)).toEqual(order.map(([, i]) => i));
      m.candidates.forEach((c, j) => {
        expect(c.score).toBeCloseTo(order[j][0], 6);
        expect(c.token).toBe(tok.vocab.idToToken[c.id]);
      });
    }
    await expect(fillMask(model, tok, 'no marker here')).rejects.toThrow(/no \[MASK\]/);
    tf.dispose([probs, ...(Object.values(out) as tf.Tensor[])]);
    disposeBatch(batch);
    model.dispose();
  });
});

describe('continued pre-training', () => {
  it('lowers the held-out masked-LM loss, then hands the encoder to a classifier', async () => {
    const rows = readFileSync(sharedPath('datasets', 'glue', 'MRPC', 'train.tsv'), 'utf8').split('\n').slice(1, 401).filter((l) => l.trim());
    const text = rows.map((r, i) => r.split('\t').slice(3, 5).join('\n') + (i % 3 === 2 ? '\n' : '')).join('\n');
    const corpus = await readTextCorpus(sourceFromText('mrpc.txt', text), tok);
    const v = mlmVocab(tok.vocab.idToToken);
    const seqs = packSequences(corpus, 32, v);
    const held = seqs.slice(0, 48);
    const train = seqs.slice(48);
    const opts = { maskedLmProb: 0.15, maxPredictionsPerSeq: 5, wholeWordMask: true, batchSize: 16, maxSeqLength: 32, seed: 7 };
    const heldBatches = [...mlmBatches(held, v, { ...opts, epoch: 0, shuffle: false })];
    const model = createBertModel(fx.config, fx.weights, { kind: 'mlm' });
    const before = await evaluateMlm(model, heldBatches);
    const trainer = createTrainer(model, { ...DEFAULT_OPTIMIZER, name: 'adamw', schedule: 'constant', learningRate: 3e-3, numWarmupSteps: 0, weightDecay: 0.01 }, { seed: 1 });
    const numTensors = tf.memory().numTensors;
    let steps = 0;
    for (let epoch = 0; steps < 30; epoch++) {
      for (const host of mlmBatches(train, v, { ...opts, epoch })) {
        const b = toDeviceBatch(host);
        expect((await trainer.step(b)).applied).toBe(true);
        disposeBatch(b);
        if (++steps >= 30) break;
      }
    }
    expect(tf.memory().numTensors).toBe(numTensors);
    const after = await evaluateMlm(model, heldBatches);
    expect(after.loss).toBeLessThan(before.loss - 0.5);
    const adapted = await model.exportWeights();
    // Fine-tune next: the encoder carries over, the MLM head is dropped.
    const cls = createBertModel(fx.config, adapted, { kind: 'classification', numLabels: 2, labels: ['0', '1'] });
    const clsWeights = await cls.exportWeights();
    expect([...clsWeights.keys()].some((k) => k.startsWith('cls.'))).toBe(false);
    expect(clsWeights.get('bert.encoder.layer.1.output.dense.weight')!.data).toEqual(adapted.get('bert.encoder.layer.1.output.dense.weight')!.data);
    // BertForMaskedLM export: head included, decoder tied (not stored), no pooler trained.
    const files = exportHfFolder({ config: fx.config, head: { kind: 'mlm' }, weights: adapted, vocabText: tok.vocab.idToToken.join('\n'), doLowerCase: true });
    expect(JSON.parse(new TextDecoder().decode(files.get('config.json')!)).architectures).toEqual(['BertForMaskedLM']);
    const st = readSafetensors(files.get('model.safetensors')!).tensors;
    expect([...st.keys()].filter((k) => k.startsWith('cls.')).sort()).toEqual(['cls.predictions.bias', 'cls.predictions.transform.LayerNorm.bias', 'cls.predictions.transform.LayerNorm.weight', 'cls.predictions.transform.dense.bias', 'cls.predictions.transform.dense.weight']);
    trainer.dispose();
    model.dispose();
    cls.dispose();
  }, 240_000);
});
