/**
 * The session's export in the two formats beside the Hugging Face folder, after a real run
 * (tiny-uncased fixture folder, real MRPC rows, WASM backend in Node):
 * - 'onnx': one zip holding transformers.js's folder; its onnx/model.onnx, loaded back with
 *   onnxruntime-web (WASM), gives the fine-tuned model's logits within 1e-4, and config.json's
 *   id2label names the run's labels;
 * - 'torch-job': one zip holding the torchrun job; model/ holds the weights the run STARTED from
 *   (pre-trained + the head initialised with the run's seed), not the fine-tuned ones; the
 *   features, settings.json (the run's counts), train.py, README.md and the dev file are there.
 */
import * as ort from 'onnxruntime-web';
import * as tf from '@tensorflow/tfjs-core';
import { unzipSync } from 'fflate';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend/init';
import { bytesSource, readSafetensors } from '../io/safetensors';
import { createMemoryRunStorage } from '../io/run-storage';
import type { TorchJobSettings } from '../io/torch-job';
import { toDeviceBatch } from '../model/batch';
import { createBertModel } from '../model/bert-model';
import { loadFixture } from '../../testing/fixture-case';
import { readShared, readSharedBytes } from '../../testing/shared';
import { createSession, type Session } from './session';
import type { SessionEvent, SessionEventOf } from './events';
import type { SessionFile } from './files';

ort.env.wasm.numThreads = 1;

const enc = new TextEncoder();
const dec = new TextDecoder();
const mrpcRows = (file: 'train.tsv' | 'dev.tsv', rows: number) => readShared('datasets', 'glue', 'MRPC', file).split('\n').slice(0, rows + 1).join('\n') + '\n';

function files(): SessionFile[] {
  const f = (path: string, bytes: Uint8Array): SessionFile => ({ path, source: bytesSource(bytes, path) });
  return [
    f('tiny-uncased/config.json', readSharedBytes('fixtures', 'model', 'tiny-uncased', 'config.json')),
    f('tiny-uncased/model.safetensors', readSharedBytes('fixtures', 'model', 'tiny-uncased', 'model.safetensors')),
    f('tiny-uncased/vocab.txt', readSharedBytes('fixtures', 'vocab', 'bert-base-uncased.txt')),
    f('MRPC/train.tsv', enc.encode(mrpcRows('train.tsv', 16))),
    f('MRPC/dev.tsv', enc.encode(mrpcRows('dev.tsv', 8))),
  ];
}

let session: Session;
const events: SessionEvent[] = [];
const exported = (requestId: number) => events.find((e): e is SessionEventOf<'exported'> => e.type === 'exported' && e.requestId === requestId)!;

/** The zip's entries under its one top folder, by path inside the folder. */
function unzipFolder(data: ArrayBuffer, folder: string): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  for (const [path, bytes] of Object.entries(unzipSync(new Uint8Array(data)))) {
    expect(path.startsWith(`${folder}/`)).toBe(true);
    out.set(path.slice(folder.length + 1), bytes);
  }
  return out;
}

beforeAll(async () => {
  await initBackend('wasm');
  session = createSession({ emit: (e) => events.push(e), storage: createMemoryRunStorage(), preferredBackend: 'wasm' });
  await session.addFiles(files());
  await session.configure({ edits: { trainBatchSize: 8, numTrainEpochs: 1, maxSeqLength: 32, learningRate: 1e-3, seed: 7 } });
  await session.start({ runId: 'export', runName: 'export' });
  await session.idle();
  expect(events.filter((e) => e.type === 'error')).toEqual([]);
  expect(session.lastRun()?.status).toBe('completed');
}, 120_000);

