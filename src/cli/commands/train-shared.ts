/**
 * What `tabtune train` and `tabtune predict` share (Node only): the backend, reading a model
 * folder with its tokenizer, exporting the fine-tuned folder, writing predictions files.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UsageError } from '../args';
import { TabtuneError } from '../../core/errors';
import { initBackend, type BackendName } from '../../core/backend';
import { loadPretrained, type PretrainedModel } from '../../core/io';
import { nodeFolderSources } from '../../platform/node/byte-source';
import { exportHfFolder } from '../../core/io';
import { tokenizerFromBytes } from '../../core/tokenizer';
import type { Tokenizer, TokenizerOptions } from '../../core/tokenizer';
import type { BertModel, HeadSpec } from '../../core/model';
import type { EvalOutcome, TaskPredictions } from '../../core/train';

/** Flags `train` and `predict` share besides the training settings (those come from core's settings table). */
export const MODEL_TASK_FLAGS = {
  model: { type: 'string' },
  task: { type: 'string' },
  out: { type: 'string' },
  vocab: { type: 'string' },
  'text-a': { type: 'string' },
  'text-b': { type: 'string' },
  label: { type: 'string' },
  backend: { type: 'string' },
  overwrite: { type: 'boolean' },
} as const;

export function parseBackend(v: string | undefined): BackendName | undefined {
  if (v === undefined) return undefined;
  if (v !== 'wasm' && v !== 'cpu' && v !== 'webgpu' && v !== 'webgl') throw new UsageError(`--backend must be wasm or cpu in Node; got '${v}'`);
  return v;
}

export async function setUpBackend(preferred: BackendName | undefined): Promise<string> {
  const info = await initBackend(preferred);
  const why = info.fallbacks.map((f) => `${f.name}: ${f.reason}`).join('; ');
  return why ? `${info.name} (${why})` : info.name;
}

export interface LoadedModelFolder extends PretrainedModel {
  tokenizer: Tokenizer;
  folder: string;
  vocabFile: string;
}

/** Reads a model folder's weights and config, and its tokenizer (or `vocab`). */
export async function loadModelFolder(
  folder: string,
  vocab: string | undefined,
  doLowerCase: boolean | undefined,
  onProgress?: (done: number, total: number) => void,
): Promise<LoadedModelFolder> {
  if (!existsSync(folder)) throw new TabtuneError('no such model folder', { file: folder, expected: 'a Hugging Face folder (config.json + weights) or a Google checkpoint folder', code: 'model-files' });
  const pretrained = await loadPretrained(nodeFolderSources(folder), { onProgress: onProgress ? (d, t) => onProgress(d, t) : undefined });
  const options: TokenizerOptions = {};
  if (doLowerCase !== undefined) options.doLowerCase = doLowerCase;
  else if (pretrained.doLowerCase !== undefined) options.doLowerCase = pretrained.doLowerCase;
  let vocabFile: string;
  let bytes: Uint8Array;
  if (vocab) {
    vocabFile = vocab;
    try {
      bytes = new Uint8Array(readFileSync(vocab));
    } catch (e) {
      throw new TabtuneError(`cannot read the vocabulary (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { file: vocab, expected: 'a readable vocab.txt or tokenizer.json', code: 'vocab-read' });
    }
  } else if (pretrained.vocabText !== undefined) {
    vocabFile = join(folder, 'vocab.txt');
    bytes = new TextEncoder().encode(pretrained.vocabText);
  } else if (pretrained.tokenizerJson !== undefined) {
    vocabFile = join(folder, 'tokenizer.json');
    bytes = new TextEncoder().encode(JSON.stringify(pretrained.tokenizerJson));
  } else {
    throw new TabtuneError('the model folder has no vocabulary', { file: folder, expected: 'vocab.txt or tokenizer.json in the folder, or --vocab FILE', code: 'vocab-missing' });
  }
  const tokenizer = tokenizerFromBytes(bytes, vocabFile, options);
  if (tokenizer.vocab.size !== pretrained.config.vocabSize) {
    throw new TabtuneError(`the vocabulary has ${tokenizer.vocab.size} tokens, the model ${pretrained.config.vocabSize}`, { file: vocabFile, expected: `the model's vocabulary (vocab_size ${pretrained.config.vocabSize})`, code: 'vocab-size' });
  }
  return { ...pretrained, tokenizer, folder, vocabFile };
}

/** Writes the fine-tuned model to `outDir` as a Hugging Face folder. */
export async function exportModelFolder(
  outDir: string,
  model: BertModel,
  loaded: Pick<LoadedModelFolder, 'config' | 'rawConfig' | 'tokenizer'>,
  head: HeadSpec,
): Promise<string[]> {
  const files = exportHfFolder({
    config: loaded.config,
    rawConfig: loaded.rawConfig,
    weights: await model.exportWeights(),
    head,
    vocabText: loaded.tokenizer.vocab.idToToken.join('\n') + '\n',
    doLowerCase: loaded.tokenizer.doLowerCase,
  });
  await mkdir(outDir, { recursive: true });
  for (const [name, bytes] of files) await writeFile(join(outDir, name), bytes);
  return [...files.keys()];
}

/** GLUE's submission format: a header, then index<TAB>prediction per example. */
export function predictionsTsv(p: Extract<TaskPredictions, { kind: 'classification' | 'regression' }>): string {
  const lines = ['index\tprediction'];
  p.predicted.forEach((v, i) => lines.push(`${i}\t${v}`));
  return lines.join('\n') + '\n';
}

/** The last evaluation's predictions beside the model: predictions.json (+ nbest, null odds) or dev_predictions.tsv. */
export async function writeEvalOutputs(outDir: string, outcome: EvalOutcome): Promise<void> {
  await mkdir(outDir, { recursive: true });
  const p = outcome.predictions;
  if (p.kind === 'span') {
    await writeFile(join(outDir, 'predictions.json'), JSON.stringify(p.predictions, null, 4) + '\n');
    await writeFile(join(outDir, 'nbest_predictions.json'), JSON.stringify(p.nbest, null, 4) + '\n');
    if (p.nullOdds) await writeFile(join(outDir, 'null_odds.json'), JSON.stringify(p.nullOdds, null, 4) + '\n');
  } else if (p.kind === 'masked-lm') {
    await writeFile(join(outDir, 'eval_results.json'), JSON.stringify({ ...p.metrics, predicted_positions: p.predicted }, null, 2) + '\n');
  } else {
    await writeFile(join(outDir, `dev_predictions.tsv`), predictionsTsv(p));
  }
}
