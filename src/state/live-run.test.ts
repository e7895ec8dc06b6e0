import { describe, expect, it } from 'vitest';
import { applyEvent } from './apply-event';
import { LIVE_RUN_INTERVAL_MS, withLiveRun } from './live-run';
import { createSeriesStore } from './series';
import { createStudioStore } from './store';
import type { RunRecord } from '../core/io';
import type { StepMetrics } from '../core/train';

const step = (n: number): StepMetrics => ({ step: n, epoch: 0, loss: 1 / n, learningRate: 1e-4, gradNorm: 1, examplesPerSec: 8, tokensPerSec: 800, memoryBytes: 0, numTensors: 0 });

const record = (id: string, lastStep: number): RunRecord => ({
  id, name: id, created: 0, updated: 0, task: 'mrpc', settings: {}, labels: ['0', '1'], fingerprint: 'f', fileNames: [], status: 'running', isDemo: false,
  model: null, backend: 'webgpu', totalSteps: 25, lastStep, lastLoss: null, lastCheckpointStep: null, evals: [], finalMetrics: null, error: null,
});

describe('live run in the run list', () => {
  it('refreshes the current run at most every interval while steps stream in', () => {
    const store = createStudioStore();
    const series = createSeriesStore();
    store.setState({ runId: 'r1' });
    const updates: number[] = [];
    store.subscribe((s, prev) => {
      if (s.liveRun !== prev.liveRun) updates.push(s.liveRun!.step);
    });
    // 40 steps, one every 50 ms: 2 s of training.
    for (let i = 1; i <= 40; i++) applyEvent(store, series, { type: 'step', steps: [step(i)] }, i * 50);
    const expected: number[] = [];
    let last = -Infinity;
    for (let i = 1; i <= 40; i++) {
      if (i * 50 - last >= LIVE_RUN_INTERVAL_MS) {
        expected.push(i);
        last = i * 50;
      }
    }
    expect(updates).toEqual(expected);
    expect(updates.length).toBeLessThanOrEqual(2000 / LIVE_RUN_INTERVAL_MS + 1);
    expect(store.getState().liveRun).toMatchObject({ runId: 'r1', step: expected.at(-1), loss: 1 / expected.at(-1)! });
  });

  it('shows the live step and loss on the current run only, and never an older step than the stored one', () => {
    const runs = [record('r1', 0), record('r2', 10)];
    expect(withLiveRun(runs, { runId: 'r1', step: 7, loss: 0.5, time: 0 }).map((r) => [r.id, r.lastStep, r.lastLoss])).toEqual([['r1', 7, 0.5], ['r2', 10, null]]);
    expect(withLiveRun(runs, { runId: 'r2', step: 5, loss: 0.5, time: 0 })).toEqual(runs);
    expect(withLiveRun(runs, null)).toEqual(runs);
  });
});
