/**
 * run_squad.write_predictions: from per-feature start/end logits to each question's answer,
 * its n-best list with probabilities and (SQuAD 2.0) the null-score difference.
 *
 * Same candidates, order and texts as the original. One deliberate difference: when a SQuAD 2.0
 * question's n-best holds only the null answer (where the original crashes), the prediction is ""
 * and its null odds are Number.MAX_VALUE (no non-null span exists: the score difference is
 * unbounded; the largest finite double keeps the JSON valid and sorts last).
 */
import { TabtuneError } from '../errors';
import type { SquadExample, SquadFeature } from '../data/types';
import { getFinalTextSpan, type BasicTokenize } from './squad-final-text';
import { pySplit, pyStrip } from './python-text';

/** run_squad.RawResult (fixture field names). */
export interface SquadRawResult {
  unique_id: number;
  start_logits: number[];
  end_logits: number[];
}

export interface SquadPostprocessOptions {
  /** Default 20. */
  nBestSize?: number;
  /** Default 30. */
  maxAnswerLength?: number;
  /** SQuAD 2.0: consider the null answer. Default false. */
  version2WithNegative?: boolean;
  /** Predict "" when null score − best non-null score exceeds this. Default 0. */
  nullScoreDiffThreshold?: number;
  /** BasicTokenizer.tokenize with the run's do_lower_case (see createBasicTokenize). */
  basicTokenize: BasicTokenize;
}

/** One n-best entry, keys in the original's order. */
export interface NbestEntry {
  text: string;
  probability: number;
  start_logit: number;
  end_logit: number;
}

/** Where an answer came from: doc-token range, and the UTF-16 range in the example's context. */
export interface AnswerSpan {
  /** First and last doc token (word) of the span the answer was taken from. */
  wordStart: number;
  wordEnd: number;
  /** [charStart, charEnd) of the answer text in `contextText`, when the example carries it. */
  charStart?: number;
  charEnd?: number;
}

export interface SquadPrediction {
  qasId: string;
  /** The answer ("" = no answer, SQuAD 2.0). */
  text: string;
  nbest: NbestEntry[];
  /** SQuAD 2.0: null score − best non-null start − end logit. */
  nullOdds?: number;
  /** Where `text` sits in the context (absent for "" and the "empty" nonce). */
  span?: AnswerSpan;
}

/** The fields of an example the post-processing reads (context fields only to locate answers). */
export type PostprocessExample = Pick<SquadExample, 'qasId' | 'docTokens'> & Partial<Pick<SquadExample, 'contextText' | 'docTokenCharStarts'>>;

/** Maps an offset into docTokens[wordStart..].join(' ') to an offset into the context. */
function contextOffset(example: PostprocessExample, wordStart: number, offset: number): number | undefined {
  const starts = example.docTokenCharStarts;
  if (!starts || example.contextText === undefined) return undefined;
  let pos = 0;
  for (let k = wordStart; k < example.docTokens.length; k++) {
    const len = example.docTokens[k].length;
    if (offset < pos + len) return starts[k] + (offset - pos);
    pos += len + 1;
  }
  return undefined;
}

function answerSpan(example: PostprocessExample, wordStart: number, wordEnd: number, text: string, offset: number): AnswerSpan {
  const span: AnswerSpan = { wordStart, wordEnd };
  const first = contextOffset(example, wordStart, offset);
  const last = contextOffset(example, wordStart, offset + text.length - 1);
  if (first !== undefined && last !== undefined && example.contextText!.slice(first, last + 1) === text) {
    span.charStart = first;
    span.charEnd = last + 1;
  }
  return span;
}
/** The fields of a feature the post-processing reads. */
export type PostprocessFeature = Pick<SquadFeature, 'unique_id' | 'example_index' | 'tokens' | 'token_to_orig_map' | 'token_is_max_context'>;

/** _get_best_indexes: indexes of the n largest logits, ties in index order. */
export function getBestIndexes(logits: readonly number[], n: number): number[] {
  const idx = logits.map((_, i) => i);
  idx.sort((a, b) => logits[b] - logits[a]);
  return idx.slice(0, n);
}

