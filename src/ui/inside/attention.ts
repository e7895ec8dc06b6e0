/**
 * Attention maps for drawing: one layer's [N, S, S] probabilities reduced to a [S, S] matrix for a
 * head or the mean over heads, and the colour of a cell. Pure functions (tested without a canvas).
 */
import type { AttentionMaps } from '../../core/pipeline';

/** 'mean' or a head index. */
export type HeadChoice = 'mean' | number;

/** The [S, S] matrix (query row, key column) of `layer` for `head`, row-major. */
export function attentionMatrix(maps: AttentionMaps, layer: number, head: HeadChoice): Float32Array {
  const S = maps.length;
  const N = maps.heads;
  const probs = maps.probs[layer];
  if (head !== 'mean') return probs.slice(head * S * S, (head + 1) * S * S);
  const out = new Float32Array(S * S);
  for (let h = 0; h < N; h++) for (let i = 0; i < S * S; i++) out[i] += probs[h * S * S + i];
  for (let i = 0; i < S * S; i++) out[i] /= N;
  return out;
}

/** Cell colour for probability p ∈ [0, 1], scaled by the matrix's largest value: white to indigo. */
export function cellColour(p: number, max: number): [number, number, number] {
  const t = max > 0 ? Math.max(0, Math.min(1, p / max)) : 0;
  // #ffffff -> #3730a3 (a perceptually steady ramp in sRGB is good enough for a heatmap of 0..1)
  return [Math.round(255 - t * (255 - 55)), Math.round(255 - t * (255 - 48)), Math.round(255 - t * (255 - 163))];
}

/** Tint of a token for an attribution score: green pushes the answer up, red pulls it down; alpha ∝ |score| / max |score|. */
export function attributionTint(score: number, maxAbs: number): string {
  const a = maxAbs > 0 ? Math.min(1, Math.abs(score) / maxAbs) : 0;
  const alpha = (0.08 + 0.72 * a).toFixed(3);
  return score >= 0 ? `rgba(22, 163, 74, ${alpha})` : `rgba(220, 38, 38, ${alpha})`;
}
