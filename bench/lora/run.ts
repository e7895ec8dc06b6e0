/**
 * bench/lora: what LoRA and frozen layers save, on the CLI's backend (WASM in Node).
 *
 *   npx tsx bench/lora/run.ts [--part memory,mrpc,sst2] [--seq 128] [--steps 2] [--mrpc-steps 115]
 *     [--sst2-steps 500] [--sst2-train 67349] [--lora-high-lr 5e-3] [--pretrain-steps N]
 *
 * Part "memory": BERT-Base (random weights, 2-label head), batch 1, sequence 128, for
 *   full fine-tuning, LoRA r 8 (α 16, query/value) and freezing embeddings + 6 layers:
 *   bytes held on the device, by tf.memory(), split into
 *     weights     after createBertModel
 *     gradients   after tf.variableGrads of one batch (its result only; activations are freed)
 *     optimizer   after createTrainer (AdamW m, v and the step counter)
 *   and the median time of a full training step (forward, backward, clip, AdamW).
 * Part "mrpc": the fixtures' tiny-uncased BERT (random weights: no pre-trained tiny BERT is
 *   available offline), first given --pretrain-steps of masked-LM pre-training (core's mlm
 *   task, full training) on the MRPC training sentences as plain text (task-adaptive
 *   pre-training: unlabelled text of the task's own domain; labels and the dev set unseen), so
 *   that LoRA adapts a model that has learned something; then fine-tuned on MRPC train for the same steps, full vs LoRA r 8
 *   (α 16, dropout 0.1; the classifier trains), AdamW lr 1e-3 for both, and LoRA again at 5e-3
 *   (adapters usually take a higher rate), and freezing the embeddings + the first of its 2 layers
 *   at 1e-3, seq 64 (the model's positions), batch 32; dev accuracy and F1 from the task adapter's evaluation.
 * Part "sst2": the same arms, steps, batch and sequence on SST-2 (single sentences: a
 *   bag-of-words signal a small encoder learns from scratch with full fine-tuning), from the
 *   random weights (--pretrain-steps defaults to 0 here) or after masked-LM pre-training on the
 *   SST-2 training sentences used (--sst2-train of them, a seeded draw; 16 per document); dev
 *   accuracy from the task adapter's evaluation. LoRA's higher rate is --lora-high-lr (5e-3).
 * Prints a table per part, then one JSON line.
 *   --pretrain-steps applies to both fine-tuning parts; unset, MRPC takes 600 and SST-2 0.
 *   --pretrain-steps 0 on MRPC compares on the random weights themselves (uninformative there).
 */
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/core/backend';
import { sourceFromFile } from '../../src/platform/node/data-source';
import { parseBertConfig } from '../../src/core/io';
import { readSafetensors } from '../../src/core/io';
import { createBertModel, disposeBatch, PRESETS, toDeviceBatch, type BertConfig, type TrainableSpec } from '../../src/core/model';
import { createTokenizer, parseVocab } from '../../src/core/tokenizer';
import { createMlmTask, createTaskAdapter, DEFAULT_OPTIMIZER, resolveTrainingConfig } from '../../src/core/train';
import { sourceFromText, type DataSource } from '../../src/core/data';
import type { Tokenizer } from '../../src/core/tokenizer';
import type { WeightMap } from '../../src/core/model';
import { createTrainer } from '../../src/core/train';
import { readShared, readSharedBytes, sharedPath } from '../../src/testing/shared';
import { randomBatch, randomWeights } from '../common/random-model';

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

const CLS = { kind: 'classification' as const, numLabels: 2, labels: ['0', '1'] };
const CHOICES: { label: string; spec: TrainableSpec }[] = [
  { label: 'full', spec: { kind: 'full' } },
  { label: 'LoRA r8 (q,v)', spec: { kind: 'lora', rank: 8, alpha: 16, dropout: 0.1, targets: ['query', 'value'] } },
  { label: 'freeze emb + 6 layers', spec: { kind: 'freeze', embeddings: true, layers: 6 } },
];
const MB = (b: number) => (b / 2 ** 20).toFixed(1);

