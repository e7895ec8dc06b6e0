/**
 * The official SQuAD evaluation scripts, evaluate-v1.1.py and evaluate-v2.0.py, as functions.
 * Same normalisation, same maxima over gold answers, same key sets and numbers.
 */
import { TabtuneError } from '../errors';
import { PY_WORD_CHAR, pySplit } from './python-text';

/** The parts of a SQuAD file the metrics read. */
export interface SquadGoldQuestion {
  id: string;
  answers: Array<{ text: string }>;
}

export type SquadPredictions = Record<string, string>;
export type SquadNaProbs = Record<string, number>;

export interface SquadV1Metrics {
  exact_match: number;
  f1: number;
}

export interface SquadV2Metrics {
  exact: number;
  f1: number;
  total: number;
  HasAns_exact?: number;
  HasAns_f1?: number;
  HasAns_total?: number;
  NoAns_exact?: number;
  NoAns_f1?: number;
  NoAns_total?: number;
  best_exact?: number;
  best_exact_thresh?: number;
  best_f1?: number;
  best_f1_thresh?: number;
}

export interface SquadEvalOptions {
  /** Called once per question that has no prediction (counted as wrong). */
  onMissing?: (qid: string) => void;
}

const PUNCTUATION = new Set('!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~');
const ARTICLES = new RegExp(`(?<!${PY_WORD_CHAR})(a|an|the)(?!${PY_WORD_CHAR})`, 'gu');

/** normalize_answer: lower-case, drop ASCII punctuation, drop articles, collapse whitespace. */
export function normalizeAnswer(s: string): string {
  let text = s.toLowerCase();
  let out = '';
  for (const ch of text) if (!PUNCTUATION.has(ch)) out += ch;
  text = out.replace(ARTICLES, ' ');
  return pySplit(text).join(' ');
}

function overlapCount(a: readonly string[], b: readonly string[]): number {
  const counts = new Map<string, number>();
  for (const t of a) counts.set(t, (counts.get(t) ?? 0) + 1);
  let same = 0;
  for (const t of b) {
    const c = counts.get(t) ?? 0;
    if (c > 0) {
      same++;
      counts.set(t, c - 1);
    }
  }
  return same;
}

function f1FromTokens(predToks: readonly string[], goldToks: readonly string[]): number {
  const same = overlapCount(predToks, goldToks);
  if (same === 0) return 0;
  const precision = same / predToks.length;
  const recall = same / goldToks.length;
  return (2 * precision * recall) / (precision + recall);
}

/** evaluate-v1.1.py f1_score. */
export function f1ScoreV1(prediction: string, groundTruth: string): number {
  return f1FromTokens(pySplit(normalizeAnswer(prediction)), pySplit(normalizeAnswer(groundTruth)));
}

/** evaluate-v1.1.py exact_match_score (as 0/1). */
export function exactMatchV1(prediction: string, groundTruth: string): number {
  return normalizeAnswer(prediction) === normalizeAnswer(groundTruth) ? 1 : 0;
}

/** evaluate-v2.0.py get_tokens: the empty string has no tokens. */
function getTokensV2(s: string): string[] {
  return s ? pySplit(normalizeAnswer(s)) : [];
}

/** evaluate-v2.0.py compute_exact. */
export function computeExactV2(gold: string, pred: string): number {
  return normalizeAnswer(gold) === normalizeAnswer(pred) ? 1 : 0;
}

/** evaluate-v2.0.py compute_f1: if either side has no tokens, 1 when both have none, else 0. */
export function computeF1V2(gold: string, pred: string): number {
  const goldToks = getTokensV2(gold);
  const predToks = getTokensV2(pred);
  if (goldToks.length === 0 || predToks.length === 0) {
    return goldToks.length === predToks.length ? 1 : 0;
  }
  return f1FromTokens(predToks, goldToks);
}

function maxOf(values: number[]): number {
  let m = -Infinity;
  for (const v of values) if (v > m) m = v;
  return m;
}

/** evaluate-v1.1.py evaluate(): percentages; a question without a prediction scores 0. */
export function evaluateSquadV1(
  questions: readonly SquadGoldQuestion[],
  predictions: SquadPredictions,
  options: SquadEvalOptions = {},
): SquadV1Metrics {
  let exact = 0;
  let f1 = 0;
  for (const qa of questions) {
    if (!Object.hasOwn(predictions, qa.id)) {
      options.onMissing?.(qa.id);
      continue;
    }
    const golds = qa.answers.map((a) => a.text);
    if (golds.length === 0) {
      throw new TabtuneError('a SQuAD v1.1 question has no answers', {
        location: `question ${qa.id}`,
        expected: 'at least one gold answer (use task squad2 for unanswerable questions)',
        code: 'squad-no-answers',
      });
    }
    const pred = predictions[qa.id];
    exact += maxOf(golds.map((g) => exactMatchV1(pred, g)));
    f1 += maxOf(golds.map((g) => f1ScoreV1(pred, g)));
  }
  const total = questions.length;
  return { exact_match: (100.0 * exact) / total, f1: (100.0 * f1) / total };
}

