/**
 * A look inside one answered input: the attention probabilities of every layer and head
 * (model forward with outputAttentions) and each token's attribution to the answer
 * (core/eval/attribution.ts) for one feature, cut to its real tokens (padding dropped: the mask
 * gives padded keys a weight of exp(−10000) = 0, so nothing changes for the real ones).
 *
 *   target 'label'  the classification logit of a label (the predicted one), or the regression value
 *   target 'span'   start logit at `start` + end logit at `end` (the score run_squad ranks spans by)
 *
 * The pipelines call this from `answer` / `classify` when asked (PredictOptions.explain), so the
 * demos, the CLI and the session's predict command share it.
 * Glossary: L layers, N heads, S real tokens of the feature, H hidden size.
 */
import * as tf from '@tensorflow/tfjs-core';
import { tokenAttributions, type AttributionMethod } from '../eval/attribution';
import { batchLimitsOf, disposeBatch, toDeviceBatch } from '../model/batch';
import type { BertModel, BertOutputs } from '../model/types';

export interface ExplainOptions {
  /** Return every layer's attention probabilities. */
  attentions?: boolean;
  /** Token attributions by this method (none when absent). */
  attributions?: AttributionMethod;
  /** Integrated gradients' steps (default 20). */
  steps?: number;
}

export interface AttentionMaps {
  layers: number;
  heads: number;
  /** Tokens per side (S). */
  length: number;
  /** Per layer: [N, S, S] row-major (query row, key column), each row sums to 1. */
  probs: Float32Array[];
}

export interface TokenAttributionScores {
  method: AttributionMethod;
  steps: number;
  /** What was attributed, for the page ("label “1”", "span start 12 + end 14"). */
  target: string;
  /** One score per token (positive: pushes the target up). */
  scores: number[];
  /** The target at the input, and at the all-zero baseline (integrated gradients). */
  targetValue: number;
  baselineValue?: number;
}

export interface LookInside {
  /** The feature's WordPiece tokens ([CLS] … [SEP] …) the maps and scores refer to. */
  tokens: string[];
  segmentIds: number[];
  attentions?: AttentionMaps;
  attributions?: TokenAttributionScores;
}

/** The token ids of one feature (run_classifier's or run_squad's). */
export interface FeatureInput {
  input_ids: readonly number[];
  input_mask: readonly number[];
  segment_ids: readonly number[];
}

export type InsideTarget = { kind: 'label'; index: number; name: string } | { kind: 'span'; start: number; end: number };

function targetScalar(target: InsideTarget) {
  return (out: BertOutputs, row: number): tf.Scalar => {
    if (target.kind === 'label') return tf.squeeze(tf.slice(out.logits!, [row, target.index], [1, 1])) as tf.Scalar;
    const start = tf.slice(out.startLogits!, [row, target.start], [1, 1]);
    const end = tf.slice(out.endLogits!, [row, target.end], [1, 1]);
    return tf.squeeze(tf.add(start, end)) as tf.Scalar;
  };
}

export async function lookInside(model: BertModel, feature: FeatureInput, tokens: readonly string[], target: InsideTarget, options: ExplainOptions): Promise<LookInside> {
  let S = 0;
  while (S < feature.input_mask.length && feature.input_mask[S]) S++;
  const out: LookInside = { tokens: tokens.slice(0, S), segmentIds: feature.segment_ids.slice(0, S) };
  const batch = toDeviceBatch(
    { batchSize: 1, seqLength: S, inputIds: Int32Array.from(feature.input_ids.slice(0, S)), tokenTypeIds: Int32Array.from(feature.segment_ids.slice(0, S)), attentionMask: new Int32Array(S).fill(1) },
    batchLimitsOf(model),
  );
  try {
    if (options.attentions) {
      const maps = tf.tidy(() => model.forward(batch, { training: false, outputAttentions: true }).attentions ?? []); // L × [1, N, S, S]
      try {
        const probs = await Promise.all(maps.map(async (t) => new Float32Array((await t.data()) as Float32Array)));
        out.attentions = { layers: maps.length, heads: model.config.numAttentionHeads, length: S, probs };
      } finally {
        tf.dispose(maps);
      }
    }
    if (options.attributions) {
      const a = await tokenAttributions(model, batch, targetScalar(target), { method: options.attributions, steps: options.steps ?? 20 });
      out.attributions = {
        method: a.method,
        steps: a.steps,
        target: target.kind === 'label' ? `label “${target.name}”` : `span: start token ${target.start} + end token ${target.end}`,
        scores: Array.from(a.scores),
        targetValue: a.target,
        ...(a.baseline !== undefined ? { baselineValue: a.baseline } : {}),
      };
    }
  } finally {
    disposeBatch(batch);
  }
  return out;
}
