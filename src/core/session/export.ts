/**
 * The session's downloads, as ArrayBuffers transferred to the page:
 *   'hf'        the fine-tuned model as a Hugging Face folder (core/io/export-hf.ts: config.json,
 *               model.safetensors, vocab.txt, tokenizer_config.json) plus metrics.json and the dev
 *               predictions, as separate files and as one zip (exportRun);
 *   'onnx'      the fine-tuned model as a folder transformers.js loads (core/io/onnx: config.json,
 *               tokenizer.json, onnx/model.onnx, onnx/model_quantized.onnx), one zip (exportOnnxRun);
 *   'torch-job' the same run as a job folder for torchrun (core/io/torch-job: the starting model,
 *               the converted features, settings.json, train.py, README.md), one zip (exportTorchJobRun).
 */
import { exportHfFolder, zipFolder } from '../io/export-hf';
import { exportOnnxFolder, type ExportFile } from '../io/onnx';
import { exportTorchJob } from '../io/torch-job';
import type { DataSource } from '../data/source';
import { createBertModel } from '../model/bert-model';
import type { BertConfig } from '../model/config';
import type { BertModel, HeadSpec } from '../model/types';
import type { Tokenizer } from '../tokenizer/types';
import type { TrainingConfig } from '../train/run-config';
import type { TrainSet } from '../train/task-types';
import type { EvalResult, StepMetrics } from '../train/types';
import type { ExportedFile } from './events';
import { mergedWeights, peftAdapterFiles, type LoraExportMode } from './adapted-model';
import type { LoadedModel } from './run';

export interface ExportInput {
  model: BertModel;
  tokenizer: Tokenizer;
  config: TrainingConfig;
  modelConfig: BertConfig;
  rawConfig?: Record<string, unknown>;
  steps: readonly StepMetrics[];
  evals: readonly EvalResult[];
  /** Zip folder name. */
  name?: string;
  /** More files for the folder, e.g. the dev predictions (predictions.ts). */
  extraFiles?: readonly ExportedFile[];
  /** A LoRA model: adapters merged into a plain folder (default), or peft's adapter files. */
  lora?: LoraExportMode;
}

/** metrics.json as the CLI writes it: {"train":[{step,loss,learning_rate}],"eval":[{step,epoch,metrics}],"final":{...}}. */
export function metricsJson(steps: readonly StepMetrics[], evals: readonly EvalResult[]): Record<string, unknown> {
  return {
    train: steps.map((s) => ({ step: s.step, loss: s.loss, learning_rate: s.learningRate })),
    eval: evals.map((e) => ({ step: e.step, epoch: e.epoch, metrics: e.metrics })),
    final: evals.length > 0 ? evals[evals.length - 1].metrics : {},
  };
}

function toBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer
    ? bytes.buffer
    : (bytes.slice().buffer as ArrayBuffer);
}

export async function exportRun(input: ExportInput): Promise<{ files: ExportedFile[]; zip: ExportedFile }> {
  const adapter = input.model.lora && input.lora === 'adapter';
  const folder = adapter ? await peftAdapterFiles(input.model, typeof input.rawConfig?._name_or_path === 'string' ? input.rawConfig._name_or_path : null) : exportHfFolder({
    config: input.modelConfig,
    rawConfig: input.rawConfig,
    head: input.model.head,
    weights: await mergedWeights(input.model),
    vocabText: input.tokenizer.vocab.idToToken.join('\n'),
    doLowerCase: input.tokenizer.doLowerCase,
  });
  if (adapter) {
    folder.set('vocab.txt', new TextEncoder().encode(input.tokenizer.vocab.idToToken.join('\n')));
    folder.set('tokenizer_config.json', new TextEncoder().encode(`${JSON.stringify({ do_lower_case: input.tokenizer.doLowerCase, tokenizer_class: 'BertTokenizer' }, null, 2)}\n`));
  }
  folder.set('metrics.json', new TextEncoder().encode(`${JSON.stringify(metricsJson(input.steps, input.evals), null, 2)}\n`));
  for (const f of input.extraFiles ?? []) folder.set(f.name, new Uint8Array(f.data));
  const name = (input.name ?? 'tabtune-model').replace(/[^\w.-]+/g, '-');
  const zip = zipFolder(folder, name);
  // The zip is built first: the files' buffers are transferred (detached) afterwards.
  return {
    files: [...folder].map(([n, bytes]) => ({ name: n, data: toBuffer(bytes) })),
    zip: { name: `${name}.zip`, data: toBuffer(zip) },
  };
}

/** A folder of {path, bytes} as one zip named `<name>.zip` whose entries sit under `<name>/`. */
function zipOf(files: readonly ExportFile[], rawName: string): ExportedFile {
  const name = rawName.replace(/[^\w.-]+/g, '-');
  return { name: `${name}.zip`, data: toBuffer(zipFolder(new Map(files.map((f) => [f.path, f.bytes])), name)) };
}

export interface OnnxRunInput {
  model: BertModel;
  tokenizer: Tokenizer;
  modelConfig: BertConfig;
  rawConfig?: Record<string, unknown>;
  name: string;
}

/** The fine-tuned model as transformers.js's folder (fp32 and int8 graphs), zipped. */
export async function exportOnnxRun(input: OnnxRunInput): Promise<{ files: ExportedFile[]; zip: ExportedFile }> {
  const weights = await input.model.exportWeights();
  const files = exportOnnxFolder({
    config: input.modelConfig,
    rawConfig: input.rawConfig,
    head: input.model.head,
    weights,
    vocabText: input.tokenizer.vocab.idToToken.join('\n'),
    doLowerCase: input.tokenizer.doLowerCase,
  });
  return { files: [], zip: zipOf(files, input.name) };
}

export interface TorchJobRunInput {
  /** Loads the run's starting weights again (the pre-trained files, or the demo's fresh ones). */
  loadModel(onProgress: (done: number, total: number) => void): Promise<LoadedModel>;
  head: HeadSpec;
  config: TrainingConfig;
  train: TrainSet;
  tokenizer: Tokenizer;
  /** The dev file as given (copied into the job's data/). */
  dev?: DataSource;
  name: string;
}

async function bytesOf(source: DataSource): Promise<Uint8Array> {
  const enc = new TextEncoder();
  const parts: Uint8Array[] = [];
  for await (const c of source.chunks()) parts.push(typeof c === 'string' ? enc.encode(c) : c);
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

/**
 * The run as a torchrun job: the model it started from (the pre-trained weights plus the head
 * initialised with the run's seed, exactly as the run began), its features and settings, zipped.
 * train.py runs the whole schedule, so the job is the same run at scale, not a continuation of
 * the optimizer state in the tab.
 */
export async function exportTorchJobRun(input: TorchJobRunInput): Promise<{ files: ExportedFile[]; zip: ExportedFile }> {
  const loaded = await input.loadModel(() => undefined);
  const start = createBertModel(loaded.config, loaded.weights, input.head, { seed: input.config.seed, source: loaded.source });
  loaded.weights.clear();
  let weights;
  try {
    weights = await start.exportWeights();
  } finally {
    start.dispose();
  }
  const files = exportTorchJob({
    model: { config: loaded.config, rawConfig: loaded.rawConfig, head: input.head, weights, vocabText: `${input.tokenizer.vocab.idToToken.join('\n')}\n`, doLowerCase: input.tokenizer.doLowerCase },
    training: input.config,
    train: input.train,
    dev: input.dev ? { name: input.dev.name, bytes: await bytesOf(input.dev) } : undefined,
  });
  return { files: [], zip: zipOf(files, input.name) };
}
