import { describe, expect, it, vi } from 'vitest';
import { createEventThrottle } from './throttle';
import type { WorkerEvent } from './events';
import type { StepMetrics } from '../core/train';

function step(n: number): StepMetrics {
  return { step: n, epoch: 0, loss: 1 / n, learningRate: 1e-3, gradNorm: 1, examplesPerSec: 10, tokensPerSec: 100, memoryBytes: 0, numTensors: 0 };
}

function manualTimers() {
  const pending: Array<{ fn: () => void; ms: number }> = [];
  return {
    pending,
    setTimer: (fn: () => void, ms: number) => {
      const h = { fn, ms };
      pending.push(h);
      return h;
    },
    clearTimer: (h: unknown) => {
      const i = pending.indexOf(h as { fn: () => void; ms: number });
      if (i >= 0) pending.splice(i, 1);
    },
    fire() {
      const all = pending.splice(0);
      for (const h of all) h.fn();
    },
  };
}

describe('createEventThrottle', () => {
  it('coalesces steps into one batch per interval, in order', () => {
    const sent: WorkerEvent[] = [];
    const timers = manualTimers();
    const t = createEventThrottle((e) => sent.push(e), { intervalMs: 80, setTimer: timers.setTimer, clearTimer: timers.clearTimer });
    for (let i = 1; i <= 5; i++) t.push({ type: 'step', steps: [step(i)] });
    expect(sent).toEqual([]);
    expect(timers.pending).toHaveLength(1);
    expect(timers.pending[0].ms).toBe(80);
    timers.fire();
    expect(sent).toEqual([{ type: 'step', steps: [1, 2, 3, 4, 5].map(step) }]);
  });

  it('keeps only the latest progress per phase, progress before steps', () => {
    const sent: WorkerEvent[] = [];
    const timers = manualTimers();
    const t = createEventThrottle((e) => sent.push(e), { setTimer: timers.setTimer, clearTimer: timers.clearTimer });
    t.push({ type: 'step', steps: [step(1)] });
    t.push({ type: 'progress', phase: 'epoch', done: 1, total: 10 });
    t.push({ type: 'progress', phase: 'evaluating', done: 3, total: 8 });
    t.push({ type: 'progress', phase: 'epoch', done: 2, total: 10 });
    timers.fire();
    expect(sent).toEqual([
      { type: 'progress', phase: 'evaluating', done: 3, total: 8 },
      { type: 'progress', phase: 'epoch', done: 2, total: 10 },
      { type: 'step', steps: [step(1)] },
    ]);
  });

  it('flushes pending steps before any other event, keeping the order', () => {
    const sent: WorkerEvent[] = [];
    const timers = manualTimers();
    const t = createEventThrottle((e) => sent.push(e), { setTimer: timers.setTimer, clearTimer: timers.clearTimer });
    t.push({ type: 'step', steps: [step(1), step(2)] });
    t.push({ type: 'eval', result: { step: 2, epoch: 0.5, metrics: { accuracy: 0.5 } } });
    expect(sent.map((e) => e.type)).toEqual(['step', 'eval']);
    expect(timers.pending).toHaveLength(0);
    t.push({ type: 'step', steps: [step(3)] });
    t.dispose();
    expect(sent[2]).toEqual({ type: 'step', steps: [step(3)] });
  });

  it("uses the platform's setTimeout by default (driven by vitest's fake clock here)", () => {
    vi.useFakeTimers();
    try {
      const sent: WorkerEvent[] = [];
      const t = createEventThrottle((e) => sent.push(e), { intervalMs: 80 });
      t.push({ type: 'step', steps: [step(1)] });
      vi.advanceTimersByTime(79);
      expect(sent).toEqual([]);
      vi.advanceTimersByTime(1);
      expect(sent).toEqual([{ type: 'step', steps: [step(1)] }]);
    } finally {
      vi.useRealTimers();
    }
  });
});
