/**
 * Token attributions: how much each input token's word embedding moves one output of the model.
 *
 *   gradient × input      a_i = Σ_h  ∂F/∂e_ih (e) · e_ih
 *   integrated gradients  a_i = Σ_h  (e_ih − b_ih) · (1/m) Σ_k ∂F/∂e_ih (b + α_k (e − b)),  α_k = (k + ½)/m
 *                         (Sundararajan et al. 2017, midpoint Riemann sum; completeness:
 *                         Σ_i a_i ≈ F(e) − F(b), exact as m → ∞)
 * e = the word embeddings of the input tokens [S, H] (position and token-type embeddings are
 * not attributed: they are the same for every input), b = the baseline, all zeros. F is a scalar
 * of the model's outputs chosen by the caller (the predicted label's logit, or the predicted
 * span's start + end logit). Dropout is off. The m interpolated inputs go through the model as
 * batches of up to `chunk` rows (one forward and one backward each).
 * Glossary: S sequence length, H hidden size, m steps.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { BertBatch, BertModel, BertOutputs } from '../model/types';

export type AttributionMethod = 'gradient-x-input' | 'integrated-gradients';

export interface AttributionOptions {
  method: AttributionMethod;
  /** Integrated gradients: interpolation steps (default 20). */
  steps?: number;
  /** Interpolated inputs per forward/backward pass (default 10). */
  chunk?: number;
}

export interface Attribution {
  method: AttributionMethod;
  /** One score per token of the batch's sequence [S] (padding included; it scores 0 for IG and near 0 otherwise). */
  scores: Float32Array;
  /** F at the input. */
  target: number;
  /** F at the all-zero baseline (integrated gradients only). */
  baseline?: number;
  steps: number;
}

/** F for row b of the outputs (a scalar tensor). */
export type AttributionTarget = (out: BertOutputs, row: number) => tf.Scalar;

/** Repeats a [1, S] tensor n times along the batch. */
function tileRows<T extends tf.Tensor2D | undefined>(t: T, n: number): T {
  return (t === undefined ? undefined : tf.tile(t, [n, 1])) as T;
}

/**
 * Attributions of F over the tokens of a one-example batch (B = 1). The batch's tensors stay the
 * caller's; every tensor made here is released.
 */
export async function tokenAttributions(model: BertModel, batch: BertBatch, target: AttributionTarget, options: AttributionOptions): Promise<Attribution> {
  const [B, S] = batch.inputIds.shape;
  if (B !== 1) throw new Error(`internal: attributions take one example, got a batch of ${B}`);
  const H = model.config.hiddenSize;
  const ig = options.method === 'integrated-gradients';
  const m = ig ? Math.max(1, Math.floor(options.steps ?? 20)) : 1;
  const chunk = Math.max(1, Math.floor(options.chunk ?? 10));
  if (!model.embedWords) throw new Error('internal: this model cannot look up word embeddings');
  const e = model.embedWords(batch.inputIds); // [1, S, H]
  try {
    let sumGrad: tf.Tensor = tf.zeros([1, S, H]); // Σ_k ∂F/∂e at the k-th input [1, S, H]
    let targetValue = 0;
    let baselineValue: number | undefined;
    try {
      for (let k0 = 0; k0 < m; k0 += chunk) {
        const n = Math.min(chunk, m - k0);
        const alphas = Array.from({ length: n }, (_, j) => (ig ? (k0 + j + 0.5) / m : 1));
        const rows: BertBatch = {
          inputIds: tileRows(batch.inputIds, n),
          tokenTypeIds: tileRows(batch.tokenTypeIds, n),
          attentionMask: tileRows(batch.attentionMask, n),
        };
        try {
          const previous = sumGrad;
          sumGrad = tf.tidy(() => {
            const scaled = tf.mul(tf.tile(e, [n, 1, 1]), tf.reshape(tf.tensor1d(alphas), [n, 1, 1])) as tf.Tensor3D; // [n, S, H] = b + α(e − b), b = 0
            const f = (x: tf.Tensor) => {
              const out = model.forward(rows, { training: false, inputsEmbeds: x as tf.Tensor3D });
              return tf.addN(Array.from({ length: n }, (_, r) => target(out, r))) as tf.Scalar; // Σ_rows F (rows are independent)
            };
            const g = tf.grad(f)(scaled); // [n, S, H]
            return tf.add(previous, tf.sum(g, 0, true)); // [1, S, H]
          });
          previous.dispose();
        } finally {
          for (const t of [rows.inputIds, rows.tokenTypeIds, rows.attentionMask]) t.dispose();
        }
      }
      const endpoints = (ig ? [1, 0] : [1]).map(async (alpha) => {
        const value = tf.tidy(() => target(model.forward(batch, { training: false, inputsEmbeds: tf.mul(e, alpha) as tf.Tensor3D }), 0));
        try {
          return (await value.data())[0];
        } finally {
          value.dispose();
        }
      });
      [targetValue, baselineValue] = await Promise.all(endpoints);
      const scores = tf.tidy(() => tf.reshape(tf.sum(tf.mul(tf.div(sumGrad, m), e), 2), [S])); // [S] = Σ_h mean grad · (e − 0)
      try {
        const data = new Float32Array((await scores.data()) as Float32Array);
        return { method: options.method, scores: data, target: targetValue, ...(ig ? { baseline: baselineValue } : {}), steps: m };
      } finally {
        scores.dispose();
      }
    } finally {
      sumGrad.dispose();
    }
  } finally {
    e.dispose();
  }
}
