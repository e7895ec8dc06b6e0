/**
 * Parameter access for the blocks: `p('bert.embeddings.word_embeddings.weight')` returns the
 * device tensor (a tf.Variable when trainable) under its Hugging Face name.
 *
 * Names and shapes (all Hugging Face, [out, in] for dense kernels; the only transposes happen
 * in the loaders, e.g. Google's `.../kernel` [in, out] -> `.weight` [out, in]):
 *   bert.embeddings.{word,position,token_type}_embeddings.weight  [V,H] [P,H] [T,H]
 *   bert.embeddings.LayerNorm.{weight,bias}                        [H]
 *   bert.encoder.layer.{l}.attention.self.{query,key,value}.{weight,bias}   [H,H] [H]
 *   bert.encoder.layer.{l}.attention.output.dense.{weight,bias}            [H,H] [H]
 *   bert.encoder.layer.{l}.attention.output.LayerNorm.{weight,bias}        [H]
 *   bert.encoder.layer.{l}.intermediate.dense.{weight,bias}                [I,H] [I]
 *   bert.encoder.layer.{l}.output.dense.{weight,bias}                      [H,I] [H]
 *   bert.encoder.layer.{l}.output.LayerNorm.{weight,bias}                  [H]
 *   bert.pooler.dense.{weight,bias}                                        [H,H] [H]
 *   classifier.{weight,bias} [L,H] [L];  qa_outputs.{weight,bias} [2,H] [2]
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { BertConfig } from './config';

export type Params = (name: string) => tf.Tensor;

/** Encoder parameter names and shapes (everything under `bert.` except the pooler). */
export function encoderParamShapes(c: BertConfig): Map<string, number[]> {
  const H = c.hiddenSize;
  const I = c.intermediateSize;
  const m = new Map<string, number[]>();
  m.set('bert.embeddings.word_embeddings.weight', [c.vocabSize, H]);
  m.set('bert.embeddings.position_embeddings.weight', [c.maxPositionEmbeddings, H]);
  m.set('bert.embeddings.token_type_embeddings.weight', [c.typeVocabSize, H]);
  m.set('bert.embeddings.LayerNorm.weight', [H]);
  m.set('bert.embeddings.LayerNorm.bias', [H]);
  for (let l = 0; l < c.numHiddenLayers; l++) {
    const p = `bert.encoder.layer.${l}.`;
    for (const qkv of ['query', 'key', 'value']) {
      m.set(`${p}attention.self.${qkv}.weight`, [H, H]);
      m.set(`${p}attention.self.${qkv}.bias`, [H]);
    }
    m.set(`${p}attention.output.dense.weight`, [H, H]);
    m.set(`${p}attention.output.dense.bias`, [H]);
    m.set(`${p}attention.output.LayerNorm.weight`, [H]);
    m.set(`${p}attention.output.LayerNorm.bias`, [H]);
    m.set(`${p}intermediate.dense.weight`, [I, H]);
    m.set(`${p}intermediate.dense.bias`, [I]);
    m.set(`${p}output.dense.weight`, [H, I]);
    m.set(`${p}output.dense.bias`, [H]);
    m.set(`${p}output.LayerNorm.weight`, [H]);
    m.set(`${p}output.LayerNorm.bias`, [H]);
  }
  return m;
}

export function poolerParamShapes(c: BertConfig): Map<string, number[]> {
  return new Map([
    ['bert.pooler.dense.weight', [c.hiddenSize, c.hiddenSize]],
    ['bert.pooler.dense.bias', [c.hiddenSize]],
  ]);
}
