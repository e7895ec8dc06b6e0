import { describe, expect, it } from 'vitest';
import { formatTick } from './ticks';

describe('formatTick', () => {
  it('prints learning-rate ticks in exponent form instead of 0', () => {
    const splits = [0, 1e-5, 2e-5, 3e-5, 4e-5, 5e-5];
    expect(splits.map((v) => formatTick(v, splits))).toEqual(['0', '1e-5', '2e-5', '3e-5', '4e-5', '5e-5']);
    const fine = [1.5e-5, 2e-5, 2.5e-5];
    expect(fine.map((v) => formatTick(v, fine))).toEqual(['1.5e-5', '2e-5', '2.5e-5']);
  });
  it('prints ordinary ticks with as many decimals as the spacing needs', () => {
    const loss = [0, 0.2, 0.4, 0.6];
    expect(loss.map((v) => formatTick(v, loss))).toEqual(['0', '0.2', '0.4', '0.6']);
    const steps = [0, 2000, 4000];
    expect(steps.map((v) => formatTick(v, steps))).toEqual(['0', '2000', '4000']);
    const norm = [1, 1.25, 1.5];
    expect(norm.map((v) => formatTick(v, norm))).toEqual(['1.00', '1.25', '1.50']);
  });
  it('uses exponents for very large values', () => {
    expect(formatTick(2.5e8, [0, 2.5e8])).toBe('2.5e8');
  });
});
