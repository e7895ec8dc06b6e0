/**
 * GLUE metrics as the benchmark defines them: accuracy; F1 of the positive class "1" (MRPC, QQP);
 * Matthews correlation (CoLA); Pearson and Spearman correlation (STS-B, ties get average ranks).
 * Values are fractions in [0, 1] (correlations in [-1, 1]), as sklearn / scipy return them.
 */
import { TabtuneError } from '../errors';
import type { TaskName } from '../data/types';

export type GlueMetricName = 'accuracy' | 'f1' | 'mcc' | 'pearson' | 'spearman';

/** Which metrics a task reports, the first being the one to rank runs by. */
export const GLUE_TASK_METRICS: Record<Exclude<TaskName, 'squad' | 'squad2' | 'mlm'>, readonly GlueMetricName[]> = {
  cola: ['mcc'],
  'sst-2': ['accuracy'],
  mrpc: ['f1', 'accuracy'],
  qqp: ['f1', 'accuracy'],
  'sts-b': ['pearson', 'spearman'],
  mnli: ['accuracy'],
  'mnli-mm': ['accuracy'],
  qnli: ['accuracy'],
  rte: ['accuracy'],
  wnli: ['accuracy'],
  tsv: ['accuracy'],
};

export type ClassificationTask = Exclude<keyof typeof GLUE_TASK_METRICS, 'sts-b'>;

function checkLengths(n: number, m: number) {
  if (n !== m) {
    throw new TabtuneError(`${n} predictions for ${m} gold labels`, { expected: 'one prediction per example', code: 'metric-length' });
  }
  if (n === 0) throw new TabtuneError('no examples to score', { expected: 'at least one prediction', code: 'metric-length' });
}

export function accuracy(predictions: readonly string[], labels: readonly string[]): number {
  checkLengths(predictions.length, labels.length);
  let right = 0;
  for (let i = 0; i < labels.length; i++) if (predictions[i] === labels[i]) right++;
  return right / labels.length;
}

/** Binary F1 of `positive` (sklearn f1_score, pos_label): 0 when there is no true positive. */
export function f1Binary(predictions: readonly string[], labels: readonly string[], positive = '1'): number {
  checkLengths(predictions.length, labels.length);
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (let i = 0; i < labels.length; i++) {
    const p = predictions[i] === positive;
    const g = labels[i] === positive;
    if (p && g) tp++;
    else if (p) fp++;
    else if (g) fn++;
  }
  return tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
}

export interface ConfusionMatrix {
  /** Class names, in the order of rows (gold) and columns (predicted). */
  labels: string[];
  /** counts[gold][predicted]. */
  counts: number[][];
}

/**
 * Counts of (gold, predicted) pairs. `labelList` fixes the class order (the task's label list);
 * classes seen in the data but not listed are appended in order of appearance.
 */
export function confusionMatrix(predictions: readonly string[], labels: readonly string[], labelList: readonly string[] = []): ConfusionMatrix {
  checkLengths(predictions.length, labels.length);
  const names = [...labelList];
  const index = new Map(names.map((n, i) => [n, i]));
  const idOf = (name: string) => {
    let i = index.get(name);
    if (i === undefined) {
      i = names.length;
      names.push(name);
      index.set(name, i);
    }
    return i;
  };
  const pairs = labels.map((g, i) => [idOf(g), idOf(predictions[i])] as const);
  const counts = names.map(() => names.map(() => 0));
  for (const [g, p] of pairs) counts[g][p]++;
  return { labels: names, counts };
}

/** Matthews correlation coefficient, multiclass form (sklearn matthews_corrcoef); 0 when undefined. */
export function matthewsCorrelation(predictions: readonly string[], labels: readonly string[]): number {
  const { counts } = confusionMatrix(predictions, labels);
  const k = counts.length;
  const t = new Array<number>(k).fill(0); // true occurrences per class
  const p = new Array<number>(k).fill(0); // predicted occurrences per class
  let c = 0;
  let s = 0;
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      t[i] += counts[i][j];
      p[j] += counts[i][j];
      s += counts[i][j];
    }
    c += counts[i][i];
  }
  let tp = 0;
  let pp = 0;
  let tt = 0;
  for (let i = 0; i < k; i++) {
    tp += t[i] * p[i];
    pp += p[i] * p[i];
    tt += t[i] * t[i];
  }
  const cov = c * s - tp;
  const denom = Math.sqrt((s * s - pp) * (s * s - tt));
  return denom === 0 ? 0 : cov / denom;
}

function mean(xs: readonly number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

/** Pearson's r (scipy.stats.pearsonr); NaN when either side is constant. */
export function pearson(xs: readonly number[], ys: readonly number[]): number {
  checkLengths(xs.length, ys.length);
  const mx = mean(xs);
  const my = mean(ys);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < xs.length; i++) {
    const dx = xs[i] - mx;
    const dy = ys[i] - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  const r = sxy / Math.sqrt(sxx * syy);
  return Math.max(-1, Math.min(1, r));
}

/** 1-based ranks with ties sharing their average rank (scipy.stats.rankdata 'average'). */
export function averageRanks(xs: readonly number[]): number[] {
  const order = xs.map((_, i) => i).sort((a, b) => xs[a] - xs[b]);
  const ranks = new Array<number>(xs.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && xs[order[j + 1]] === xs[order[i]]) j++;
    const r = (i + j) / 2 + 1;
    for (let m = i; m <= j; m++) ranks[order[m]] = r;
    i = j + 1;
  }
  return ranks;
}

/** Spearman's rho: Pearson's r of the average ranks (scipy.stats.spearmanr). */
export function spearman(xs: readonly number[], ys: readonly number[]): number {
  checkLengths(xs.length, ys.length);
  return pearson(averageRanks(xs), averageRanks(ys));
}

function toNumbers(values: readonly (string | number)[], what: string): number[] {
  return values.map((v, i) => {
    const n = typeof v === 'number' ? v : Number(v);
    if ((typeof v === 'string' && v.trim() === '') || !Number.isFinite(n)) {
      throw new TabtuneError(`${what} ${i} is '${v}'`, { location: `item ${i}`, expected: 'a number (STS-B is a regression task)', code: 'metric-value' });
    }
    return n;
  });
}

/**
 * The metrics GLUE reports for `task`, keyed by GlueMetricName. Classification predictions and
 * labels are label strings ("0"/"1", "entailment"…); STS-B takes numbers (or number strings).
 */
export function glueMetrics(
  task: keyof typeof GLUE_TASK_METRICS,
  predictions: readonly (string | number)[],
  labels: readonly (string | number)[],
): Record<string, number> {
  checkLengths(predictions.length, labels.length);
  const out: Record<string, number> = {};
  if (task === 'sts-b') {
    const p = toNumbers(predictions, 'prediction');
    const g = toNumbers(labels, 'gold label');
    out.pearson = pearson(p, g);
    out.spearman = spearman(p, g);
    return out;
  }
  const p = predictions.map(String);
  const g = labels.map(String);
  for (const m of GLUE_TASK_METRICS[task]) {
    if (m === 'accuracy') out.accuracy = accuracy(p, g);
    else if (m === 'f1') out.f1 = f1Binary(p, g, '1');
    else if (m === 'mcc') out.mcc = matthewsCorrelation(p, g);
  }
  return out;
}
