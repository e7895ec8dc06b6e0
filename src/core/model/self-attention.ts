/**
 * Multi-head self-attention (BertSelfAttention): scores = Q·Kᵀ/√D + mask, softmax, dropout,
 * context = probs·V. Scale, mask, softmax and dropout are one kernel each way on WebGPU
 * (src/core/kernels/attention-softmax.ts), composed tfjs ops on WASM/CPU. The per-head products
 * Q·Kᵀ and P·V read the heads in place from [B·S, H] on WebGPU (src/core/kernels/head-matmul.ts). The mask is additive: 0 for real tokens, −10000 for padding (Google's
 * value; never −Infinity, which WebGPU shaders may not survive).
 * Glossary: B batch, S sequence length, H hidden size, N heads, D head size (H/N).
 */
import * as tf from '@tensorflow/tfjs-core';
import { attentionProbs, attentionProbsComposed } from '../kernels/attention-softmax';
import { headContext, headScores } from '../kernels/head-matmul';
import type { BertConfig } from './config';
import { linear } from './lora';
import { batchMatMul } from './matmul';
import type { Dropout } from './dropout';
import type { Params } from './params';

/** The additive mask [B, 1, 1, S] from attention_mask [B, S] (1 = token, 0 = padding). */
export function attentionMaskAdder(attentionMask: tf.Tensor2D): tf.Tensor4D {
  const [B, S] = attentionMask.shape;
  const keep = tf.cast(attentionMask, 'float32'); // [B, S]
  return tf.reshape(tf.mul(tf.sub(1, keep), -10000), [B, 1, 1, S]); // [B, 1, 1, S]
}

export function selfAttention(
  p: Params,
  prefix: string,
  c: BertConfig,
  x: tf.Tensor2D, // [B·S, H]
  maskAdder: tf.Tensor4D, // [B, 1, 1, S]
  B: number,
  S: number,
  dropout: Dropout,
  /** outputAttentions (inference only): this layer's probabilities are pushed here, [B, N, S, S]. */
  attentions?: tf.Tensor4D[],
): tf.Tensor2D {
  const N = c.numAttentionHeads;
  const H = c.hiddenSize;
  const D = H / N;
  // Q, K, V stay [B·S, H] = [B, S, N, D]: the per-head products read head n at columns n·D..n·D+D−1
  // (head-matmul.ts: no transposes on WebGPU; reshape + transpose + batchMatMul elsewhere).
  const q = linear(p, `${prefix}.query`, x); // [B·S, H] (+ LoRA adapter, lora.ts)
  const k = linear(p, `${prefix}.key`, x); // [B·S, H]
  const v = linear(p, `${prefix}.value`, x); // [B·S, H]
  const raw = headScores(q, k, B, S, N, batchMatMul); // [B, N, S, S] = Q·Kᵀ per head
  // outputAttentions: the composed ops (no dropout: inference only), so the probabilities returned are those used.
  const probs = attentions
    ? attentionProbsComposed(raw, maskAdder, Math.sqrt(D), null) // [B, N, S, S] = softmax(raw/√D + mask)
    : attentionProbs(raw, maskAdder, Math.sqrt(D), dropout.key(c.attentionProbsDropoutProb)); // [B, N, S, S] = dropout(softmax(raw/√D + mask))
  attentions?.push(probs);
  return headContext(probs, v, B, S, N, batchMatMul); // [B·S, H] = probs·V per head, heads merged
}