async function memoryPart(S: number, steps: number): Promise<unknown[]> {
  const c: BertConfig = PRESETS.base;
  const weights = randomWeights(c, 17);
  const host = randomBatch(c, 1, S, 5);
  console.log(['BERT-Base, batch 1, seq ' + S, 'trainable params', 'weights MB', 'gradients MB', 'optimizer MB', 'total MB', 'first step s', 'step s (median)'].join('\t'));
  const rows: unknown[] = [];
  for (const { label, spec } of CHOICES) {
    const base = tf.memory().numBytes;
    const model = createBertModel(c, weights, CLS, { seed: 1, trainable: spec });
    const wBytes = tf.memory().numBytes - base;
    const trainable = [...model.variables.values()].reduce((a, v) => a + v.size, 0);
    const batch = toDeviceBatch(host);
    const batchBytes = tf.memory().numBytes - base - wBytes;
    const vars = [...model.variables.values()];
    const before = tf.memory().numBytes;
    const g = tf.variableGrads(() => model.loss(batch, { training: true, seed: 1 }), vars);
    const gBytes = tf.memory().numBytes - before - g.value.size * 4;
    tf.dispose([g.value, ...Object.values(g.grads)]);
    const beforeOpt = tf.memory().numBytes;
    const trainer = createTrainer(model, { ...DEFAULT_OPTIMIZER, name: 'adamw', schedule: 'constant', numWarmupSteps: 0 }, { seed: 3 });
    const oBytes = tf.memory().numBytes - beforeOpt;
    const t0 = performance.now();
    await trainer.step(batch);
    const first = (performance.now() - t0) / 1000;
    const times: number[] = [];
    for (let i = 0; i < steps; i++) {
      const t = performance.now();
      const r = await trainer.step(batch);
      times.push((performance.now() - t) / 1000);
      if (!r.applied) throw new Error(`step skipped: ${JSON.stringify(r.skipped)}`);
    }
    times.sort((a, b) => a - b);
    const med = times.length ? times[Math.floor(times.length / 2)] : first;
    const row = { choice: label, trainableParams: trainable, weightsBytes: wBytes, gradientBytes: gBytes, optimizerBytes: oBytes, totalBytes: wBytes + gBytes + oBytes, batchBytes, firstStepS: first, stepS: med };
    rows.push(row);
    console.log([label, trainable.toLocaleString('en'), MB(wBytes), MB(gBytes), MB(oBytes), MB(row.totalBytes), first.toFixed(2), med.toFixed(2)].join('\t'));
    disposeBatch(batch);
    trainer.dispose();
    model.dispose();
  }
  return rows;
}

