import { describe, expect, it } from 'vitest';
import { parseBertConfig, hfActivationName, configFlavorFromName } from './config';
import { readShared } from '../../testing/shared';
import { TabtuneError } from '../errors';

const base = { vocab_size: 100, hidden_size: 16, num_hidden_layers: 2, num_attention_heads: 4, intermediate_size: 32 };
const parse = (o: unknown, file = 'config.json') => parseBertConfig(JSON.stringify(o), file);

describe('BERT config', () => {
  it.each([
    ['config.json', 'gelu', 'gelu_erf', 'hidden_act gelu (Hugging Face) runs as exact erf form'],
    ['config.json', 'gelu_new', 'gelu_tanh', 'hidden_act gelu_new (Hugging Face) runs as tanh approximation'],
    ['config.json', 'gelu_pytorch_tanh', 'gelu_tanh', 'hidden_act gelu_pytorch_tanh (Hugging Face) runs as tanh approximation'],
    ['config.json', 'gelu_fast', 'gelu_tanh', 'hidden_act gelu_fast (Hugging Face) runs as tanh approximation'],
    ['config.json', 'relu', 'relu', 'hidden_act relu (Hugging Face) runs as relu'],
    ['bert_config.json', 'gelu', 'gelu_tanh', 'hidden_act gelu (Google) runs as tanh approximation'],
    ['bert_config.json', 'relu', 'relu', 'hidden_act relu (Google) runs as relu'],
  ])('%s hidden_act %s -> %s', (file, act, want, note) => {
    const p = parse({ ...base, hidden_act: act }, file);
    expect(p.config.hiddenAct).toBe(want);
    expect(p.notes).toContain(note);
  });

  it('reads both fixture configs', () => {
    const hf = parseBertConfig(readShared('fixtures/model/tiny-odd/config.json'), 'config.json');
    const g = parseBertConfig(readShared('fixtures/model/tiny-odd/google/bert_config.json'), 'bert_config.json');
    expect(g.flavor).toBe('google');
    expect(hf.flavor).toBe('hf');
    expect(g.config).toEqual(hf.config);
    expect(hf.config).toEqual({
      vocabSize: 128, hiddenSize: 24, numHiddenLayers: 3, numAttentionHeads: 3, intermediateSize: 48, hiddenAct: 'gelu_tanh',
      hiddenDropoutProb: 0.1, attentionProbsDropoutProb: 0.1, maxPositionEmbeddings: 40, typeVocabSize: 2, initializerRange: 0.02, layerNormEps: 1e-12,
    });
    expect(parseBertConfig(readShared('fixtures/model/tiny-uncased/config.json')).config.hiddenAct).toBe('gelu_erf');
  });

  it('round-trips the activation through its Hugging Face name', () => {
    for (const act of ['gelu_erf', 'gelu_tanh', 'relu'] as const) {
      expect(parse({ ...base, hidden_act: hfActivationName(act) }).config.hiddenAct).toBe(act);
    }
    expect(configFlavorFromName('models/x/bert_config.json')).toBe('google');
  });

  it('fills defaults with a note', () => {
    const p = parse(base);
    expect(p.config.maxPositionEmbeddings).toBe(512);
    expect(p.notes).toContain('max_position_embeddings not in config.json: using 512');
  });

  it.each([
    [{ ...base, hidden_size: undefined }, 'config.json, hidden_size: missing key "hidden_size" (expected a positive integer)'],
    [{ ...base, num_hidden_layers: 2.5 }, 'config.json, num_hidden_layers: "num_hidden_layers" is 2.5 (expected a positive integer)'],
    [{ ...base, num_attention_heads: 3 }, 'config.json, hidden_size: hidden_size 16 is not a multiple of num_attention_heads 3'],
    [{ ...base, hidden_act: 'swish' }, 'config.json, hidden_act: hidden_act "swish" is not supported (expected one of "gelu", "gelu_new", "gelu_pytorch_tanh", "gelu_fast", "relu")'],
    [{ ...base, hidden_dropout_prob: 1.5 }, 'config.json, hidden_dropout_prob: "hidden_dropout_prob" is 1.5 (expected a probability in [0, 1))'],
    [{ ...base, model_type: 'roberta' }, 'config.json, model_type: model_type is "roberta" (expected "bert")'],
    [{ ...base, position_embedding_type: 'relative_key' }, 'position_embedding_type "relative_key" is not supported'],
  ])('refuses bad values %#', (o, msg) => {
    expect(() => parse(o)).toThrow(TabtuneError);
    expect(() => parse(o)).toThrow(msg);
  });

  it('refuses a Google config with a Hugging Face-only activation, and non-JSON', () => {
    expect(() => parse({ ...base, hidden_act: 'gelu_new' }, 'bert_config.json')).toThrow('expected one of "gelu", "relu"');
    expect(() => parseBertConfig('{nope', 'config.json')).toThrow(/config\.json, line 1, column 2: is not valid JSON/);
    expect(() => parseBertConfig('[1]', 'config.json')).toThrow(/is not a JSON object/);
  });
});
