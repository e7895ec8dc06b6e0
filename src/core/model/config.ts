/**
 * BERT's hyper-parameters as one typed object, with named presets.
 * Glossary used across src/core/model: B batch, S sequence length, H hidden size,
 * N attention heads, D head size (H / N), I intermediate size, V vocabulary, L labels.
 */

/**
 * The activation as computed (not as named): Hugging Face's "gelu" is the erf form,
 * Google's modeling.py "gelu" is the tanh approximation; io/config.ts resolves the name.
 */
export type Activation = 'gelu_erf' | 'gelu_tanh' | 'relu';

export interface BertConfig {
  vocabSize: number;
  hiddenSize: number;
  numHiddenLayers: number;
  numAttentionHeads: number;
  intermediateSize: number;
  hiddenAct: Activation;
  hiddenDropoutProb: number;
  attentionProbsDropoutProb: number;
  maxPositionEmbeddings: number;
  typeVocabSize: number;
  initializerRange: number;
  layerNormEps: number;
}

export const DEFAULT_CONFIG: BertConfig = {
  vocabSize: 30522,
  hiddenSize: 768,
  numHiddenLayers: 12,
  numAttentionHeads: 12,
  intermediateSize: 3072,
  hiddenAct: 'gelu_erf',
  hiddenDropoutProb: 0.1,
  attentionProbsDropoutProb: 0.1,
  maxPositionEmbeddings: 512,
  typeVocabSize: 2,
  initializerRange: 0.02,
  layerNormEps: 1e-12,
};

/** Google's published small BERTs (Turc et al. 2019) and BERT-Base. */
export const PRESETS = {
  tiny: { ...DEFAULT_CONFIG, hiddenSize: 128, numHiddenLayers: 2, numAttentionHeads: 2, intermediateSize: 512 },
  mini: { ...DEFAULT_CONFIG, hiddenSize: 256, numHiddenLayers: 4, numAttentionHeads: 4, intermediateSize: 1024 },
  small: { ...DEFAULT_CONFIG, hiddenSize: 512, numHiddenLayers: 4, numAttentionHeads: 8, intermediateSize: 2048 },
  base: { ...DEFAULT_CONFIG },
} satisfies Record<string, BertConfig>;

export type PresetName = keyof typeof PRESETS;

export function makeConfig(overrides: Partial<BertConfig> = {}, preset: PresetName = 'base'): BertConfig {
  const c = { ...PRESETS[preset], ...overrides };
  if (c.hiddenSize % c.numAttentionHeads !== 0) {
    throw new Error(`hidden size ${c.hiddenSize} is not a multiple of the ${c.numAttentionHeads} attention heads`);
  }
  return c;
}
