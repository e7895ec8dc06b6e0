/**
 * The exported folder run by transformers.js itself (@huggingface/transformers, Node, remote
 * models off, local folder on disk; onnxruntime-node is served by onnxruntime-web's WASM through
 * scripts/onnxruntime-node-wasm, see package.json's overrides):
 *  - text-classification: tiny-uncased fine-tuned here on the first 96 SST-2 training sentences
 *    (60 steps), its labels named negative / positive, gives the same label and score (within
 *    1e-5) as Tabtune's classification demo on a dozen of them (six of each label).
 * (question-answering: fine-tuned-squad.test.ts.)
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../backend/init';
import { collateClassifier } from '../../data/batch';
import { convertExample } from '../../data/classifier-features';
import { sourceFromFile } from '../../../platform/node/data-source';
import { createBertModel } from '../../model/bert-model';
import type { BertModel, HeadSpec, WeightMap } from '../../model/types';
import { loadFixture } from '../../../testing/fixture-case';
import { createTokenizer } from '../../tokenizer';
import { parseVocab } from '../../tokenizer/vocab';
import { resolveTrainingConfig } from '../../train/run-config';
import { runTraining } from '../../train/loop';
import { createTaskAdapter } from '../../train/task';
import { inferBatches } from '../../train/task-infer';
import { readShared, sharedPath } from '../../../testing/shared';
import { exportOnnxFolder } from './transformers-js-folder';

const tmp = mkdtempSync(join(tmpdir(), 'tabtune-transformers-js-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const vocabText = readShared('fixtures', 'vocab', 'bert-base-uncased.txt');
const tokenizer = createTokenizer(parseVocab(vocabText), { doLowerCase: true });
const fixture = loadFixture('tiny-uncased');

beforeAll(async () => {
  expect((await initBackend('wasm')).name).toBe('wasm');
});

function writeFolder(name: string, head: HeadSpec, weights: WeightMap): void {
  for (const f of exportOnnxFolder({ config: fixture.config, head, weights, vocabText, doLowerCase: true })) {
    const path = join(tmp, name, f.path);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, f.bytes);
  }
}

async function transformersJs() {
  const t = await import('@huggingface/transformers');
  t.env.allowRemoteModels = false;
  t.env.allowLocalModels = true;
  t.env.localModelPath = `${tmp}/`;
  return t;
}

/** Tabtune's classification demo: one converted example, the arg-max label and its softmax probability. */
async function tabtuneLabel(model: BertModel, labels: string[], text: string): Promise<{ label: string; probability: number }> {
  const feature = convertExample({ guid: 'input', textA: text }, tokenizer, { maxSeqLength: 64, labels: null });
  let logits: Float32Array | undefined;
  await inferBatches(model, 1, () => collateClassifier([{ ...feature, label_id: 0 }], false), (out) => (logits = out.logits));
  const l = Array.from(logits!);
  const max = Math.max(...l);
  const sum = l.reduce((a, v) => a + Math.exp(v - max), 0);
  return { label: labels[l.indexOf(max)], probability: 1 / sum };
}

describe('transformers.js pipelines on the exported folder', () => {
  it('text-classification: a tiny model fine-tuned on SST-2 gives the same label and score as Tabtune\'s classification demo on a dozen sentences', async () => {
    const config = resolveTrainingConfig('sst-2', {
      maxSeqLength: 64, trainBatchSize: 16, learningRate: 3e-3, numTrainEpochs: 10, maxTrainExamples: 96,
      optimizer: 'adamw', schedule: 'linear', weightDecay: 0, saveCheckpointsSteps: 0, dropout: false, seed: 3,
    });
    const adapter = await createTaskAdapter({ tokenizer, config, train: sourceFromFile(sharedPath('datasets', 'glue', 'SST-2', 'train.tsv')) });
    const labels = adapter.labels.map((l) => (l === '0' ? 'negative' : l === '1' ? 'positive' : l));
    const head: HeadSpec = { kind: 'classification', numLabels: labels.length, labels };
    const model = createBertModel(fixture.config, fixture.weights, adapter.head, { seed: 3 });
    try {
      expect((await runTraining({ model, config, train: adapter.train! }, {})).status).toBe('completed');
      writeFolder('clf', head, await model.exportWeights());
      const t = await transformersJs();
      const clf = await t.pipeline('text-classification', 'clf', { dtype: 'fp32' });
      // A dozen of the sentences it was tuned on (six of each label), which it has learned to tell apart.
      const rows = readShared('datasets', 'glue', 'SST-2', 'train.tsv').split('\n').slice(1, 97).map((l) => l.split('\t'));
      const dozen = [...rows.filter((r) => r[1] === '0').slice(0, 6), ...rows.filter((r) => r[1] === '1').slice(0, 6)].map((r) => r[0]);
      expect(dozen.length).toBe(12);
      const seen = new Set<string>();
      for (const s of dozen) {
        const ours = await tabtuneLabel(model, labels, s);
        const theirs = (await clf(s)) as Array<{ label: string; score: number }>;
        expect(theirs[0].label, s).toBe(ours.label);
        expect(Math.abs(theirs[0].score - ours.probability), s).toBeLessThanOrEqual(1e-5);
        seen.add(ours.label);
      }
      expect(seen.size, 'both labels occur among the dozen').toBe(2);
      await clf.dispose();
    } finally {
      model.dispose();
    }
  }, 300_000);
});
