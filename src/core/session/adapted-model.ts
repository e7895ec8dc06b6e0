/**
 * What a session does with a model after a masked-LM or LoRA run:
 *
 *   fillMaskPrediction(model, tokenizer, input)   the fill-mask demo: top k per [MASK] (eval/mlm.ts fillMask)
 *   exportWeights(model, lora)                    LoRA weights merged (W + (α/r)·B·A, a plain
 *                                                 Hugging Face folder) or the adapter apart (peft's
 *                                                 adapter_model.safetensors + adapter_config.json)
 *   adaptedModelFiles(model, tokenizer, ...)      "Fine-tune this model next": the encoder (LoRA
 *                                                 merged) without its head as a Hugging Face
 *                                                 BertModel folder (config.json, model.safetensors,
 *                                                 vocab.txt, tokenizer_config.json), in memory, for
 *                                                 the session to take as the next run's pre-trained model
 */
import { TabtuneError } from '../errors';
import { fillMask } from '../eval/mlm';
import { mergeLoraWeights, exportPeftAdapter } from '../io/export-lora';
import { hfConfigJson } from '../io/export-hf';
import { bytesSource, writeSafetensors } from '../io/safetensors';
import type { BertConfig } from '../model/config';
import type { BertModel, WeightMap } from '../model/types';
import type { Tokenizer } from '../tokenizer/types';
import type { PredictInput, PredictResult } from './events';
import type { SessionFile } from './files';

/** How a LoRA run is exported (ignored without LoRA). */
export type LoraExportMode = 'merged' | 'adapter';

export async function fillMaskPrediction(model: BertModel, tokenizer: Tokenizer, input: Extract<PredictInput, { kind: 'fill-mask' }>, maxSeqLength: number): Promise<PredictResult> {
  const r = await fillMask(model, tokenizer, input.text, { topK: input.topK ?? 5, maxSeqLength });
  return { kind: 'fill-mask', tokens: r.tokens, masks: r.masks };
}

/** The model's weights for an HF folder: LoRA adapters merged into their layers. */
export async function mergedWeights(model: BertModel): Promise<WeightMap> {
  const weights = await model.exportWeights();
  return model.lora ? mergeLoraWeights(weights, model.lora) : weights;
}

/** peft's adapter files of a LoRA model (adapter_model.safetensors with the head, adapter_config.json). */
export async function peftAdapterFiles(model: BertModel, baseModel: string | null): Promise<Map<string, Uint8Array>> {
  if (!model.lora) throw new TabtuneError('the model has no LoRA adapters', { location: 'export', expected: 'a run with trainable parameters = LoRA', code: 'export-lora' });
  return exportPeftAdapter(await model.exportWeights(), model.lora, model.head, model.config, baseModel);
}

/** Folder prefix of an adapted model's files in a session. */
export const ADAPTED_PREFIX = 'adapted-model';

/**
 * The encoder of `model` (bert.*: embeddings, layers, pooler; LoRA merged) as an in-memory
 * Hugging Face BertModel folder under `${ADAPTED_PREFIX}-${runId}/`. The head (cls.predictions,
 * classifier, qa_outputs) is dropped: the next task starts its own.
 */
export async function adaptedModelFiles(model: BertModel, tokenizer: Tokenizer, modelConfig: BertConfig, rawConfig: Record<string, unknown> | undefined, runId: string): Promise<SessionFile[]> {
  const weights = await mergedWeights(model);
  const encoder = new Map([...weights].filter(([name]) => name.startsWith('bert.')));
  const config = hfConfigJson({ config: modelConfig, rawConfig, head: model.head });
  config.architectures = ['BertModel'];
  for (const k of ['id2label', 'label2id', 'num_labels', 'problem_type']) delete config[k];
  const dir = `${ADAPTED_PREFIX}-${runId.replace(/[^\w.-]+/g, '-')}`;
  const enc = new TextEncoder();
  const file = (name: string, bytes: Uint8Array): SessionFile => ({ path: `${dir}/${name}`, source: bytesSource(bytes, name) });
  return [
    file('config.json', enc.encode(`${JSON.stringify(config, null, 2)}\n`)),
    file('model.safetensors', writeSafetensors(encoder, { format: 'pt' })),
    file('vocab.txt', enc.encode(`${tokenizer.vocab.idToToken.join('\n')}\n`)),
    file('tokenizer_config.json', enc.encode(`${JSON.stringify({ do_lower_case: tokenizer.doLowerCase, tokenizer_class: 'BertTokenizer' }, null, 2)}\n`)),
  ];
}
