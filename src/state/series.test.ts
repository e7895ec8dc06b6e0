import { describe, expect, it } from 'vitest';
import { createSeriesStore } from './series';
import type { StepMetrics } from '../core/train';

const step = (n: number, loss: number): StepMetrics => ({
  step: n, epoch: n / 10, loss, learningRate: n * 1e-5, gradNorm: n / 2, examplesPerSec: 30, tokensPerSec: 3000, memoryBytes: 1000 + n, numTensors: 200,
});

describe('series store', () => {
  it('appends into typed columns, growing past its capacity', () => {
    const s = createSeriesStore(0.9, 4);
    const steps = Array.from({ length: 37 }, (_, i) => step(i + 1, 2 - i * 0.01));
    s.append(steps.slice(0, 3));
    s.append(steps.slice(3));
    expect(s.length).toBe(37);
    const c = s.columns();
    expect(c.step).toBeInstanceOf(Float64Array);
    expect(Array.from(c.step)).toEqual(steps.map((x) => x.step));
    expect(Array.from(c.loss)).toEqual(steps.map((x) => x.loss));
    expect(Array.from(c.learningRate)).toEqual(steps.map((x) => x.learningRate));
    expect(Array.from(c.memoryBytes)).toEqual(steps.map((x) => x.memoryBytes));
    expect(s.toSteps()).toEqual(steps);
  });

  it('smooths the loss with a bias-corrected exponential moving average', () => {
    const s = createSeriesStore(0.5);
    s.append([step(1, 4), step(2, 2), step(3, 1)]);
    // TensorBoard's debiased EMA: ema_t = s·ema_{t-1} + (1-s)·x_t, shown as ema_t / (1 - s^t).
    const e1 = 0.5 * 4;
    const w1 = 0.5;
    const e2 = 0.5 * e1 + 0.5 * 2;
    const w2 = 0.5 * w1 + 0.5;
    const e3 = 0.5 * e2 + 0.5 * 1;
    const w3 = 0.5 * w2 + 0.5;
    expect(Array.from(s.columns().smoothedLoss)).toEqual([e1 / w1, e2 / w2, e3 / w3]);
  });

  it('notifies subscribers once per change and bumps the version', () => {
    const s = createSeriesStore();
    let calls = 0;
    const unsub = s.subscribe(() => calls++);
    const v0 = s.getVersion();
    s.append([step(1, 1), step(2, 1)]);
    s.append([]);
    expect(calls).toBe(1);
    expect(s.getVersion()).toBe(v0 + 1);
    s.load([step(5, 3)]);
    expect(s.length).toBe(1);
    expect(s.columns().smoothedLoss[0]).toBe(3);
    s.reset();
    expect(s.length).toBe(0);
    expect(calls).toBe(3);
    unsub();
    s.append([step(1, 1)]);
    expect(calls).toBe(3);
  });
});
