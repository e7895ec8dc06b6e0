/**
 * BertIntermediate: dense H -> I, then the configured activation: act(x·Wᵀ + b).
 * With a GELU the bias add joins the activation's kernel (activations.ts) and the matmul runs
 * without it; relu keeps the dense layer's fused bias.
 * Glossary: B batch, S sequence length, H hidden size, I intermediate size.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { activate } from './activations';
import type { BertConfig } from './config';
import { dense } from './dense';
import { matMulWeightT } from './matmul';
import type { Params } from './params';

export function intermediate(p: Params, prefix: string, c: BertConfig, x: tf.Tensor2D): tf.Tensor2D {
  // x [B·S, H]
  const weight = p(`${prefix}.dense.weight`) as tf.Tensor2D; // [I, H]
  const bias = p(`${prefix}.dense.bias`); // [I]
  if (c.hiddenAct === 'relu') return activate(dense(x, weight, bias), 'relu'); // [B·S, I]
  return activate(matMulWeightT(x, weight), c.hiddenAct, bias); // [B·S, I]
}
