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

/**
 * P: the weights that multiply activations (encoder dense kernels, pooler, the head's
 * [numLabels, H]), the P of the 6·P training-FLOP rule. Embedding tables only gather.
 */
export function matmulParams(c: BertConfig, numLabels: number): number {
  const H = c.hiddenSize;
  const I = c.intermediateSize;
  return c.numHiddenLayers * (4 * H * H + 2 * H * I) + H * H + numLabels * H;
}

/**
 * FLOPs of one training step (forward + backward ≈ 3 × forward):
 *   B·S·(6·P + 12·L·S·H)
 * 6·P per token for the dense layers; 12·L·S·H per token for the attention score and context
 * matmuls (2 matmuls × 2·S·H forward per layer, × 3). Embedding lookups, LayerNorm, softmax,
 * GELU and the optimizer are not counted (they move bytes; see matmulFlops for kernels).
 */
export function trainingStepFlops(c: BertConfig, numLabels: number, B: number, S: number): number {
  return B * S * (6 * matmulParams(c, numLabels) + 12 * c.numHiddenLayers * S * c.hiddenSize);
}

/**
 * FLOPs of one matmul kernel from its operand and output shapes ([.., M, K] · [.., K, N] ->
 * [.., M, N], operands possibly transposed): 2·batch·M·N·K. K is the dimension of `a` that is
 * not M (when both are M, K = M).
 */
export function matmulFlops(a: readonly number[], out: readonly number[]): number {
  const r = out.length;
  const M = out[r - 2];
  const N = out[r - 1];
  const batch = out.slice(0, r - 2).reduce((x, y) => x * y, 1);
  const [a0, a1] = [a[a.length - 2], a[a.length - 1]];
  const K = a0 === M ? a1 : a0;
  return 2 * batch * M * N * K;
}
