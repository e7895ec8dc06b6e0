/**
 * Multi-head self-attention (BertSelfAttention): scores = Q·Kᵀ/√D + mask, softmax, dropout,
 * context = probs·V. Scale, mask, softmax and dropout are one kernel each way on WebGPU
 * (src/core/kernels/attention-softmax.ts), composed tfjs ops on WASM/CPU. The mask is additive: 0 for real tokens, −10000 for padding (Google's
 * value; never −Infinity, which WebGPU shaders may not survive).
 * Glossary: B batch, S sequence length, H hidden size, N heads, D head size (H/N).
 */
import * as tf from '@tensorflow/tfjs-core';
import { attentionProbs, attentionProbsComposed } from '../kernels/attention-softmax';
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
  const heads = (name: string): tf.Tensor4D => {
    const y = linear(p, `${prefix}.${name}`, x); // [B·S, H] (+ LoRA adapter, lora.ts)
    return tf.transpose(tf.reshape(y, [B, S, N, D]), [0, 2, 1, 3]); // [B, N, S, D]
  };
  const q = heads('query'); // [B, N, S, D]
  const k = heads('key'); // [B, N, S, D]
  const v = heads('value'); // [B, N, S, D]
  const flat = (t: tf.Tensor4D, rows: number, cols: number) => tf.reshape(t, [B * N, rows, cols]) as tf.Tensor3D;
  const raw: tf.Tensor4D = tf.reshape(batchMatMul(flat(q, S, D), flat(k, S, D), true), [B, N, S, S]); // [B, N, S, S]
  // outputAttentions: the composed ops (no dropout: inference only), so the probabilities returned are those used.
  const probs = attentions
    ? attentionProbsComposed(raw, maskAdder, Math.sqrt(D), null) // [B, N, S, S] = softmax(raw/√D + mask)
    : attentionProbs(raw, maskAdder, Math.sqrt(D), dropout.key(c.attentionProbsDropoutProb)); // [B, N, S, S] = dropout(softmax(raw/√D + mask))
  attentions?.push(probs);
  const context = tf.reshape(batchMatMul(flat(probs, S, S), flat(v, S, D)), [B, N, S, D]); // [B, N, S, D]
  return tf.reshape(tf.transpose(context, [0, 2, 1, 3]), [B * S, H]); // [B·S, H]
}
