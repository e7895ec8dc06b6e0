/**
 * Reads a Hugging Face `config.json` or Google's `bert_config.json` into a typed BertConfig.
 *
 * The activation is resolved by what it computes, not what it is called:
 *   Hugging Face "gelu"                                   -> 'gelu_erf'
 *   Hugging Face "gelu_new" / "gelu_pytorch_tanh" / "gelu_fast" -> 'gelu_tanh'
 *   Google (bert_config.json) "gelu"                      -> 'gelu_tanh' (modeling.py's tanh form)
 *   "relu" (either)                                       -> 'relu'
 */
import { TabtuneError } from '../errors';
import { jsonErrorLocation } from '../data/json-error-position';
import type { Activation, BertConfig } from '../model/config';

export type ConfigFlavor = 'hf' | 'google';

export interface ParsedConfig {
  config: BertConfig;
  flavor: ConfigFlavor;
  /** Human-readable remarks for the page, e.g. how the activation was interpreted. */
  notes: string[];
  /** The JSON object as read, kept for export. */
  raw: Record<string, unknown>;
}

const HF_ACTIVATIONS: Record<string, Activation> = {
  gelu: 'gelu_erf',
  gelu_new: 'gelu_tanh',
  gelu_pytorch_tanh: 'gelu_tanh',
  gelu_fast: 'gelu_tanh',
  relu: 'relu',
};

const GOOGLE_ACTIVATIONS: Record<string, Activation> = {
  gelu: 'gelu_tanh',
  relu: 'relu',
};

const ACTIVATION_TEXT: Record<Activation, string> = {
  gelu_erf: 'exact erf form',
  gelu_tanh: 'tanh approximation',
  relu: 'relu',
};

/**
 * Upper bounds on a config's sizes, checked before anything is sized from them (a config saying
 * num_hidden_layers 1e9 would otherwise build a billion-layer weight table). Each is far beyond
 * any BERT (BERT-Large: 24 layers, hidden 1024, 16 heads, intermediate 4096, 512 positions;
 * the largest WordPiece vocabularies ~250k) yet small enough that the weight table, the position
 * slice and the embedding gather stay finite. The weights file is then checked against the config.
 */
export const CONFIG_LIMITS: Readonly<Record<string, number>> = {
  vocab_size: 1 << 20,
  hidden_size: 16384,
  num_hidden_layers: 256,
  num_attention_heads: 1024,
  intermediate_size: 65536,
  max_position_embeddings: 65536,
  type_vocab_size: 1024,
};

/** The flavour a config file's name implies: `bert_config.json` is Google's, anything else Hugging Face's. */
export function configFlavorFromName(fileName: string): ConfigFlavor {
  const base = fileName.split(/[\\/]/).pop() ?? fileName;
  return /bert_config.*\.json$/i.test(base) ? 'google' : 'hf';
}

/** Parses config text. `flavor` defaults to what the file name implies. */
export function parseBertConfig(text: string, file = 'config.json', flavor: ConfigFlavor = configFlavorFromName(file)): ParsedConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new TabtuneError(`is not valid JSON (${(e as Error).message})`, { file, location: jsonErrorLocation(text, (e as Error).message), expected: 'a BERT config JSON object', code: 'config-json' });
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new TabtuneError('is not a JSON object', { file, location: 'top level', expected: 'a BERT config JSON object', code: 'config-json' });
  }
  return configFromObject(raw as Record<string, unknown>, file, flavor);
}

