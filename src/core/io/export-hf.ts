/**
 * Writes a fine-tuned model as a Hugging Face folder (file name -> bytes):
 *   config.json           Hugging Face keys, architectures, id2label/label2id, hidden_act named so
 *                         it reloads as the same computed activation ('gelu_tanh' -> "gelu_new")
 *   model.safetensors     canonical names (bert.*, classifier.* | qa_outputs.* | cls.predictions.*), [out, in] orientation
 *                         (BertForMaskedLM: the decoder is tied, so no cls.predictions.decoder.weight)
 *   vocab.txt, tokenizer_config.json
 * and zips such a folder for the page's download. Shapes are checked against the config first.
 */
import { zipSync, type Zippable } from 'fflate';
import { TabtuneError } from '../errors';
import type { BertConfig } from '../model/config';
import type { HeadSpec, WeightMap } from '../model/types';
import { mlmHeadParamShapes } from '../model/mlm-head';
import { hfActivationName } from './config';
import { bertWeightShapes, OPTIONAL_WEIGHTS } from './names';
import { writeSafetensors, type LoadedTensor } from './safetensors';

export interface HfExportInput {
  config: BertConfig;
  /** The config as loaded (extra keys such as pad_token_id are kept). */
  rawConfig?: Record<string, unknown>;
  head: HeadSpec;
  weights: WeightMap;
  vocabText: string;
  doLowerCase: boolean;
}

/** Keys of Google's bert_config.json / older configs that Hugging Face does not use. */
const DROP_KEYS = ['architectures', 'id2label', 'label2id', 'num_labels', 'problem_type', 'directionality', 'pooler_fc_size', 'pooler_num_attention_heads',
  'pooler_num_fc_layers', 'pooler_size_per_head', 'pooler_type'];

export function hfConfigJson(input: Pick<HfExportInput, 'config' | 'rawConfig' | 'head'>): Record<string, unknown> {
  const { config: c, head } = input;
  const out: Record<string, unknown> = { ...(input.rawConfig ?? {}) };
  for (const k of DROP_KEYS) delete out[k];
  Object.assign(out, {
    architectures: [head.kind === 'span' ? 'BertForQuestionAnswering' : head.kind === 'mlm' ? 'BertForMaskedLM' : 'BertForSequenceClassification'],
    model_type: 'bert',
    vocab_size: c.vocabSize,
    hidden_size: c.hiddenSize,
    num_hidden_layers: c.numHiddenLayers,
    num_attention_heads: c.numAttentionHeads,
    intermediate_size: c.intermediateSize,
    hidden_act: hfActivationName(c.hiddenAct),
    hidden_dropout_prob: c.hiddenDropoutProb,
    attention_probs_dropout_prob: c.attentionProbsDropoutProb,
    max_position_embeddings: c.maxPositionEmbeddings,
    type_vocab_size: c.typeVocabSize,
    initializer_range: c.initializerRange,
    layer_norm_eps: c.layerNormEps,
    position_embedding_type: 'absolute',
    pad_token_id: out.pad_token_id ?? 0,
    torch_dtype: 'float32',
  });
  if (head.kind === 'classification') {
    if (head.labels.length !== head.numLabels) {
      throw new TabtuneError(`head has ${head.numLabels} labels but ${head.labels.length} label names`, { file: 'config.json', location: 'id2label', expected: 'one name per label', code: 'export-head' });
    }
    out.num_labels = head.numLabels;
    out.id2label = Object.fromEntries(head.labels.map((l, i) => [String(i), l]));
    out.label2id = Object.fromEntries(head.labels.map((l, i) => [l, i]));
    out.problem_type = 'single_label_classification';
  } else if (head.kind === 'regression') {
    out.num_labels = 1;
    out.id2label = { '0': 'LABEL_0' };
    out.label2id = { LABEL_0: 0 };
    out.problem_type = 'regression';
  } else if (head.kind === 'span') {
    out.num_labels = 2;
  }
  return out;
}

export function exportHfFolder(input: HfExportInput): Map<string, Uint8Array> {
  const { config, head, weights } = input;
  const headName = head.kind === 'span' ? 'qa_outputs' : head.kind === 'mlm' ? 'cls.predictions' : 'classifier';
  const adapter = [...weights.keys()].find((n) => /\.lora_[AB]\.weight$/.test(n));
  if (adapter) {
    throw new TabtuneError('holds LoRA adapters', { file: 'model.safetensors', location: adapter, expected: 'weights merged with mergeLoraWeights (export-lora.ts) first, or the adapter exported with exportPeftAdapter', code: 'export-lora' });
  }
  const want = bertWeightShapes(config);
  if (head.kind === 'mlm') {
    for (const [n, s] of mlmHeadParamShapes(config)) want.set(n, s);
  } else {
    const rows = head.kind === 'span' ? 2 : head.kind === 'regression' ? 1 : head.numLabels;
    want.set(`${headName}.weight`, [rows, config.hiddenSize]);
    want.set(`${headName}.bias`, [rows]);
  }
  const tensors = new Map<string, LoadedTensor>();
  for (const [name, shape] of want) {
    const t = weights.get(name);
    if (!t) {
      if (OPTIONAL_WEIGHTS.has(name)) continue;
      throw new TabtuneError(`weight ${name} is missing`, { file: 'model.safetensors', location: name, expected: `every weight of the model and its ${headName} head`, code: 'export-missing' });
    }
    if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i]) || t.data.length !== shape.reduce((a, b) => a * b, 1)) {
      throw new TabtuneError(`weight has shape [${t.shape}]`, { file: 'model.safetensors', location: name, expected: `shape [${shape}]`, code: 'export-shape' });
    }
    if (t.dtype !== 'float32') throw new TabtuneError(`weight has dtype ${t.dtype}`, { file: 'model.safetensors', location: name, expected: 'float32', code: 'export-dtype' });
    tensors.set(name, t);
  }
  const enc = new TextEncoder();
  const json = (o: unknown) => enc.encode(`${JSON.stringify(o, null, 2)}\n`);
  const files = new Map<string, Uint8Array>();
  files.set('config.json', json(hfConfigJson(input)));
  files.set('model.safetensors', writeSafetensors(tensors, { format: 'pt' }));
  files.set('vocab.txt', enc.encode(input.vocabText.endsWith('\n') ? input.vocabText : `${input.vocabText}\n`));
  files.set('tokenizer_config.json', json({
    tokenizer_class: 'BertTokenizer',
    do_lower_case: input.doLowerCase,
    strip_accents: null,
    tokenize_chinese_chars: true,
    model_max_length: config.maxPositionEmbeddings,
    unk_token: '[UNK]', sep_token: '[SEP]', pad_token: '[PAD]', cls_token: '[CLS]', mask_token: '[MASK]',
    clean_up_tokenization_spaces: true,
  }));
  return files;
}

/** One zip of a folder (weights stored, text deflated), for the page's download. */
export function zipFolder(files: Map<string, Uint8Array>, folder?: string): Uint8Array {
  const z: Zippable = {};
  for (const [name, bytes] of files) {
    const path = folder ? `${folder}/${name}` : name;
    z[path] = [bytes, { level: name.endsWith('.safetensors') || name.endsWith('.bin') ? 0 : 6 }];
  }
  return zipSync(z);
}
