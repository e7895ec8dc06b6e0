import { describe, expect, it } from 'vitest';
import { attentionMatrix, attributionTint, cellColour } from './attention';

describe('attention maps for drawing', () => {
  // 2 heads, 2 tokens: head 0 looks at token 0, head 1 at token 1.
  const maps = { layers: 1, heads: 2, length: 2, probs: [Float32Array.from([1, 0, 1, 0, 0, 1, 0, 1])] };

  it('takes one head, or the mean over heads (rows still sum to 1)', () => {
    expect(Array.from(attentionMatrix(maps, 0, 0))).toEqual([1, 0, 1, 0]);
    expect(Array.from(attentionMatrix(maps, 0, 1))).toEqual([0, 1, 0, 1]);
    expect(Array.from(attentionMatrix(maps, 0, 'mean'))).toEqual([0.5, 0.5, 0.5, 0.5]);
  });

  it('colours cells from white (0) to indigo (the largest value), and tints by sign and size', () => {
    expect(cellColour(0, 0.5)).toEqual([255, 255, 255]);
    expect(cellColour(0.5, 0.5)).toEqual([55, 48, 163]);
    expect(attributionTint(1, 2)).toMatch(/^rgba\(22, 163, 74, 0\.44/);
    expect(attributionTint(-2, 2)).toMatch(/^rgba\(220, 38, 38, 0\.800\)$/);
  });
});