export interface SquadV2Options extends SquadEvalOptions {
  /** The null-odds / no-answer-probability file's contents; enables best_* keys. */
  naProbs?: SquadNaProbs;
  /** Default 1.0 as in the official script. */
  naProbThresh?: number;
}

/**
 * evaluate-v2.0.py main(). One deliberate difference: a question missing from the predictions is
 * scored 0 and kept in every total (the official script drops it from `total` and then fails on
 * the HasAns/NoAns subsets).
 */
export function evaluateSquadV2(
  questions: readonly SquadGoldQuestion[],
  predictions: SquadPredictions,
  options: SquadV2Options = {},
): SquadV2Metrics {
  const thresh = options.naProbThresh ?? 1.0;
  const hasAns = new Map<string, boolean>();
  for (const qa of questions) hasAns.set(qa.id, qa.answers.length > 0);
  const naProbs: SquadNaProbs = options.naProbs ?? Object.fromEntries(Object.keys(predictions).map((k) => [k, 0.0]));

  // get_raw_scores
  const exactRaw = new Map<string, number>();
  const f1Raw = new Map<string, number>();
  const missing = new Set<string>();
  for (const qa of questions) {
    let golds = qa.answers.map((a) => a.text).filter((t) => normalizeAnswer(t) !== '');
    if (golds.length === 0) golds = [''];
    if (!Object.hasOwn(predictions, qa.id)) {
      options.onMissing?.(qa.id);
      missing.add(qa.id);
      exactRaw.set(qa.id, 0);
      f1Raw.set(qa.id, 0);
      continue;
    }
    const pred = predictions[qa.id];
    exactRaw.set(qa.id, maxOf(golds.map((g) => computeExactV2(g, pred))));
    f1Raw.set(qa.id, maxOf(golds.map((g) => computeF1V2(g, pred))));
  }

  // apply_no_ans_threshold
  const applyThresh = (scores: Map<string, number>): Map<string, number> => {
    const out = new Map<string, number>();
    for (const [qid, s] of scores) {
      if (missing.has(qid)) {
        out.set(qid, s);
        continue;
      }
      const p = naProbs[qid];
      if (p === undefined) {
        throw new TabtuneError('the no-answer probabilities have no entry for a question', {
          location: `question ${qid}`,
          expected: 'a number for every question id of the predictions',
          code: 'squad-na-prob-missing',
        });
      }
      out.set(qid, p > thresh ? (hasAns.get(qid) ? 0.0 : 1.0) : s);
    }
    return out;
  };
  const exactT = applyThresh(exactRaw);
  const f1T = applyThresh(f1Raw);

  const evalDict = (qids: readonly string[]) => {
    let e = 0;
    let f = 0;
    for (const q of qids) {
      e += exactT.get(q)!;
      f += f1T.get(q)!;
    }
    return { exact: (100.0 * e) / qids.length, f1: (100.0 * f) / qids.length, total: qids.length };
  };
  const allQids = [...exactT.keys()];
  const out: SquadV2Metrics = evalDict(allQids);
  const hasQids = [...hasAns].filter(([, v]) => v).map(([k]) => k);
  const noQids = [...hasAns].filter(([, v]) => !v).map(([k]) => k);
  if (hasQids.length > 0) {
    const d = evalDict(hasQids);
    out.HasAns_exact = d.exact;
    out.HasAns_f1 = d.f1;
    out.HasAns_total = d.total;
  }
  if (noQids.length > 0) {
    const d = evalDict(noQids);
    out.NoAns_exact = d.exact;
    out.NoAns_f1 = d.f1;
    out.NoAns_total = d.total;
  }
  if (options.naProbs) {
    const [bestExact, bestExactThresh] = findBestThresh(predictions, exactRaw, missing, naProbs, hasAns);
    const [bestF1, bestF1Thresh] = findBestThresh(predictions, f1Raw, missing, naProbs, hasAns);
    out.best_exact = bestExact;
    out.best_exact_thresh = bestExactThresh;
    out.best_f1 = bestF1;
    out.best_f1_thresh = bestF1Thresh;
  }
  return out;
}

/** evaluate-v2.0.py find_best_thresh (missing predictions never gain). */
function findBestThresh(
  preds: SquadPredictions,
  scores: Map<string, number>,
  missing: ReadonlySet<string>,
  naProbs: SquadNaProbs,
  hasAns: ReadonlyMap<string, boolean>,
): [number, number] {
  let numNoAns = 0;
  for (const [qid, v] of hasAns) if (!v && !missing.has(qid)) numNoAns++;
  let cur = numNoAns;
  let best = cur;
  let bestThresh = 0.0;
  // Python's sorted() is stable; Array.prototype.sort is too.
  const qids = Object.keys(naProbs).sort((a, b) => naProbs[a] - naProbs[b]);
  for (const qid of qids) {
    if (!scores.has(qid) || missing.has(qid)) continue;
    let diff: number;
    if (hasAns.get(qid)) diff = scores.get(qid)!;
    else diff = preds[qid] ? -1 : 0;
    cur += diff;
    if (cur > best) {
      best = cur;
      bestThresh = naProbs[qid];
    }
  }
  return [(100.0 * best) / scores.size, bestThresh];
}
