/**
 * metrics.json as the `tabtune train` CLI writes it:
 *   {"train":[{"step","loss","learning_rate"}...],"eval":[{"step","epoch","metrics":{...}}...],"final":{...}}
 */
import type { EvalResult } from '../../core/train';

export interface MetricsJson {
  train: Array<{ step: number; loss: number; learning_rate: number }>;
  eval: Array<{ step: number; epoch: number; metrics: Record<string, number> }>;
  final: Record<string, number>;
}

export function buildMetricsJson(
  columns: { step: ArrayLike<number>; loss: ArrayLike<number>; learningRate: ArrayLike<number> },
  evals: readonly EvalResult[],
  final: Record<string, number> | null,
): MetricsJson {
  const train: MetricsJson['train'] = [];
  for (let i = 0; i < columns.step.length; i++) train.push({ step: columns.step[i], loss: columns.loss[i], learning_rate: columns.learningRate[i] });
  return {
    train,
    eval: evals.map((e) => ({ step: e.step, epoch: e.epoch, metrics: { ...e.metrics } })),
    final: final ?? (evals.length > 0 ? { ...evals[evals.length - 1].metrics } : {}),
  };
}