export function configFromObject(raw: Record<string, unknown>, file = 'config.json', flavor: ConfigFlavor = configFlavorFromName(file)): ParsedConfig {
  const notes: string[] = [];
  const modelType = raw.model_type;
  if (modelType !== undefined && modelType !== 'bert') {
    throw new TabtuneError(`model_type is ${JSON.stringify(modelType)}`, { file, location: 'model_type', expected: '"bert"', code: 'config-model-type' });
  }
  const pet = raw.position_embedding_type;
  if (pet !== undefined && pet !== 'absolute') {
    throw new TabtuneError(`position_embedding_type ${JSON.stringify(pet)} is not supported`, { file, location: 'position_embedding_type', expected: '"absolute"', code: 'config-value' });
  }

  const int = (key: string, def?: number): number => {
    const limit = CONFIG_LIMITS[key];
    const v = raw[key];
    if (v === undefined || v === null) {
      if (def === undefined) {
        throw new TabtuneError(`missing key "${key}"`, { file, location: key, expected: 'a positive integer', code: 'config-missing' });
      }
      notes.push(`${key} not in ${file}: using ${def}`);
      return def;
    }
    if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) {
      throw new TabtuneError(`"${key}" is ${JSON.stringify(v)}`, { file, location: key, expected: 'a positive integer', code: 'config-value' });
    }
    if (limit !== undefined && v > limit) {
      throw new TabtuneError(`"${key}" is ${v}, beyond what Tabtune can hold`, { file, location: key, expected: `at most ${limit} (see CONFIG_LIMITS)`, code: 'config-limit' });
    }
    return v;
  };
  const real = (key: string, def: number, ok: (x: number) => boolean, what: string): number => {
    const v = raw[key];
    if (v === undefined || v === null) return def;
    if (typeof v !== 'number' || !Number.isFinite(v) || !ok(v)) {
      throw new TabtuneError(`"${key}" is ${JSON.stringify(v)}`, { file, location: key, expected: what, code: 'config-value' });
    }
    return v;
  };

  const vocabSize = int('vocab_size');
  const hiddenSize = int('hidden_size');
  const numHiddenLayers = int('num_hidden_layers');
  const numAttentionHeads = int('num_attention_heads');
  const intermediateSize = int('intermediate_size');
  const maxPositionEmbeddings = int('max_position_embeddings', 512);
  const typeVocabSize = int('type_vocab_size', 2);
  if (hiddenSize % numAttentionHeads !== 0) {
    throw new TabtuneError(`hidden_size ${hiddenSize} is not a multiple of num_attention_heads ${numAttentionHeads}`, {
      file, location: 'hidden_size', expected: 'hidden_size divisible by num_attention_heads', code: 'config-value',
    });
  }
  const prob = (x: number) => x >= 0 && x < 1;
  const hiddenDropoutProb = real('hidden_dropout_prob', 0.1, prob, 'a probability in [0, 1)');
  const attentionProbsDropoutProb = real('attention_probs_dropout_prob', 0.1, prob, 'a probability in [0, 1)');
  const initializerRange = real('initializer_range', 0.02, (x) => x > 0, 'a positive number');
  const layerNormEps = real('layer_norm_eps', 1e-12, (x) => x > 0, 'a positive number');

  const actRaw = raw.hidden_act ?? 'gelu';
  const table = flavor === 'google' ? GOOGLE_ACTIVATIONS : HF_ACTIVATIONS;
  if (typeof actRaw !== 'string' || !(actRaw in table)) {
    throw new TabtuneError(`hidden_act ${JSON.stringify(actRaw)} is not supported`, {
      file, location: 'hidden_act', expected: `one of ${Object.keys(table).map((k) => `"${k}"`).join(', ')}`, code: 'config-value',
    });
  }
  const hiddenAct = table[actRaw];
  notes.push(`hidden_act ${actRaw} (${flavor === 'google' ? 'Google' : 'Hugging Face'}) runs as ${ACTIVATION_TEXT[hiddenAct]}`);

  const config: BertConfig = {
    vocabSize, hiddenSize, numHiddenLayers, numAttentionHeads, intermediateSize, hiddenAct,
    hiddenDropoutProb, attentionProbsDropoutProb, maxPositionEmbeddings, typeVocabSize, initializerRange, layerNormEps,
  };
  return { config, flavor, notes, raw };
}

/** The Hugging Face `hidden_act` name that reloads as the same computed activation. */
export function hfActivationName(act: Activation): string {
  return act === 'gelu_erf' ? 'gelu' : act === 'gelu_tanh' ? 'gelu_new' : 'relu';
}