describe('session export: ONNX for transformers.js', () => {
  it('is one zip of the transformers.js folder whose model.onnx reproduces the fine-tuned logits in onnxruntime-web', async () => {
    await session.export(1, { format: 'onnx' });
    const ev = exported(1);
    expect(ev.error).toBeUndefined();
    expect(ev.format).toBe('onnx');
    expect(ev.files).toEqual([]);
    expect(ev.zip!.name).toBe('tabtune-mrpc-onnx.zip');
    const folder = unzipFolder(ev.zip!.data, 'tabtune-mrpc-onnx');
    expect([...folder.keys()].sort()).toEqual(['config.json', 'onnx/model.onnx', 'onnx/model_quantized.onnx', 'tokenizer.json', 'tokenizer_config.json', 'vocab.txt']);
    const config = JSON.parse(dec.decode(folder.get('config.json'))) as Record<string, unknown>;
    expect(config.architectures).toEqual(['BertForSequenceClassification']);
    expect(config.id2label).toEqual({ 0: '0', 1: '1' });

    const l = session.lastRun()!;
    const tok = l.tokenizer!;
    const a = tok.encode('the cat sat on the mat').ids;
    const b = tok.encode('a dog slept on the rug').ids;
    const inputIds = Int32Array.from([tok.clsId, ...a, tok.sepId, ...b, tok.sepId]);
    const seq = inputIds.length;
    const tokenTypeIds = Int32Array.from(inputIds, (_, i) => (i < a.length + 2 ? 0 : 1));
    const host = { batchSize: 1, seqLength: seq, inputIds, attentionMask: new Int32Array(seq).fill(1), tokenTypeIds };
    const expected = tf.tidy(() => l.model!.forward(toDeviceBatch(host), { training: false }).logits!.dataSync() as Float32Array);

    const sessionOnnx = await ort.InferenceSession.create(folder.get('onnx/model.onnx')!, { executionProviders: ['wasm'] });
    const t = (a: Int32Array) => new ort.Tensor('int64', BigInt64Array.from(a, (v) => BigInt(v)), [1, seq]);
    const out = await sessionOnnx.run({ input_ids: t(host.inputIds), attention_mask: t(host.attentionMask), token_type_ids: t(host.tokenTypeIds) });
    const got = out.logits.data as Float32Array;
    expect(got.length).toBe(2);
    for (let i = 0; i < 2; i++) expect(Math.abs(got[i] - expected[i])).toBeLessThan(1e-4);
  }, 120_000);
});

describe('session export: a torchrun job ("Continue on a cluster")', () => {
  it("is one zip of the job folder, whose model/ holds the run's starting weights and settings.json its counts", async () => {
    await session.export(2, { format: 'torch-job' });
    const ev = exported(2);
    expect(ev.error).toBeUndefined();
    expect(ev.format).toBe('torch-job');
    expect(ev.zip!.name).toBe('tabtune-mrpc-torch-job.zip');
    const folder = unzipFolder(ev.zip!.data, 'tabtune-mrpc-torch-job');
    expect([...folder.keys()].sort()).toEqual([
      'README.md', 'data/dev.tsv', 'features/train-00001-of-00001.safetensors',
      'model/config.json', 'model/model.safetensors', 'model/tokenizer_config.json', 'model/vocab.txt', 'settings.json', 'train.py',
    ]);
    // The dev file byte for byte (its byte-order mark included).
    expect(folder.get('data/dev.tsv')).toEqual(enc.encode(mrpcRows('dev.tsv', 8)));
    const settings = JSON.parse(dec.decode(folder.get('settings.json'))) as TorchJobSettings;
    const run = events.find((e): e is SessionEventOf<'runStarted'> => e.type === 'runStarted')!.run;
    expect(settings.data).toMatchObject({ num_train_examples: 16, num_train_features: run.numTrainFeatures });
    expect(settings.optimizer.num_train_steps).toBe(run.totalSteps);
    expect(settings.run).toMatchObject({ seed: 7, train_batch_size: 8, max_seq_length: 32 });
    expect(dec.decode(folder.get('train.py'))).toMatch(/DistributedDataParallel/);

    // The starting weights: the fixture's encoder plus the classifier initialised with seed 7.
    const weights = readSafetensors(folder.get('model/model.safetensors')!).tensors;
    // (model.safetensors alone: the fixture's heads.safetensors is not part of the dropped folder)
    const f = loadFixture('tiny-uncased');
    const pretrained = readSafetensors(readSharedBytes('fixtures', 'model', 'tiny-uncased', 'model.safetensors')).tensors;
    const fresh = createBertModel(f.config, pretrained, { kind: 'classification', numLabels: 2, labels: ['0', '1'] }, { seed: 7 });
    const start = await fresh.exportWeights();
    fresh.dispose();
    const tuned = await session.lastRun()!.model!.exportWeights();
    for (const name of ['classifier.weight', 'bert.encoder.layer.0.attention.self.query.weight']) {
      const key = [...weights.keys()].find((k) => k === name || k.endsWith(name.replace(/^bert\./, '')))!;
      expect(key).toBeDefined();
      const startKey = [...start.keys()].find((k) => k === key || k.endsWith(name.replace(/^bert\./, '')))!;
      expect(Array.from(weights.get(key)!.data)).toEqual(Array.from(start.get(startKey)!.data));
      expect(Array.from(weights.get(key)!.data)).not.toEqual(Array.from(tuned.get(startKey)!.data));
    }
  }, 120_000);
});