/** _compute_softmax over raw (unnormalised) scores. */
export function computeSoftmax(scores: readonly number[]): number[] {
  if (scores.length === 0) return [];
  let max = scores[0];
  for (const s of scores) if (s > max) max = s;
  const exps = scores.map((s) => Math.exp(s - max));
  let total = 0.0;
  for (const e of exps) total += e;
  return exps.map((e) => e / total);
}

interface Prelim {
  /** start_logit + end_logit, the sort key (computed once, as Python's key function does). */
  score: number;
  featureIndex: number;
  startIndex: number;
  endIndex: number;
  startLogit: number;
  endLogit: number;
}

/** The post-processing of one example, given its features (in feature order) and their results. */
export function postprocessExample(
  example: PostprocessExample,
  features: readonly PostprocessFeature[],
  resultFor: (uniqueId: number) => SquadRawResult,
  options: SquadPostprocessOptions,
): SquadPrediction {
  const nBest = options.nBestSize ?? 20;
  const maxLen = options.maxAnswerLength ?? 30;
  const v2 = options.version2WithNegative ?? false;
  const threshold = options.nullScoreDiffThreshold ?? 0.0;

  const prelim: Prelim[] = [];
  let scoreNull = 1000000; // large and positive
  let minNullFeatureIndex = 0;
  let nullStartLogit = 0;
  let nullEndLogit = 0;
  features.forEach((feature, featureIndex) => {
    const result = resultFor(feature.unique_id);
    const starts = getBestIndexes(result.start_logits, nBest);
    const ends = getBestIndexes(result.end_logits, nBest);
    if (v2) {
      const featureNull = result.start_logits[0] + result.end_logits[0];
      if (featureNull < scoreNull) {
        scoreNull = featureNull;
        minNullFeatureIndex = featureIndex;
        nullStartLogit = result.start_logits[0];
        nullEndLogit = result.end_logits[0];
      }
    }
    const nTokens = feature.tokens.length;
    const map = feature.token_to_orig_map;
    // The original's checks, those on the start alone hoisted out of the inner loop.
    const validEnds = ends.filter((e) => e < nTokens && Object.hasOwn(map, String(e)));
    for (const s of starts) {
      if (s >= nTokens || !Object.hasOwn(map, String(s))) continue;
      if (feature.token_is_max_context[String(s)] !== true) continue;
      const startLogit = result.start_logits[s];
      for (const e of validEnds) {
        if (e < s || e - s + 1 > maxLen) continue;
        const endLogit = result.end_logits[e];
        prelim.push({ score: startLogit + endLogit, featureIndex, startIndex: s, endIndex: e, startLogit, endLogit });
      }
    }
  });
  if (v2) {
    prelim.push({ score: nullStartLogit + nullEndLogit, featureIndex: minNullFeatureIndex, startIndex: 0, endIndex: 0, startLogit: nullStartLogit, endLogit: nullEndLogit });
  }
  // Python's sorted(reverse=True) is stable: equal scores keep their insertion order.
  prelim.sort((a, b) => b.score - a.score);

  const seen = new Set<string>();
  const nbest: Array<{ text: string; startLogit: number; endLogit: number; span?: AnswerSpan }> = [];
  for (const pred of prelim) {
    if (nbest.length >= nBest) break;
    let finalText: string;
    if (pred.startIndex > 0) {
      const feature = features[pred.featureIndex];
      const tokTokens = feature.tokens.slice(pred.startIndex, pred.endIndex + 1);
      const origStart = feature.token_to_orig_map[String(pred.startIndex)];
      const origEnd = feature.token_to_orig_map[String(pred.endIndex)];
      const origTokens = example.docTokens.slice(origStart, origEnd + 1);
      let tokText = tokTokens.join(' ').replaceAll(' ##', '').replaceAll('##', '');
      tokText = pySplit(pyStrip(tokText)).join(' ');
      const final = getFinalTextSpan(tokText, origTokens.join(' '), options.basicTokenize);
      finalText = final.text;
      if (seen.has(finalText)) continue;
      seen.add(finalText);
      const span = answerSpan(example, origStart, origEnd, finalText, final.start);
      nbest.push({ text: finalText, startLogit: pred.startLogit, endLogit: pred.endLogit, span });
    } else {
      finalText = '';
      seen.add(finalText);
      nbest.push({ text: finalText, startLogit: pred.startLogit, endLogit: pred.endLogit });
    }
  }
  if (v2 && !seen.has('')) nbest.push({ text: '', startLogit: nullStartLogit, endLogit: nullEndLogit });
  // In very rare edge cases there is no valid prediction: a nonce, as the original.
  if (nbest.length === 0) nbest.push({ text: 'empty', startLogit: 0.0, endLogit: 0.0 });

  const probs = computeSoftmax(nbest.map((e) => e.startLogit + e.endLogit));
  const bestNonNull = nbest.find((e) => e.text !== '');
  const nbestJson: NbestEntry[] = nbest.map((e, i) => ({ text: e.text, probability: probs[i], start_logit: e.startLogit, end_logit: e.endLogit }));

  const withSpan = (p: SquadPrediction, entry: { span?: AnswerSpan }): SquadPrediction => (entry.span && p.text !== '' ? { ...p, span: entry.span } : p);
  if (!v2) return withSpan({ qasId: example.qasId, text: nbestJson[0].text, nbest: nbestJson }, nbest[0]);
  if (!bestNonNull) return { qasId: example.qasId, text: '', nbest: nbestJson, nullOdds: Number.MAX_VALUE };
  const scoreDiff = scoreNull - bestNonNull.startLogit - bestNonNull.endLogit;
  const text = scoreDiff > threshold ? '' : bestNonNull.text;
  return withSpan({ qasId: example.qasId, text, nbest: nbestJson, nullOdds: scoreDiff }, bestNonNull);
}

