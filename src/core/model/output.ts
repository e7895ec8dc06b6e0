/**
 * BertOutput: dense I -> H, dropout, residual, LayerNorm:
 *   y = LayerNorm(dropout(x·Wᵀ + b) + input)
 * (bias, dropout, residual and LayerNorm are one kernel on WebGPU: layer-norm.ts; the matmul runs
 * without the bias, so its gradient comes out of that kernel's backward).
 * Glossary: B batch, S sequence length, H hidden size, I intermediate size.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { BertConfig } from './config';
import { loraDelta } from './lora';
import { matMulWeightT } from './matmul';
import type { Dropout } from './dropout';
import { residualLayerNorm } from './layer-norm';
import type { Params } from './params';

export function output(p: Params, prefix: string, c: BertConfig, x: tf.Tensor2D, input: tf.Tensor2D, dropout: Dropout): tf.Tensor2D {
  // x [B·S, I], input [B·S, H]
  const weight = p(`${prefix}.dense.weight`) as tf.Tensor2D; // [H, in]
  const bias = p(`${prefix}.dense.bias`); // [H]
  const delta = loraDelta(p, `${prefix}.dense`, x); // [B·S, H] or null (LoRA on this dense layer)
  const z = matMulWeightT(x, weight); // [B·S, H]: the bias joins the LayerNorm's kernel
  const projected = delta ? (tf.add(z, delta) as tf.Tensor2D) : z; // [B·S, H]
  return residualLayerNorm(projected, input, p(`${prefix}.LayerNorm.weight`), p(`${prefix}.LayerNorm.bias`), c.layerNormEps, dropout.key(c.hiddenDropoutProb), bias); // [B·S, H] = LayerNorm(dropout(projected + b) + input)
}
