/**
 * Per-class precision, recall and F1 from a confusion matrix (rows gold, columns predicted), as
 * sklearn's precision_recall_fscore_support(average=None) with zero_division=0:
 *   precision_c = M[c][c] / Σ_g M[g][c]   recall_c = M[c][c] / Σ_p M[c][p]   F1 = 2PR / (P + R)
 * support_c = Σ_p M[c][p] (gold examples of class c).
 */
import type { ConfusionMatrix } from './glue-metrics';

export interface ClassMetrics {
  label: string;
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

export function perClassMetrics(m: ConfusionMatrix): ClassMetrics[] {
  return m.labels.map((label, c) => {
    const tp = m.counts[c][c];
    const predicted = m.counts.reduce((s, row) => s + row[c], 0);
    const support = m.counts[c].reduce((s, x) => s + x, 0);
    const precision = predicted > 0 ? tp / predicted : 0;
    const recall = support > 0 ? tp / support : 0;
    const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
    return { label, precision, recall, f1, support };
  });
}