/** write_predictions over all examples, in example order. */
export function postprocessSquad(
  examples: readonly PostprocessExample[],
  features: readonly PostprocessFeature[],
  results: readonly SquadRawResult[],
  options: SquadPostprocessOptions,
): SquadPrediction[] {
  const byExample = new Map<number, PostprocessFeature[]>();
  for (const f of features) {
    let list = byExample.get(f.example_index);
    if (!list) byExample.set(f.example_index, (list = []));
    list.push(f);
  }
  for (const index of byExample.keys()) {
    if (!Number.isInteger(index) || index < 0 || index >= examples.length) {
      throw new TabtuneError(`a feature refers to example ${index}, but there are ${examples.length} examples`, {
        location: `feature unique_id ${byExample.get(index)![0].unique_id}`,
        expected: `example_index in [0, ${examples.length}) (features built from the same SQuAD file)`,
        code: 'squad-feature-example',
      });
    }
  }
  const byId = new Map<number, SquadRawResult>();
  for (const r of results) byId.set(r.unique_id, r);
  const resultFor = (id: number): SquadRawResult => {
    const r = byId.get(id);
    if (!r) {
      throw new TabtuneError('no logits for a feature', { location: `feature unique_id ${id}`, expected: 'one logits record per feature, matched by unique_id', code: 'squad-logits-missing' });
    }
    return r;
  };
  return examples.map((ex, i) => postprocessExample(ex, byExample.get(i) ?? [], resultFor, options));
}

/** The three output files' contents, keyed by question id in example order. */
export function predictionsJson(preds: readonly SquadPrediction[]): Record<string, string> {
  return Object.fromEntries(preds.map((p) => [p.qasId, p.text]));
}
export function nbestJson(preds: readonly SquadPrediction[]): Record<string, NbestEntry[]> {
  return Object.fromEntries(preds.map((p) => [p.qasId, p.nbest]));
}
export function nullOddsJson(preds: readonly SquadPrediction[]): Record<string, number> {
  return Object.fromEntries(preds.map((p) => [p.qasId, p.nullOdds ?? 0]));
}
