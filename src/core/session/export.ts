/**
 * The fine-tuned model as a Hugging Face folder (core/io/export-hf.ts: config.json,
 * model.safetensors, vocab.txt, tokenizer_config.json) plus metrics.json and the dev predictions, as separate files and
 * as one zip; ArrayBuffers, transferred to the page.
 */
import { exportHfFolder, zipFolder } from '../io/export-hf';
import type { BertConfig } from '../model/config';
import type { BertModel } from '../model/types';
import type { Tokenizer } from '../tokenizer/types';
import type { TrainingConfig } from '../train/run-config';
import type { EvalResult, StepMetrics } from '../train/types';
import type { ExportedFile } from './events';
import { mergedWeights, peftAdapterFiles, type LoraExportMode } from './adapted-model';

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