/** 0..n-1 in a seeded order (an LCG Fisher-Yates, as the MRPC loop below). */
function shuffled(n: number, seed: number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  let s = seed;
  for (let i = n - 1; i > 0; i--) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    const j = s % (i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

/** The MRPC training sentences as plain text: each pair one document, one sentence per line. */
function mrpcSentences(): string {
  const rows = readShared('datasets/glue/MRPC/train.tsv').split('\n').slice(1).map((l) => l.split('\t')).filter((c) => c.length >= 5);
  return rows.map((c) => `${c[3]}\n${c[4]}\n`).join('\n');
}

/**
 * Masked-LM pre-training of `weights` on `text` (one sentence per line, blank line between
 * documents): AdamW lr 1e-3, linear schedule, 10% warm-up, batch 32, sequence 64, masks
 * redrawn each epoch; the held-out 5% of sequences measures masked-token accuracy before and after.
 */
async function mlmPretrain(config: BertConfig, weights: WeightMap, tokenizer: Tokenizer, steps: number, text: string, what: string): Promise<{ weights: WeightMap; row: Record<string, unknown> }> {
  const cfg = resolveTrainingConfig('mlm', { maxSeqLength: 64, trainBatchSize: 32, evalBatchSize: 64 });
  const task = await createMlmTask({ tokenizer, config: cfg, train: sourceFromText(`${what.replace(/\W+/g, '-')}.txt`, text) });
  const train = task.train!;
  const model = createBertModel(config, weights, { kind: 'mlm' }, { seed: 1 });
  const before = (await task.dev!.evaluate(model, { batchSize: 64 })).metrics;
  const trainer = createTrainer(model, { ...DEFAULT_OPTIMIZER, name: 'adamw', schedule: 'linear', learningRate: 1e-3, numTrainSteps: steps, numWarmupSteps: Math.round(steps * 0.1), weightDecay: 0.01 }, { seed: 5 });
  const t0 = performance.now();
  const losses: number[] = [];
  const perEpoch = Math.floor(train.numFeatures / 32);
  let order: number[] = [];
  for (let step = 0; step < steps; step++) {
    const epoch = Math.floor(step / perEpoch);
    if (step % perEpoch === 0) order = shuffled(train.numFeatures, 4321 + epoch);
    const at = (step % perEpoch) * 32;
    const indices = order.slice(at, at + 32);
    const batch = toDeviceBatch(train.batch(indices, epoch));
    losses.push((await trainer.step(batch)).loss);
    disposeBatch(batch);
    if ((step + 1) % 50 === 0) console.log(`  masked-LM step ${step + 1}/${steps}: mean loss of the last 50 ${(losses.slice(-50).reduce((a, b) => a + b, 0) / 50).toFixed(3)}, ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  }
  const seconds = (performance.now() - t0) / 1000;
  const after = (await task.dev!.evaluate(model, { batchSize: 64 })).metrics;
  const out = await model.exportWeights();
  trainer.dispose();
  model.dispose();
  const row = { sequences: train.numFeatures, steps, maskedAccuracyBefore: before.masked_accuracy, maskedAccuracyAfter: after.masked_accuracy, mlmLossBefore: before.mlm_loss, mlmLossAfter: after.mlm_loss, trainSeconds: seconds };
  console.log(`masked-LM pre-training on ${what}: ${train.numFeatures} sequences of <= 64, ${steps} steps of 32 in ${seconds.toFixed(0)} s; held-out masked-token accuracy ${before.masked_accuracy.toFixed(4)} -> ${after.masked_accuracy.toFixed(4)}, loss ${before.mlm_loss.toFixed(3)} -> ${after.mlm_loss.toFixed(3)}`);
  return { weights: new Map([...out].filter(([n]) => n.startsWith('bert.'))), row };
}

/** What a fine-tuning part reads: the task, its train and dev sources, and the text to pre-train on. */
interface GluePart {
  task: 'mrpc' | 'sst-2';
  title: string;
  train: DataSource;
  dev: DataSource;
  /** Plain text for the masked-LM pre-training and what it is, for the log. */
  pretrainText: () => string;
  pretrainWhat: string;
  /** The higher LoRA rate. */
  loraHighLr: number;
}

function mrpcInput(): GluePart {
  return {
    task: 'mrpc',
    title: 'MRPC',
    train: sourceFromFile(sharedPath('datasets/glue/MRPC/train.tsv')),
    dev: sourceFromFile(sharedPath('datasets/glue/MRPC/dev.tsv')),
    pretrainText: mrpcSentences,
    pretrainWhat: 'MRPC train sentences',
    loraHighLr: 5e-3,
  };
}

/**
 * SST-2 with `size` training sentences drawn by a seeded shuffle of train.tsv's 67,349 (all of
 * them when size >= that); the masked-LM text is the same sentences, 16 per document.
 */
function sst2Input(size: number, loraHighLr: number): GluePart {
  const lines = readShared('datasets/glue/SST-2/train.tsv').split('\n');
  const rows = lines.slice(1).filter((l) => l.trim() !== '');
  const picked = shuffled(rows.length, 2718).slice(0, Math.min(size, rows.length)).map((i) => rows[i]);
  const sentences = picked.map((r) => r.split('\t')[0].trim());
  return {
    task: 'sst-2',
    title: `SST-2 (${picked.length.toLocaleString('en')} of ${rows.length.toLocaleString('en')} train sentences)`,
    train: sourceFromText('train.tsv', `${lines[0]}\n${picked.join('\n')}\n`),
    dev: sourceFromFile(sharedPath('datasets/glue/SST-2/dev.tsv')),
    pretrainText: () => {
      const docs: string[] = [];
      for (let i = 0; i < sentences.length; i += 16) docs.push(sentences.slice(i, i + 16).join('\n'));
      return docs.join('\n\n') + '\n';
    },
    pretrainWhat: `${picked.length} SST-2 train sentences`,
    loraHighLr,
  };
}

/**
 * The fixtures' tiny-uncased BERT, optionally after masked-LM pre-training on the task's training
 * text, fine-tuned on the task for the same steps per arm (full; LoRA r 8 q,v at 1e-3 and at the
 * part's higher rate; freeze embeddings + 1 layer), batch 32, sequence 64, AdamW, linear schedule
 * with 10% warm-up; dev metrics through the task adapter's evaluation.
 */
async function gluePart(part: GluePart, maxSteps: number, pretrainSteps: number): Promise<unknown[]> {
  const dir = ['fixtures', 'model', 'tiny-uncased'];
  const { config } = parseBertConfig(readShared(...dir, 'config.json'), 'config.json');
  const tokenizer = createTokenizer(parseVocab(readShared('fixtures/vocab/bert-base-uncased.txt'), 'vocab.txt'), { doLowerCase: true });
  let weights: WeightMap = readSafetensors(readSharedBytes(...dir, 'model.safetensors')).tensors;
  let pretraining: Record<string, unknown> | null = null;
  if (pretrainSteps > 0) ({ weights, row: pretraining } = await mlmPretrain(config, weights, tokenizer, pretrainSteps, part.pretrainText(), part.pretrainWhat));
  const cfg = resolveTrainingConfig(part.task, { maxSeqLength: 64, trainBatchSize: 32, evalBatchSize: 64 });
  const adapter = await createTaskAdapter({ tokenizer, config: cfg, train: part.train, dev: part.dev });
  const train = adapter.train!;
  console.log([`${part.title}, tiny-uncased${pretrainSteps > 0 ? ` after ${pretrainSteps} masked-LM steps` : ' (random weights)'}, ` + maxSteps + ' steps of 32', 'trainable params', 'lr', 'final loss (mean of last 10)', 'dev accuracy', 'dev F1', 'train s'].join('\t'));
  const rows: unknown[] = pretraining ? [{ pretraining }] : [];
  for (const { label, spec, lr } of [
    { label: 'full', spec: CHOICES[0].spec, lr: 1e-3 },
    { label: 'LoRA r8 (q,v)', spec: CHOICES[1].spec, lr: 1e-3 },
    { label: 'LoRA r8 (q,v)', spec: CHOICES[1].spec, lr: part.loraHighLr },
    { label: 'freeze emb + 1 layer', spec: { kind: 'freeze', embeddings: true, layers: 1 } as TrainableSpec, lr: 1e-3 },
  ]) {
    const model = createBertModel(config, weights, adapter.head, { seed: 1, trainable: spec });
    const trainer = createTrainer(model, { ...DEFAULT_OPTIMIZER, name: 'adamw', schedule: 'linear', learningRate: lr, numTrainSteps: maxSteps, numWarmupSteps: Math.round(maxSteps * 0.1), weightDecay: 0.01 }, { seed: 3 });
    const losses: number[] = [];
    const t0 = performance.now();
    let step = 0;
    for (let epoch = 0; step < maxSteps; epoch++) {
      const order = shuffled(train.numFeatures, 1234 + epoch);
      for (let i = 0; i + 32 <= order.length && step < maxSteps; i += 32, step++) {
        const batch = toDeviceBatch(train.batch(order.slice(i, i + 32)));
        losses.push((await trainer.step(batch)).loss);
        disposeBatch(batch);
        if ((step + 1) % 100 === 0) console.log(`  ${label} lr ${lr}: step ${step + 1}/${maxSteps}, mean loss of the last 100 ${(losses.slice(-100).reduce((x, y) => x + y, 0) / 100).toFixed(3)}, ${((performance.now() - t0) / 1000).toFixed(0)} s`);
      }
    }
    const seconds = (performance.now() - t0) / 1000;
    const outcome = await adapter.dev!.evaluate(model, { batchSize: 64 });
    const last = losses.slice(-10).reduce((a, b) => a + b, 0) / Math.min(10, losses.length);
    const trainable = [...model.variables.values()].reduce((a, v) => a + v.size, 0);
    const row = { choice: label, trainableParams: trainable, lr, steps: maxSteps, finalLoss: last, metrics: outcome.metrics, trainSeconds: seconds };
    rows.push(row);
    console.log([label, trainable.toLocaleString('en'), lr, last.toFixed(4), (outcome.metrics.accuracy ?? NaN).toFixed(4), outcome.metrics.f1 === undefined ? '-' : outcome.metrics.f1.toFixed(4), seconds.toFixed(1)].join('\t'));
    trainer.dispose();
    model.dispose();
  }
  return rows;
}

async function main(): Promise<void> {
  const parts = flag('part', 'memory,mrpc').split(',');
  const info = await initBackend('wasm');
  console.log(`backend: ${info.name}`);
  const out: Record<string, unknown> = { backend: info.name };
  if (parts.includes('memory')) out.memory = await memoryPart(Number(flag('seq', '128')), Number(flag('steps', '2')));
  if (parts.includes('mrpc')) out.mrpc = await gluePart(mrpcInput(), Number(flag('mrpc-steps', '115')), Number(flag('pretrain-steps', '600')));
  if (parts.includes('sst2')) out.sst2 = await gluePart(sst2Input(Number(flag('sst2-train', '67349')), Number(flag('lora-high-lr', '5e-3'))), Number(flag('sst2-steps', '500')), Number(flag('pretrain-steps', '0')));
  console.log(JSON.stringify(out));
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
