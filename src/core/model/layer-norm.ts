/**
 * LayerNorm over the last axis (biased variance, eps inside the square root), as
 * torch.nn.LayerNorm and Google's layer_norm compute it:
 *
 *   y = (h − mean(h)) / √(var(h) + eps) · γ + β,   h = dropout(x) + residual  (residual form)
 *   out = dropout(y),  h = words + token types + positions                     (embedding form)
 *
 * One WGSL kernel on WebGPU (src/core/kernels/layer-norm.ts, the sums and dropout fused in),
 * composed tfjs ops on WASM/CPU.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { addLayerNorm } from '../kernels/layer-norm';
import type { DropoutKey } from '../kernels/philox';

export function layerNorm(x: tf.Tensor2D, gamma: tf.Tensor, beta: tf.Tensor, eps: number): tf.Tensor2D {
  // x [M, H] -> [M, H]
  return addLayerNorm(x, gamma, beta, eps);
}

/**
 * LayerNorm(dropout(x + bias) + residual): x, residual [M, H], bias [H] or null -> [M, H];
 * `dropKey` null = no dropout. The bias is the dense layer's before it (its matmul then runs
 * without one): on WebGPU its gradient comes out of the LayerNorm's backward kernel.
 */
export function residualLayerNorm(x: tf.Tensor2D, residual: tf.Tensor2D, gamma: tf.Tensor, beta: tf.Tensor, eps: number, dropKey: DropoutKey | null, bias: tf.Tensor | null = null): tf.Tensor2D {
  return addLayerNorm(x, gamma, beta, eps, { bias, residual, dropout: dropKey });
}

/**
 * dropout(LayerNorm(words + tokenTypes + positions)) (BertEmbeddings): words, tokenTypes [B·S, H],
 * positions [P, H] of which the first `seqLen` rows (default P) -> [B·S, H]; `dropKey` null = no dropout.
 */
export function embeddingLayerNorm(words: tf.Tensor2D, tokenTypes: tf.Tensor2D, positions: tf.Tensor2D, gamma: tf.Tensor, beta: tf.Tensor, eps: number, dropKey: DropoutKey | null, seqLen?: number): tf.Tensor2D {
  return addLayerNorm(words, gamma, beta, eps, { residual: tokenTypes, positions, seqLen, dropout: dropKey, dropoutAfter: true });
}
