import { describe, expect, it } from 'vitest';
import { readJsonl, readShared } from '../../testing/shared';
import { squadExamplesFromJson } from '../data/squad-reader';
import type { SquadFeature } from '../data/types';
import { createBasicTokenize } from './basic-tokenize';
import { createSquadPostprocessor } from './index';
import { TabtuneError } from '../errors';
import { getFinalText, getFinalTextSpan } from './squad-final-text';
import {
  computeSoftmax,
  getBestIndexes,
  nbestJson,
  nullOddsJson,
  postprocessExample,
  postprocessSquad,
  predictionsJson,
  type NbestEntry,
  type SquadRawResult,
} from './squad-postprocess';

const CASES = [
  { set: 'xquad.en', v2: false },
  { set: 'cs224n-dev-v2.0', v2: true },
];
const WINDOWS = ['384-128-64', '64-16-12'];

function closeRel(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(b));
}

describe('write_predictions on every post-processing fixture', () => {
  for (const { set, v2 } of CASES) {
    for (const window of WINDOWS) {
      it(`${set} ${window}`, () => {
        const dir = `fixtures/squad/${set}`;
        const { examples } = squadExamplesFromJson(JSON.parse(readShared(dir, 'input.json')), 'input.json', { training: false, failFast: true });
        const features = readJsonl<SquadFeature>(dir, `features-eval-${window}.jsonl`);
        const results = readJsonl<SquadRawResult>(dir, `post-${window}-logits.jsonl`);
        const preds = postprocessSquad(examples, features, results, {
          nBestSize: 20,
          maxAnswerLength: 30,
          version2WithNegative: v2,
          nullScoreDiffThreshold: 0,
          basicTokenize: createBasicTokenize(true),
        });

        const expPred = JSON.parse(readShared(dir, `post-${window}-predictions.json`)) as Record<string, string>;
        expect(predictionsJson(preds)).toEqual(expPred);
        expect(preds.map((p) => p.qasId)).toEqual(Object.keys(expPred));

        const expNbest = JSON.parse(readShared(dir, `post-${window}-nbest.json`)) as Record<string, NbestEntry[]>;
        const gotNbest = nbestJson(preds);
        expect(Object.keys(gotNbest)).toEqual(Object.keys(expNbest));
        let entries = 0;
        for (const [qid, list] of Object.entries(expNbest)) {
          const got = gotNbest[qid];
          expect(got.map((e) => e.text), qid).toEqual(list.map((e) => e.text));
          list.forEach((e, i) => {
            expect(Object.keys(got[i])).toEqual(Object.keys(e));
            for (const k of ['probability', 'start_logit', 'end_logit'] as const) {
              expect(closeRel(got[i][k], e[k]), `${qid}[${i}].${k}: ${got[i][k]} vs ${e[k]}`).toBe(true);
            }
            entries++;
          });
        }
        expect(entries).toBeGreaterThan(Object.keys(expNbest).length);

        // Every answer is located in its context: the character range holds exactly the text.
        const byId = new Map(examples.map((e) => [e.qasId, e]));
        let located = 0;
        for (const p of preds) {
          if (p.text === '') {
            expect(p.span).toBeUndefined();
            continue;
          }
          const ex = byId.get(p.qasId)!;
          expect(p.span, p.qasId).toBeDefined();
          expect(p.span!.wordStart).toBeLessThanOrEqual(p.span!.wordEnd);
          if (p.span!.charStart !== undefined) {
            expect(ex.contextText.slice(p.span!.charStart, p.span!.charEnd)).toBe(p.text);
            located++;
          }
        }
        expect(located).toBe(preds.filter((p) => p.text !== '').length);

        if (v2) {
          const expOdds = JSON.parse(readShared(dir, `post-${window}-null_odds.json`)) as Record<string, number>;
          const gotOdds = nullOddsJson(preds);
          expect(Object.keys(gotOdds)).toEqual(Object.keys(expOdds));
          for (const [qid, v] of Object.entries(expOdds)) expect(closeRel(gotOdds[qid], v), `${qid}: ${gotOdds[qid]} vs ${v}`).toBe(true);
        } else {
          expect(preds.every((p) => p.nullOdds === undefined)).toBe(true);
        }
      });
    }
  }
});

// A hand-made feature: [CLS] q [SEP] the ##m ##y cat . [SEP] over the doc "The mMy cat."
const FEATURE = {
  unique_id: 7,
  example_index: 0,
  tokens: ['[CLS]', 'q', '[SEP]', 'the', 'mm', '##y', 'cat', '.', '[SEP]'],
  token_to_orig_map: { '3': 0, '4': 1, '5': 1, '6': 2, '7': 2 },
  token_is_max_context: { '3': true, '4': true, '5': true, '6': true, '7': true },
};
const EXAMPLE = { qasId: 'q1', docTokens: ['The', 'mMy', 'cat.'] };
const basicTokenize = createBasicTokenize(true);

function logits(best: Record<number, number>): number[] {
  return Array.from({ length: 9 }, (_, i) => best[i] ?? -20);
}

