import { describe, expect, it } from 'vitest';
import { bertWeightShapes, mapCheckpointName } from './names';
import { makeConfig } from '../model/config';

describe('checkpoint name mapping', () => {
  it.each([
    // Hugging Face, with and without the bert. prefix, legacy gamma/beta, DataParallel's module.
    ['bert.embeddings.word_embeddings.weight', 'bert.embeddings.word_embeddings.weight'],
    ['embeddings.word_embeddings.weight', 'bert.embeddings.word_embeddings.weight'],
    ['encoder.layer.3.attention.self.query.bias', 'bert.encoder.layer.3.attention.self.query.bias'],
    ['pooler.dense.weight', 'bert.pooler.dense.weight'],
    ['bert.encoder.layer.0.output.LayerNorm.gamma', 'bert.encoder.layer.0.output.LayerNorm.weight'],
    ['bert.embeddings.LayerNorm.beta', 'bert.embeddings.LayerNorm.bias'],
    ['module.bert.pooler.dense.bias', 'bert.pooler.dense.bias'],
    ['classifier.weight', 'classifier.weight'],
    ['qa_outputs.bias', 'qa_outputs.bias'],
    ['cls.predictions.bias', 'cls.predictions.bias'],
    ['cls.predictions.transform.LayerNorm.gamma', 'cls.predictions.transform.LayerNorm.weight'],
  ])('Hugging Face %s -> %s', (stored, name) => {
    expect(mapCheckpointName(stored, 'hf')).toEqual({ kind: 'weight', name, transpose: false });
  });

  it.each([
    ['bert/embeddings/word_embeddings', 'bert.embeddings.word_embeddings.weight', false],
    ['bert/embeddings/position_embeddings', 'bert.embeddings.position_embeddings.weight', false],
    ['bert/embeddings/token_type_embeddings', 'bert.embeddings.token_type_embeddings.weight', false],
    ['bert/embeddings/LayerNorm/gamma', 'bert.embeddings.LayerNorm.weight', false],
    ['bert/embeddings/LayerNorm/beta', 'bert.embeddings.LayerNorm.bias', false],
    ['bert/encoder/layer_11/attention/self/query/kernel', 'bert.encoder.layer.11.attention.self.query.weight', true],
    ['bert/encoder/layer_0/attention/self/value/bias', 'bert.encoder.layer.0.attention.self.value.bias', false],
    ['bert/encoder/layer_2/attention/output/dense/kernel', 'bert.encoder.layer.2.attention.output.dense.weight', true],
    ['bert/encoder/layer_2/attention/output/LayerNorm/gamma', 'bert.encoder.layer.2.attention.output.LayerNorm.weight', false],
    ['bert/encoder/layer_1/intermediate/dense/kernel', 'bert.encoder.layer.1.intermediate.dense.weight', true],
    ['bert/encoder/layer_1/output/dense/bias', 'bert.encoder.layer.1.output.dense.bias', false],
    ['bert/encoder/layer_1/output/LayerNorm/beta', 'bert.encoder.layer.1.output.LayerNorm.bias', false],
    ['bert/pooler/dense/kernel', 'bert.pooler.dense.weight', true],
    ['output_weights', 'classifier.weight', false],
    ['output_bias', 'classifier.bias', false],
    ['cls/squad/output_weights', 'qa_outputs.weight', false],
    ['cls/squad/output_bias', 'qa_outputs.bias', false],
    ['cls/predictions/output_bias', 'cls.predictions.bias', false],
    ['cls/predictions/transform/dense/kernel', 'cls.predictions.transform.dense.weight', true],
    ['cls/predictions/transform/LayerNorm/gamma', 'cls.predictions.transform.LayerNorm.weight', false],
  ])('Google %s -> %s (transpose %s)', (stored, name, transpose) => {
    expect(mapCheckpointName(stored, 'google')).toEqual({ kind: 'weight', name, transpose });
  });

  it.each([
    ['bert/encoder/layer_0/attention/self/query/kernel/adam_m', 'google', 'optimizer slot'],
    ['bert/embeddings/LayerNorm/beta/adam_v', 'google', 'optimizer slot'],
    ['global_step', 'google', 'training step counter'],
    ['cls/seq_relationship/output_weights', 'google', 'pre-training head'],
    ['cls.predictions.decoder.weight', 'hf', 'tied to the word embeddings'],
    ['cls.predictions.decoder.bias', 'hf', 'same tensor as cls.predictions.bias'],
    ['cls.seq_relationship.bias', 'hf', 'pre-training head'],
    ['bert.embeddings.position_ids', 'hf', 'buffer, not a weight'],
  ] as const)('skips %s (%s): %s', (stored, scheme, reason) => {
    expect(mapCheckpointName(stored, scheme)).toEqual({ kind: 'skip', reason });
  });

  it('lists every encoder weight with its [out, in] shape', () => {
    const shapes = bertWeightShapes(makeConfig({}, 'base'));
    expect(shapes.size).toBe(5 + 12 * 16 + 2);
    expect(shapes.get('bert.encoder.layer.11.intermediate.dense.weight')).toEqual([3072, 768]);
    expect(shapes.get('bert.encoder.layer.11.output.dense.weight')).toEqual([768, 3072]);
    expect(shapes.get('bert.embeddings.word_embeddings.weight')).toEqual([30522, 768]);
    const params = [...shapes.values()].reduce((a, s) => a + s.reduce((x, y) => x * y, 1), 0);
    expect(params).toBe(109482240); // BERT-Base without heads, as PyTorch counts it
  });
});
