/**
 * `tabtune export --format onnx` end to end: spawns the CLI on a fine-tuned folder (tiny-uncased
 * with the fixture's classifier head, written as tabtune train writes its output) and loads the
 * folder it writes with onnxruntime-web: the float32 logits equal the PyTorch golden outputs;
 * config.json keeps the label names. Bad input: a folder without a fine-tuned head, an unknown
 * format.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-web';
import { afterAll, expect, it } from 'vitest';
import { exportHfFolder } from '../../core/io';
import { loadFixture, OUTPUT_TOL } from '../../testing/fixture-case';
import { readShared, REPO_ROOT, sharedPath } from '../../testing/shared';

ort.env.wasm.numThreads = 1;
const tmp = mkdtempSync(join(tmpdir(), 'tabtune-export-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function tabtune(args: string[]) {
  return spawnSync(process.execPath, [join(REPO_ROOT, 'bin/tabtune.mjs'), 'export', ...args], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 180_000 });
}

it('writes the transformers.js folder; onnxruntime-web reproduces the golden logits', async () => {
  const f = loadFixture('tiny-uncased');
  const model = join(tmp, 'model');
  mkdirSync(model, { recursive: true });
  const files = exportHfFolder({ config: f.config, head: { kind: 'classification', numLabels: 2, labels: ['no', 'yes'] }, weights: f.weights, vocabText: readShared('fixtures', 'vocab', 'bert-base-uncased.txt'), doLowerCase: true });
  for (const [name, bytes] of files) writeFileSync(join(model, name), bytes);
  const out = join(tmp, 'web');
  const r = tabtune(['--model', model, '--format', 'onnx', '--out', out]);
  expect(r.status, r.stderr).toBe(0);
  expect(JSON.parse(r.stdout)).toMatchObject({ head: 'classification' });
  for (const p of ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'vocab.txt', 'onnx/model.onnx', 'onnx/model_quantized.onnx']) expect(existsSync(join(out, p)), p).toBe(true);
  expect(JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')).id2label).toEqual({ 0: 'no', 1: 'yes' });

  const session = await ort.InferenceSession.create(new Uint8Array(readFileSync(join(out, 'onnx/model.onnx'))));
  const { batchSize: B, seqLength: S } = f.host;
  const t = (a: Int32Array) => new ort.Tensor('int64', BigInt64Array.from(a, (v) => BigInt(v)), [B, S]);
  const res = await session.run({ input_ids: t(f.host.inputIds), attention_mask: t(f.host.attentionMask), token_type_ids: t(f.host.tokenTypeIds) });
  const got = res.logits.data as Float32Array;
  const want = f.golden.get('output/cls_logits')!.data;
  expect(got.length).toBe(want.length);
  got.forEach((v, i) => expect(Math.abs(v - want[i])).toBeLessThanOrEqual(OUTPUT_TOL));
  await session.release();
}, 240_000);

it('refuses a folder without a fine-tuned head, and an unknown format', () => {
  const noHead = tabtune(['--model', sharedPath('fixtures', 'model', 'tiny-uncased'), '--vocab', sharedPath('fixtures', 'vocab', 'bert-base-uncased.txt'), '--format', 'onnx', '--out', join(tmp, 'x')]);
  expect(noHead.status).toBe(1);
  expect(noHead.stderr).toMatch(/no fine-tuned head/);
  const badFormat = tabtune(['--model', join(tmp, 'model'), '--format', 'tflite', '--out', join(tmp, 'y')]);
  expect(badFormat.status).toBe(2);
  expect(badFormat.stderr).toMatch(/--format must be onnx/);
}, 120_000);
