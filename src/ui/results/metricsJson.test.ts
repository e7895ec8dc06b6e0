import { describe, expect, it } from 'vitest';
import type { EvalResult } from '../../core/train';
import { buildMetricsJson } from './metricsJson';

describe('buildMetricsJson (the CLI metrics.json layout)', () => {
  const cols = { step: Float64Array.from([1, 2]), loss: Float64Array.from([0.7, 0.6]), learningRate: Float64Array.from([1e-5, 2e-5]) };
  const evals: EvalResult[] = [
    { step: 1, epoch: 0.5, metrics: { accuracy: 0.5 } },
    { step: 2, epoch: 1, metrics: { accuracy: 0.75, f1: 0.8 } },
  ];
  it('lists every step and evaluation, and the final metrics', () => {
    expect(buildMetricsJson(cols, evals, { accuracy: 0.75, f1: 0.8 })).toEqual({
      train: [
        { step: 1, loss: 0.7, learning_rate: 1e-5 },
        { step: 2, loss: 0.6, learning_rate: 2e-5 },
      ],
      eval: evals,
      final: { accuracy: 0.75, f1: 0.8 },
    });
  });
  it('falls back to the last evaluation, or to nothing', () => {
    expect(buildMetricsJson(cols, evals, null).final).toEqual({ accuracy: 0.75, f1: 0.8 });
    expect(buildMetricsJson({ step: [], loss: [], learningRate: [] }, [], null)).toEqual({ train: [], eval: [], final: {} });
  });
});
