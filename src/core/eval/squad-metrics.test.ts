import { describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { readShared, sharedPath } from '../../testing/shared';
import { parseSquadGold, parseSquadNaProbs, parseSquadPredictions } from './squad-gold';
import { computeF1V2, evaluateSquadV1, evaluateSquadV2, f1ScoreV1, normalizeAnswer } from './squad-metrics';

const SETS = [
  { set: 'xquad.en', v2: false },
  { set: 'cs224n-dev-v2.0', v2: true },
];

function expectClose(actual: Record<string, unknown>, expected: Record<string, number>) {
  expect(Object.keys(actual)).toEqual(Object.keys(expected));
  for (const [k, v] of Object.entries(expected)) {
    const a = actual[k] as number;
    expect(Math.abs(a - v), `${k}: ${a} vs ${v}`).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(v)));
  }
}

describe('official SQuAD metrics on every fixture metrics file', () => {
  for (const { set, v2 } of SETS) {
    const metricFiles = readdirSync(sharedPath('fixtures/squad', set)).filter((f) => f.endsWith('-official-metrics.json'));
    it(`${set} has metrics fixtures for crafted and both windows`, () => {
      expect(metricFiles.sort()).toEqual(['crafted-official-metrics.json', 'post-384-128-64-official-metrics.json', 'post-64-16-12-official-metrics.json']);
    });
    for (const mf of metricFiles) {
      const stem = mf.replace('-official-metrics.json', '');
      it(`${set}/${mf}`, () => {
        const gold = parseSquadGold(readShared('fixtures/squad', set, 'input.json'), 'input.json');
        const predFile = stem === 'crafted' ? 'crafted-predictions.json' : `${stem}-predictions.json`;
        const preds = parseSquadPredictions(readShared('fixtures/squad', set, predFile), predFile);
        const expected = JSON.parse(readShared('fixtures/squad', set, mf)) as Record<string, number>;
        const missing: string[] = [];
        if (v2) {
          const oddsFile = `${stem}-null_odds.json`;
          const naProbs = parseSquadNaProbs(readShared('fixtures/squad', set, oddsFile), oddsFile);
          const got = evaluateSquadV2(gold.questions, preds, { naProbs, onMissing: (q) => missing.push(q) });
          expectClose(got as unknown as Record<string, unknown>, expected);
        } else {
          const got = evaluateSquadV1(gold.questions, preds, { onMissing: (q) => missing.push(q) });
          expectClose(got as unknown as Record<string, unknown>, expected);
        }
        expect(missing).toEqual([]);
      });
    }
  }
});

describe('normalisation and F1 details', () => {
  it('normalizes like the official script', () => {
    expect(normalizeAnswer('The  Quick, brown-fox!')).toBe('quick brownfox');
    expect(normalizeAnswer('an apple a day')).toBe('apple day');
    // Python's \b is Unicode-aware: "éthe" is one word, so "the" inside it stays.
    expect(normalizeAnswer('éthe the')).toBe('éthe');
    expect(normalizeAnswer('a\u00a0b')).toBe('b');
  });
  it('v1 F1 of disjoint answers is 0, partial overlap is the harmonic mean', () => {
    expect(f1ScoreV1('red car', 'blue bike')).toBe(0);
    // 1 common of 2 predicted and 3 gold: p = 1/2, r = 1/3, f1 = 0.4
    expect(f1ScoreV1('red car', 'red big bike')).toBeCloseTo(0.4, 12);
  });
  it('v2 compares empty answers as equal', () => {
    expect(computeF1V2('', '')).toBe(1);
    expect(computeF1V2('', 'x')).toBe(0);
    expect(computeF1V2('the', '')).toBe(1);
  });
  it('counts a missing prediction as wrong and reports it', () => {
    const qs = [
      { id: 'a', answers: [{ text: 'Paris' }] },
      { id: 'b', answers: [] },
    ];
    const missing: string[] = [];
    const v1 = evaluateSquadV1([qs[0]], {}, { onMissing: (q) => missing.push(q) });
    expect(v1).toEqual({ exact_match: 0, f1: 0 });
    const v2 = evaluateSquadV2(qs, { a: 'paris' }, { onMissing: (q) => missing.push(q) });
    expect(v2).toEqual({ exact: 50, f1: 50, total: 2, HasAns_exact: 100, HasAns_f1: 100, HasAns_total: 1, NoAns_exact: 0, NoAns_f1: 0, NoAns_total: 1 });
    expect(missing).toEqual(['a', 'b']);
  });
});
