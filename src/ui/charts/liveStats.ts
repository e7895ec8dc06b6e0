/** The numbers shown above the charts, computed from the series columns (no React state). */
import type { SeriesColumns } from '../../state/series';

export interface LiveStats {
  points: number;
  step: number | null;
  epoch: number | null;
  loss: number | null;
  smoothedLoss: number | null;
  learningRate: number | null;
  gradNorm: number | null;
  /** Mean over the last `window` steps (steady-state speed, not one noisy step). */
  examplesPerSec: number | null;
  tokensPerSec: number | null;
  memoryBytes: number | null;
  /** Seconds left at the recent speed; null when unknown. */
  etaSeconds: number | null;
}

export function computeLiveStats(cols: SeriesColumns, totalSteps: number | null, examplesPerStep: number | null, window = 20): LiveStats {
  const n = cols.step.length;
  if (n === 0) {
    return { points: 0, step: null, epoch: null, loss: null, smoothedLoss: null, learningRate: null, gradNorm: null, examplesPerSec: null, tokensPerSec: null, memoryBytes: null, etaSeconds: null };
  }
  const last = n - 1;
  const from = Math.max(0, n - window);
  let ex = 0;
  let tok = 0;
  let k = 0;
  for (let i = from; i < n; i++) {
    if (cols.examplesPerSec[i] > 0) {
      ex += cols.examplesPerSec[i];
      tok += cols.tokensPerSec[i];
      k++;
    }
  }
  const examplesPerSec = k > 0 ? ex / k : null;
  const step = cols.step[last];
  let etaSeconds: number | null = null;
  if (totalSteps !== null && examplesPerStep !== null && examplesPerStep > 0 && examplesPerSec !== null) {
    etaSeconds = Math.max(0, totalSteps - step) * (examplesPerStep / examplesPerSec);
  }
  return {
    points: n,
    step,
    epoch: cols.epoch[last],
    loss: cols.loss[last],
    smoothedLoss: cols.smoothedLoss[last],
    learningRate: cols.learningRate[last],
    gradNorm: cols.gradNorm[last],
    examplesPerSec,
    tokensPerSec: k > 0 ? tok / k : null,
    memoryBytes: cols.memoryBytes[last] > 0 ? cols.memoryBytes[last] : null,
    etaSeconds,
  };
}

/** Which eval metrics to chart, in a stable order (the headline metrics first). */
const PREFERRED = ['accuracy', 'masked_accuracy', 'f1', 'mcc', 'matthews_corrcoef', 'pearson', 'spearman', 'exact_match', 'exact', 'HasAns_f1', 'NoAns_f1'];
export function chartableMetrics(keys: Iterable<string>): string[] {
  const all = [...new Set(keys)].filter((k) => !/total|count|thresh|loss|^n_|num_/i.test(k));
  const first = PREFERRED.filter((k) => all.includes(k));
  return first.length > 0 ? first : all.sort();
}
