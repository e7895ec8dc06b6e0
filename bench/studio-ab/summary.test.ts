/**
 * bench/studio-ab/summary.ts: step intervals from arrival times (warm-up excluded, gaps refused),
 * median / spread, and the old/new ratios per round and overall.
 */
import { describe, expect, it } from 'vitest';
import { compareRounds, formatTable, median, perStepCount, spread, stepIntervals } from './summary';

const arrivals = (ts: number[], firstStep = 1) => ts.map((t, i) => ({ step: firstStep + i, t }));

describe('stepIntervals', () => {
  it('skips the warm-up steps and returns the next intervals in seconds', () => {
    // Step 1 at 90 s (compile), then 10 s, 12 s, 11 s, 13 s, 9 s apart.
    const a = arrivals([90_000, 100_000, 112_000, 123_000, 136_000, 145_000]);
    expect(stepIntervals(a, 1, 5)).toEqual([10, 12, 11, 13, 9]);
    expect(stepIntervals(a, 2, 4)).toEqual([12, 11, 13, 9]);
    expect(stepIntervals(a, 2, 2)).toEqual([12, 11]);
  });

  it('counts steps coalesced into one event (same arrival time) as a zero interval', () => {
    expect(stepIntervals(arrivals([0, 5000, 5000, 9000], 7), 1, 3)).toEqual([5, 0, 4]);
  });

  it('refuses too few arrivals, a gap in the step numbers, and warmup 0', () => {
    expect(() => stepIntervals(arrivals([0, 1000, 2000]), 2, 4)).toThrow(/at least 6 step arrivals/);
    expect(() => stepIntervals([{ step: 1, t: 0 }, { step: 2, t: 1 }, { step: 4, t: 2 }], 1, 2)).toThrow(/step 2 then 4/);
    expect(() => stepIntervals(arrivals([0, 1000]), 0, 1)).toThrow(/warmup/);
  });
});

describe('median and spread', () => {
  it('takes the middle value, or the mean of the two middle values', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(spread([4, 1, 3, 2])).toEqual({ min: 1, max: 4 });
    expect(() => median([])).toThrow(/no values/);
  });
});

describe('perStepCount', () => {
  it('takes the median difference of the running totals, so a pipeline edge does not skew it', () => {
    expect(perStepCount([1226, 1839, 2452, 3065, 3678, 4291])).toBe(613);
    // The last step was reported before anything more was submitted (the epoch's end).
    expect(perStepCount([625, 758, 891, 1024, 1157, 1157])).toBe(133);
    expect(perStepCount([1, undefined, 3])).toBeNull();
    expect(perStepCount([5])).toBeNull();
  });
});

describe('compareRounds', () => {
  it('gives per-round ratios of the medians, the pooled ratio and the geometric mean', () => {
    const c = compareRounds([
      { old: [40, 44, 42], new: [10, 11, 12] }, // medians 42 / 11
      { old: [30, 30, 30], new: [15, 15, 15] }, // 30 / 15 = 2
    ]);
    expect(c.rounds[0]).toEqual({ oldMedian: 42, newMedian: 11, ratio: 42 / 11 });
    expect(c.rounds[1].ratio).toBe(2);
    // Pooled: median(30,30,30,40,42,44) = 35, median(10,11,12,15,15,15) = 13.5.
    expect(c.pooledRatio).toBeCloseTo(35 / 13.5, 12);
    expect(c.geomeanRatio).toBeCloseTo(Math.sqrt((42 / 11) * 2), 12);
    expect(c.ratioRange).toEqual({ min: 2, max: 42 / 11 });
  });

  it('refuses a round without timed steps for one build', () => {
    expect(() => compareRounds([{ old: [1], new: [] }])).toThrow(/round 1 has no timed steps for the new build/);
    expect(() => compareRounds([])).toThrow(/no rounds/);
  });
});

describe('formatTable', () => {
  it('right-aligns every column under its header', () => {
    expect(formatTable(['a', 'bb'], [['100', 2]])).toBe('  a  bb\n---  --\n100   2');
    expect(() => formatTable(['a'], [['1', '2']])).toThrow(/row 1 has 2 cells/);
  });
});