describe('edge cases of write_predictions', () => {
  it('SQuAD 2.0: an n-best holding only the null answer predicts "" (the original crashes)', () => {
    // Only the null span is valid: every non-null start lies outside token_to_orig_map.
    const result = { unique_id: 7, start_logits: logits({ 0: 3, 1: 2 }), end_logits: logits({ 0: 1, 2: 2 }) };
    const onlyNull = { ...FEATURE, token_is_max_context: {} };
    const p = postprocessExample(EXAMPLE, [onlyNull], () => result, { version2WithNegative: true, basicTokenize });
    expect(p.text).toBe('');
    expect(p.nbest).toEqual([{ text: '', probability: 1, start_logit: 3, end_logit: 1 }]);
    expect(p.nullOdds).toBe(Number.MAX_VALUE);
    expect(JSON.parse(JSON.stringify(nullOddsJson([p])))).toEqual({ q1: Number.MAX_VALUE });
  });
  it('SQuAD 1.1: no valid span gives the "empty" nonce', () => {
    const result = { unique_id: 7, start_logits: logits({}), end_logits: logits({}) };
    const p = postprocessExample(EXAMPLE, [{ ...FEATURE, token_is_max_context: {} }], () => result, { basicTokenize });
    expect(p.text).toBe('empty');
    expect(p.nbest).toEqual([{ text: 'empty', probability: 1, start_logit: 0, end_logit: 0 }]);
  });
  it('recovers the original casing and punctuation, dedupes texts, applies the null threshold', () => {
    // Best span: tokens 4..5 ("mm ##y" -> "mmy" -> original "mMy"); then 4..6 (the '.' is its own
    // basic token, so the projection stops before it), 3..5.
    const result = { unique_id: 7, start_logits: logits({ 0: 0, 3: 1, 4: 5 }), end_logits: logits({ 0: 0, 5: 4, 6: 2 }) };
    const opts = { version2WithNegative: true, basicTokenize, nBestSize: 3 };
    const p = postprocessExample(EXAMPLE, [FEATURE], () => result, opts);
    expect(p.nbest.map((e) => e.text)).toEqual(['mMy', 'mMy cat', 'The mMy', '']);
    // The null answer was cut by n_best_size and is appended.
    expect(p.nbest[3]).toMatchObject({ text: '', start_logit: 0, end_logit: 0 });
    expect(p.nullOdds).toBe(0 - 5 - 4);
    expect(p.text).toBe('mMy');
    expect(p.span).toEqual({ wordStart: 1, wordEnd: 1 });
    const withContext = { ...EXAMPLE, contextText: 'The  mMy\ncat.', docTokenCharStarts: [0, 5, 9] };
    expect(postprocessExample(withContext, [FEATURE], () => result, opts).span).toEqual({ wordStart: 1, wordEnd: 1, charStart: 5, charEnd: 8 });
    const strict = postprocessExample(EXAMPLE, [FEATURE], () => result, { ...opts, nullScoreDiffThreshold: -10 });
    expect(strict.text).toBe('');
    const probs = computeSoftmax([9, 7, 5, 0]);
    p.nbest.forEach((e, i) => expect(e.probability).toBeCloseTo(probs[i], 15));
  });
  it('createSquadPostprocessor: one question (QA demo) or all, same results as the functions', () => {
    const result = { unique_id: 7, start_logits: logits({ 0: 0, 3: 1, 4: 5 }), end_logits: logits({ 0: 0, 5: 4, 6: 2 }) };
    const post = createSquadPostprocessor({ version2WithNegative: true, nBestSize: 3 });
    const direct = postprocessExample(EXAMPLE, [FEATURE], () => result, { version2WithNegative: true, nBestSize: 3, basicTokenize });
    expect(post.one(EXAMPLE, [FEATURE], [result])).toEqual(direct);
    expect(post.all([EXAMPLE], [FEATURE], [result])).toEqual([direct]);
    expect(() => post.one(EXAMPLE, [FEATURE], [])).toThrow(TabtuneError);
    // Cased: get_final_text does not find "mmy" in the un-lowered "mMy" and keeps the original.
    const cased = createSquadPostprocessor({ doLowerCase: false, nBestSize: 1 });
    expect(cased.one(EXAMPLE, [FEATURE], [result]).text).toBe('mMy');
  });
  it('_get_best_indexes keeps ties in index order', () => {
    expect(getBestIndexes([1, 3, 3, 2, 3], 3)).toEqual([1, 2, 4]);
  });
  it('get_final_text maps through lower-casing, accents and spaces; falls back to the original', () => {
    expect(getFinalText('cafe', 'Café', basicTokenize)).toBe('Café');
    expect(getFinalText('steve smith', "Steve Smith's", basicTokenize)).toBe('Steve Smith');
    expect(getFinalText('b', 'a 😀 b', basicTokenize)).toBe('b');
    expect(getFinalText('zzz', 'Steve', basicTokenize)).toBe('Steve');
    // UTF-16 offset of the answer in the original (the emoji is two code units).
    expect(getFinalTextSpan('b', 'a 😀 b', basicTokenize)).toEqual({ text: 'b', start: 5 });
    expect(getFinalTextSpan('smith', "Steve Smith's", basicTokenize)).toEqual({ text: 'Smith', start: 6 });
  });
});
