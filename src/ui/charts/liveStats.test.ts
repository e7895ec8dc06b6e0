import { describe, expect, it } from 'vitest';
import { createSeriesStore } from '../../state/series';
import { chartableMetrics, computeLiveStats } from './liveStats';

const step = (i: number, eps: number) => ({
  step: i, epoch: i / 10, loss: 1 / i, learningRate: 1e-4, gradNorm: 2, examplesPerSec: eps, tokensPerSec: eps * 128, memoryBytes: 1000 * i, numTensors: 50,
});

describe('computeLiveStats', () => {
  it('is empty before the first step', () => {
    const s = createSeriesStore();
    expect(computeLiveStats(s.columns(), 100, 32)).toMatchObject({ points: 0, step: null, loss: null, etaSeconds: null });
  });
  it('reports the latest values, the mean speed of the last window and the ETA', () => {
    const s = createSeriesStore();
    s.append(Array.from({ length: 30 }, (_, k) => step(k + 1, k < 10 ? 1 : 16)));
    const st = computeLiveStats(s.columns(), 100, 32, 20);
    expect(st.points).toBe(30);
    expect(st.step).toBe(30);
    expect(st.loss).toBeCloseTo(1 / 30, 12);
    expect(st.examplesPerSec).toBe(16);
    expect(st.tokensPerSec).toBe(16 * 128);
    expect(st.memoryBytes).toBe(30000);
    // 70 steps left x 32 examples per step / 16 examples per second
    expect(st.etaSeconds).toBe(140);
    expect(computeLiveStats(s.columns(), null, 32).etaSeconds).toBeNull();
  });
  it('keeps 10k+ points', () => {
    const s = createSeriesStore();
    for (let b = 0; b < 120; b++) s.append(Array.from({ length: 100 }, (_, k) => step(b * 100 + k + 1, 10)));
    expect(computeLiveStats(s.columns(), 12000, 8).points).toBe(12000);
    expect(computeLiveStats(s.columns(), 12000, 8).etaSeconds).toBe(0);
  });
});

describe('chartableMetrics', () => {
  it('puts the headline metrics first and drops counts and thresholds', () => {
    expect(chartableMetrics(['total', 'f1', 'exact', 'HasAns_total', 'best_f1_thresh', 'HasAns_f1'])).toEqual(['f1', 'exact', 'HasAns_f1']);
    expect(chartableMetrics(['zeta', 'alpha'])).toEqual(['alpha', 'zeta']);
    expect(chartableMetrics(['accuracy', 'f1', 'accuracy'])).toEqual(['accuracy', 'f1']);
  });
});
