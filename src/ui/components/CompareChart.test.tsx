// @vitest-environment jsdom
import { beforeAll, describe, expect, it } from 'vitest';

beforeAll(() => {
  window.matchMedia = ((q: string) => ({ matches: false, media: q, addEventListener() {}, removeEventListener() {} })) as unknown as typeof window.matchMedia;
});

describe('alignSeries (two runs on one step axis)', () => {
  it('merges the step axes and leaves gaps where a run has no point', async () => {
    const { alignSeries } = await import('./CompareChart');
    const data = alignSeries([
      { steps: [1, 2, 3], values: [0.9, 0.8, 0.7] },
      { steps: [2, 4], values: [0.6, 0.5] },
    ]);
    expect(Array.from(data[0])).toEqual([1, 2, 3, 4]);
    expect(Array.from(data[1])).toEqual([0.9, 0.8, 0.7, undefined]);
    expect(Array.from(data[2])).toEqual([undefined, 0.6, undefined, 0.5]);
  });
  it('returns an empty axis for no runs', async () => {
    const { alignSeries } = await import('./CompareChart');
    expect(alignSeries([])).toEqual([[]]);
  });
});
