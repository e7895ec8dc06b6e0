import { describe, expect, it } from 'vitest';
import { createSmoother, smoothSeries } from './smoothing';

describe('smoothing (TensorBoard-style debiased EMA)', () => {
  it('starts at the first value (no pull towards zero) and follows the EMA recurrence', () => {
    const w = 0.9;
    const values = [4, 2, 3, 1, 5];
    let ema = 0;
    const expected = values.map((v, i) => {
      ema = ema * w + (1 - w) * v;
      return ema / (1 - Math.pow(w, i + 1));
    });
    const got = smoothSeries(values, w);
    expect(got[0]).toBeCloseTo(4, 12);
    got.forEach((g, i) => expect(g).toBeCloseTo(expected[i], 12));
  });

  it('weight 0 returns the values unchanged; a constant series stays constant', () => {
    expect(smoothSeries([1, 5, 2], 0)).toEqual([1, 5, 2]);
    smoothSeries(new Array(50).fill(0.7), 0.99).forEach((v) => expect(v).toBeCloseTo(0.7, 12));
  });

  it('skips NaN / Infinity without poisoning later points, and resets', () => {
    const s = createSmoother(0.5);
    expect(s.push(2)).toBe(2);
    expect(s.push(NaN)).toBe(2);
    expect(s.push(Infinity)).toBe(2);
    expect(s.push(4)).toBeCloseTo((0.5 * 0.5 * 2 + 0.5 * 4) / (1 - 0.25), 12);
    s.reset();
    expect(s.push(10)).toBe(10);
  });

  it('rejects weights outside [0, 1)', () => {
    expect(() => createSmoother(1)).toThrow(RangeError);
    expect(() => createSmoother(-0.1)).toThrow(RangeError);
  });

  it('smooths 100k points in one pass', () => {
    const values = Float64Array.from({ length: 100_000 }, (_, i) => Math.exp(-i / 20000) + ((i * 7919) % 13) / 100);
    const out = smoothSeries(values, 0.99);
    expect(out).toHaveLength(100_000);
    expect(out.every(Number.isFinite)).toBe(true);
    // Smoothing removes most of the saw-tooth noise: neighbouring points barely differ.
    let maxJump = 0;
    for (let i = 1000; i < out.length; i++) maxJump = Math.max(maxJump, Math.abs(out[i] - out[i - 1]));
    expect(maxJump).toBeLessThan(0.01);
  });
});
