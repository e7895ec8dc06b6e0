/**
 * Learning-rate schedules. `step` is the number of optimizer steps already taken (0 for the
 * first update, as google-research/bert's global_step and PyTorch's LambdaLR count).
 *   google: step < warmup ? lr·step/warmup : lr·(1 − min(step, total)/total)
 *           (optimization.py: polynomial_decay power 1 to 0, then linear warmup)
 *   linear: step < warmup ? lr·step/max(1, warmup) : lr·max(0, (total − step)/max(1, total − warmup))
 *           (transformers.get_linear_schedule_with_warmup: linear decay from the peak)
 *   constant: step < warmup ? lr·step/max(1, warmup) : lr
 *           (transformers.get_constant_schedule_with_warmup; with no warmup, get_constant_schedule:
 *           the LoRA fixtures' AdamW steps)
 */
import type { OptimizerConfig } from './types';

export function learningRateAt(c: Pick<OptimizerConfig, 'learningRate' | 'numTrainSteps' | 'numWarmupSteps' | 'schedule'>, step: number): number {
  const { learningRate: lr, numTrainSteps: total, numWarmupSteps: warmup } = c;
  if (c.schedule === 'google') {
    if (step < warmup) return (lr * step) / warmup;
    return total > 0 ? lr * (1 - Math.min(step, total) / total) : lr;
  }
  if (step < warmup) return (lr * step) / Math.max(1, warmup);
  if (c.schedule === 'constant') return lr;
  return lr * Math.max(0, (total - step) / Math.max(1, total - warmup));
}
