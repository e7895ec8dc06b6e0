/**
 * `tabtune train` and `tabtune predict` end to end on tiny-uncased (WASM backend):
 * - MRPC: fine-tune on the first 64 train pairs until it fits them (accuracy >= 0.95 by predict);
 * - SQuAD: fine-tune on the first 32 questions of the xquad.en fixture until exact match >= 80;
 * - the exported Hugging Face folder reloads with logits identical to the final checkpoint's.
 *
 * Settings (chosen for this 2-core machine; the model has 64 positions):
 *   MRPC:  --max-seq-length 64 --train-batch-size 16 --learning-rate 5e-3 --num-train-epochs 12
 *          --optimizer adamw --schedule linear --weight-decay 0 (48 steps)
 *   SQuAD: --max-seq-length 64 --doc-stride 32 --max-query-length 12 --train-batch-size 32
 *          --learning-rate 5e-3 --warmup-proportion 0.05 --num-train-epochs 40 --optimizer adamw
 *          --schedule linear --weight-decay 0 --no-dropout (160 windows, 200 steps; with dropout
 *          this tiny model needs several times more steps to tell the questions of one
 *          paragraph apart)
 * The data subsets are written to a temporary folder at test time (nothing is copied into the repo).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../core/backend';
import { loadPretrained } from '../../core/io';
import { nodeFolderSources } from '../../platform/node/byte-source';
import { createBertModel } from '../../core/model';
import { toDeviceBatch } from '../../core/model';
import type { HeadSpec, HostBatch, WeightMap } from '../../core/model';
import { createFsCheckpointStore } from '../../platform/node/checkpoint-store';
import { loadLatestCheckpoint } from '../../core/train';
import { parseSquadGold } from '../../core/eval';
import { evaluateSquadV1 } from '../../core/eval';
import { readShared, sharedPath } from '../../testing/shared';
import { run as train, train as trainWithStop } from './train';
import { run as predict } from './predict';

const tmp = mkdtempSync(join(tmpdir(), 'tabtune-train-'));
const MODEL = sharedPath('fixtures/model/tiny-uncased');
const VOCAB = sharedPath('fixtures/vocab/bert-base-uncased.txt');

beforeAll(async () => {
  await initBackend('wasm');
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Runs a command in-process, capturing stdout and handing stderr lines to `onStderr`. */
async function cli(cmd: (argv: string[]) => Promise<number>, argv: string[], onStderr?: (line: string) => void): Promise<{ code: number; stdout: string }> {
  let stdout = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
    stdout += typeof s === 'string' ? s : new TextDecoder().decode(s);
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => {
    onStderr?.(typeof s === 'string' ? s : new TextDecoder().decode(s));
    return true;
  });
  try {
    return { code: await cmd(argv), stdout };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

/** The exported folder and the final checkpoint give identical logits on `batch`. */
async function expectReloadIdentical(outDir: string, head: HeadSpec, batch: HostBatch): Promise<void> {
  const exported = await loadPretrained(nodeFolderSources(outDir));
  const latest = await loadLatestCheckpoint(createFsCheckpointStore(join(outDir, 'checkpoints')));
  expect(latest).toBeDefined();
  const fromCkpt: WeightMap = latest!.checkpoint.weights;
  for (const [name, w] of exported.weights) {
    const c = fromCkpt.get(name);
    expect(c, name).toBeDefined();
    expect(Buffer.from(w.data.buffer, w.data.byteOffset, w.data.byteLength).equals(Buffer.from(c!.data.buffer, c!.data.byteOffset, c!.data.byteLength)), name).toBe(true);
  }
  const a = createBertModel(exported.config, exported.weights, head);
  const b = createBertModel(exported.config, fromCkpt, head);
  const logits = (m: typeof a) =>
    tf.tidy(() => {
      const o = m.forward(toDeviceBatch(batch), { training: false });
      return (head.kind === 'span' ? tf.concat([o.startLogits!, o.endLogits!], 1) : o.logits!).dataSync();
    });
  const la = logits(a);
  const lb = logits(b);
  expect(la.length).toBeGreaterThan(0);
  expect(Array.from(la)).toEqual(Array.from(lb));
  a.dispose();
  b.dispose();
}

describe('tabtune train / predict', () => {
  it('fits the first 64 MRPC train pairs (accuracy >= 0.95) and exports a folder that reloads identically', async () => {
    const lines = readShared('datasets/glue/MRPC/train.tsv').split(/\r?\n/);
    const first64 = join(tmp, 'train.tsv'); // header + the first 64 pairs
    writeFileSync(first64, lines.slice(0, 65).join('\n') + '\n');
    const out = join(tmp, 'mrpc');
    const flags = ['--max-seq-length', '64', '--train-batch-size', '16', '--learning-rate', '5e-3', '--num-train-epochs', '12', '--optimizer', 'adamw', '--schedule', 'linear', '--weight-decay', '0'];
    const r = await cli(train, ['--model', MODEL, '--vocab', VOCAB, '--task', 'mrpc', '--train', sharedPath('datasets/glue/MRPC/train.tsv'), '--max-train-examples', '64', '--dev', first64, '--out', out, ...flags]);
    expect(r.code).toBe(0);

    const metrics = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8'));
    expect(metrics.train).toHaveLength(48);
    metrics.train.forEach((p: { step: number; loss: number; learning_rate: number }, i: number) => {
      expect(p.step).toBe(i + 1);
      expect(Number.isFinite(p.loss)).toBe(true);
      expect(p.learning_rate).toBeGreaterThanOrEqual(0);
    });
    expect(metrics.eval.map((e: { step: number }) => e.step)).toEqual(Array.from({ length: 12 }, (_, i) => 4 * (i + 1)));
    expect(metrics.final.global_step).toBe(48);
    expect(metrics.final.accuracy).toBe(metrics.eval[11].metrics.accuracy);
    expect(JSON.parse(r.stdout)).toEqual(metrics.final);

    // predict on the same 64 pairs with the exported folder (vocab.txt is now inside it).
    const preds = join(tmp, 'mrpc-predictions.tsv');
    const p = await cli(predict, ['--model', out, '--task', 'mrpc', '--data', first64, '--out', preds, '--max-seq-length', '64']);
    expect(p.code).toBe(0);
    const rows = readFileSync(preds, 'utf8').trim().split('\n');
    expect(rows[0]).toBe('index\tprediction');
    expect(rows).toHaveLength(65);
    const gold = lines.slice(1, 65).map((l) => l.split('\t')[0]);
    const predicted = rows.slice(1).map((l, i) => {
      const [idx, label] = l.split('\t');
      expect(Number(idx)).toBe(i);
      return label;
    });
    const accuracy = predicted.filter((v, i) => v === gold[i]).length / 64;
    expect(accuracy).toBeGreaterThanOrEqual(0.95);
    expect(JSON.parse(p.stdout).accuracy).toBe(accuracy);

    const batch: HostBatch = {
      batchSize: 2,
      seqLength: 8,
      inputIds: Int32Array.from([101, 2023, 2003, 1037, 3231, 102, 0, 0, 101, 7592, 2088, 102, 2129, 2024, 2017, 102]),
      tokenTypeIds: Int32Array.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1]),
      attentionMask: Int32Array.from([1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1]),
    };
    await expectReloadIdentical(out, { kind: 'classification', numLabels: 2, labels: ['0', '1'] }, batch);
  });

  it('fits 32 SQuAD questions (exact match >= 80) and predicts them from the exported folder', async () => {
    const input = JSON.parse(readShared('fixtures/squad/xquad.en/input-train.json')) as { data: Array<{ paragraphs: Array<{ qas: unknown[] }> }> };
    // The first 32 questions, whole paragraphs kept in order.
    let left = 32;
    const data = input.data
      .map((a) => ({ ...a, paragraphs: a.paragraphs.map((p) => { const qas = p.qas.slice(0, Math.max(0, left)); left -= qas.length; return { ...p, qas }; }).filter((p) => p.qas.length > 0) }))
      .filter((a) => a.paragraphs.length > 0);
    const first32 = join(tmp, 'squad32.json');
    writeFileSync(first32, JSON.stringify({ ...input, data }));
    const out = join(tmp, 'squad');
    const flags = ['--max-seq-length', '64', '--doc-stride', '32', '--max-query-length', '12', '--train-batch-size', '32', '--learning-rate', '5e-3', '--warmup-proportion', '0.05', '--num-train-epochs', '40', '--optimizer', 'adamw', '--schedule', 'linear', '--weight-decay', '0', '--no-dropout', '--eval-batch-size', '64'];
    const r = await cli(train, ['--model', MODEL, '--vocab', VOCAB, '--task', 'squad', '--train', first32, '--dev', first32, '--out', out, ...flags]);
    expect(r.code).toBe(0);
    const metrics = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8'));
    expect(metrics.eval).toHaveLength(40);
    expect(metrics.train).toHaveLength(200);
    expect(metrics.final.exact_match).toBeGreaterThanOrEqual(80);

    const preds = join(tmp, 'squad-out', 'predictions.json');
    const p = await cli(predict, ['--model', out, '--task', 'squad', '--data', first32, '--out', preds, '--max-seq-length', '64', '--doc-stride', '32', '--max-query-length', '12']);
    expect(p.code).toBe(0);
    const predictions = JSON.parse(readFileSync(preds, 'utf8')) as Record<string, string>;
    const gold = parseSquadGold(readFileSync(first32, 'utf8'), 'squad32.json');
    expect(gold.questions).toHaveLength(32);
    expect(Object.keys(predictions).sort()).toEqual(gold.questions.map((q) => q.id).sort());
    const official = evaluateSquadV1(gold.questions, predictions);
    expect(official.exact_match).toBeGreaterThanOrEqual(80);
    expect(JSON.parse(p.stdout)).toEqual(official);
    expect(official.exact_match).toBeCloseTo(metrics.final.exact_match, 9);
    expect(JSON.parse(readFileSync(join(tmp, 'squad-out', 'nbest_predictions.json'), 'utf8'))).toHaveProperty(gold.questions[0].id);

    const batch: HostBatch = {
      batchSize: 1,
      seqLength: 10,
      inputIds: Int32Array.from([101, 2040, 2001, 2009, 102, 2009, 2001, 2198, 1012, 102]),
      tokenTypeIds: Int32Array.from([0, 0, 0, 0, 0, 1, 1, 1, 1, 1]),
      attentionMask: Int32Array.from([1, 1, 1, 1, 1, 1, 1, 1, 1, 1]),
    };
    await expectReloadIdentical(out, { kind: 'span' }, batch);
  });

  it('--resume continues an interrupted run to the same model as an uninterrupted one', async () => {
    const base = ['--model', MODEL, '--vocab', VOCAB, '--task', 'mrpc', '--train', sharedPath('datasets/glue/MRPC/train.tsv'), '--max-train-examples', '16', '--max-seq-length', '32', '--train-batch-size', '4', '--num-train-epochs', '2', '--learning-rate', '2e-3', '--save-checkpoints-steps', '2'];
    const straight = join(tmp, 'straight');
    expect((await cli(train, [...base, '--out', straight])).code).toBe(0);

    const resumed = join(tmp, 'resumed');
    const stop = new AbortController();
    const first = await cli((argv) => trainWithStop(argv, stop.signal), [...base, '--out', resumed], (line) => {
      if (line.startsWith('step 3/8')) stop.abort(); // stops before step 4, saving a checkpoint
    });
    expect(first.code).toBe(130);
    expect(JSON.parse(first.stdout).global_step).toBe(3);
    expect((await cli(train, [...base, '--out', resumed, '--resume'])).code).toBe(0);

    const a = JSON.parse(readFileSync(join(straight, 'metrics.json'), 'utf8'));
    const b = JSON.parse(readFileSync(join(resumed, 'metrics.json'), 'utf8'));
    expect(b.train).toEqual(a.train);
    expect(b.final).toEqual(a.final);
    expect(readFileSync(join(resumed, 'model.safetensors')).equals(readFileSync(join(straight, 'model.safetensors')))).toBe(true);
  });

  it('takes a Google checkpoint folder as --model (tanh gelu kept on export) and predicts with the result', async () => {
    // tiny-odd has a 128-token vocabulary: one is generated here, with sentences over its words.
    const words = Array.from({ length: 123 }, (_, i) => `w${i}`);
    const vocab = join(tmp, 'odd-vocab.txt');
    writeFileSync(vocab, ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', ...words].join('\n') + '\n');
    const rows = Array.from({ length: 12 }, (_, i) => `${i % 2}\t${words[i]} ${words[i + 1]} ${words[(i * 7) % 123]}\t${words[i + 2]} ${words[100 - i]}`);
    const data = join(tmp, 'odd.tsv');
    writeFileSync(data, ['label\ta\tb', ...rows].join('\n') + '\n');
    const out = join(tmp, 'odd-out');
    const r = await cli(train, ['--model', sharedPath('fixtures/model/tiny-odd/google'), '--vocab', vocab, '--task', 'tsv', '--text-a', 'a', '--text-b', 'b', '--label', 'label', '--train', data, '--dev', data, '--out', out, '--train-batch-size', '4', '--num-train-epochs', '1', '--learning-rate', '1e-3']);
    expect(r.code).toBe(0);
    // 12 rows in batches of 4: 3 steps. (The default max-seq-length 128 is capped at the model's 40 positions.)
    expect(JSON.parse(r.stdout).global_step).toBe(3);
    const cfg = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'));
    expect(cfg.hidden_act).not.toBe('gelu'); // Google's "gelu" is the tanh form, not Hugging Face's erf "gelu"
    expect(cfg.id2label).toEqual({ 0: '0', 1: '1' });
    const reloaded = await loadPretrained(nodeFolderSources(out));
    expect(reloaded.config.hiddenAct).toBe('gelu_tanh');
    expect(reloaded.weights.get('classifier.weight')!.shape).toEqual([2, 24]);

    const preds = join(tmp, 'odd-predictions.tsv');
    const p = await cli(predict, ['--model', out, '--task', 'tsv', '--text-a', 'a', '--text-b', 'b', '--label', 'label', '--data', data, '--out', preds]);
    expect(p.code).toBe(0);
    const lines = readFileSync(preds, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(13);
    expect(lines.slice(1).every((l, i) => /^\d+\t[01]$/.test(l) && l.startsWith(`${i}\t`))).toBe(true);
    expect(Object.keys(JSON.parse(p.stdout))).toEqual(['accuracy']);
  });
});
