/**
 * Seeded property test: on random multi-character strings over every assigned plane, Tabtune's
 * staged tokenizer gives exactly the tokens of google-research/bert's algorithm (the oracle in
 * src/testing/bert-reference-tokenizer.ts, a plain transcription of tokenization.py). The strings
 * mix character classes on purpose: combining marks after CJK ideographs and compatibility
 * ideographs, controls and zero-width characters inside words, capital sigma among cased and
 * case-ignorable characters (Final_Sigma), Hangul, astral letters, odd spaces and punctuation.
 *
 * The oracle is first held to the ground truth: every line of codepoints.jsonl (per-character
 * rules) and of the uncased/cased string fixtures, so the property compares against the reference
 * and not against a second opinion. Characters are drawn only from codepoints.jsonl, i.e. from
 * what was assigned in Unicode 14, the version the reference ran on.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readJsonl, readShared } from '../../testing/shared';
import { referenceBasicTokenize, referenceTokenize } from '../../testing/bert-reference-tokenizer';
import { createTokenizer, parseVocab } from './index';

interface CodepointLine {
  cp: number;
  lower: string[];
  cased: string[];
}
interface StringLine {
  text: string;
  basic: string[];
  tokens: string[];
}

const vocab = parseVocab(readShared('fixtures/vocab/bert-base-uncased.txt'), 'bert-base-uncased.txt');
const codepoints: CodepointLine[] = readShared('fixtures/tokenizer/codepoints.jsonl')
  .split('\n')
  .filter((l) => l !== '')
  .map((l) => JSON.parse(l) as CodepointLine);

describe('the oracle (tokenization.py transcribed) against the fixtures', () => {
  it('every line of codepoints.jsonl, both modes', () => {
    const bad: number[] = [];
    for (const line of codepoints) {
      const ch = String.fromCodePoint(line.cp);
      const lower = referenceTokenize(ch, vocab.tokenToId, true);
      const cased = referenceTokenize(ch, vocab.tokenToId, false);
      if (JSON.stringify(lower) !== JSON.stringify(line.lower) || JSON.stringify(cased) !== JSON.stringify(line.cased)) {
        bad.push(line.cp);
      }
    }
    expect(bad).toEqual([]);
  });

  for (const [file, doLowerCase] of [
    ['uncased.jsonl', true],
    ['cased-mode.jsonl', false],
  ] as const) {
    it(`every line of ${file}`, () => {
      const lines = readJsonl<StringLine>('fixtures/tokenizer', file);
      expect(lines.length).toBe(385);
      for (const line of lines) {
        expect(referenceBasicTokenize(line.text, doLowerCase)).toEqual(line.basic);
        expect(referenceTokenize(line.text, vocab.tokenToId, doLowerCase)).toEqual(line.tokens);
      }
    });
  }
});

// Pools of Unicode-14-assigned code points, by the class that matters to one stage or another.
const assigned = codepoints.map((l) => l.cp);
const pick = (re: RegExp): number[] => assigned.filter((cp) => re.test(String.fromCodePoint(cp)));
const inRange = (lo: number, hi: number): number[] => assigned.filter((cp) => cp >= lo && cp <= hi);
const POOLS: Record<string, number[]> = {
  ascii: inRange(0x20, 0x7e),
  latin: inRange(0xc0, 0x24f),
  greek: [...inRange(0x370, 0x3ff), 0x3a3, 0x3a3, 0x3a3],
  caseIgnorable: pick(/^\p{Case_Ignorable}$/u),
  marks: pick(/^\p{Mn}$/u),
  spacingMarks: pick(/^[\p{Mc}\p{Me}]$/u),
  controls: [...pick(/^[\p{Cc}\p{Cf}]$/u), 0, 0xfffd],
  spaces: [...pick(/^[\p{Zs}\p{Zl}\p{Zp}]$/u), 0x09, 0x0a, 0x0d, 0x0b, 0x0c, 0x1c, 0x85],
  punctuation: pick(/^[\p{P}\p{S}]$/u),
  cjk: [...inRange(0x4e00, 0x9fff), ...inRange(0x3400, 0x4dbf), ...inRange(0x20000, 0x2a6df)],
  cjkCompat: [...inRange(0xf900, 0xfaff), ...inRange(0x2f800, 0x2fa1f)],
  hangul: [...inRange(0xac00, 0xd7a3), ...inRange(0x1100, 0x11ff)],
  astral: assigned.filter((cp) => cp > 0xffff),
  any: assigned,
  // Marks accent stripping keeps although they are non-starters (NFD re-sorts runs of them),
  // the musical symbols that decompose into them, and marks of class 0 and non-zero between.
  keptNonStarters: [0x1715, 0x1b44, 0x302e, 0x302f, 0x16ff0, 0x1d165, 0x1d16d, 0x1d16e, 0x1d172, 0x1d15f, 0x1d160, 0x1d1bb, 0x301, 0x316, 0x900, 0x34f, 0x200b],
};
const poolArbs = Object.values(POOLS).map((pool) => fc.integer({ min: 0, max: pool.length - 1 }).map((i) => pool[i]));
/** A run of 1-4 characters of one class, so classes meet at run boundaries and inside runs. */
const run = fc.oneof(...poolArbs.map((a) => fc.array(a, { minLength: 1, maxLength: 4 })));
const text = fc.array(run, { maxLength: 12 }).map((runs) => runs.flat().map((cp) => String.fromCodePoint(cp)).join(''));

/** Sigma words: cased letters, case-ignorable characters, controls and sigmas interleaved. */
const sigmaPool = [0x3a3, 0x3a3, 0x41, 0x3b1, 0x391, 0x27, 0x2e, 0x301, 0xad, 0x200b, 0x20, 0x2d, 0x4e00, 0xf92c, 0x1d400, 0x5f];
const sigmaText = fc
  .array(fc.constantFrom(...sigmaPool), { maxLength: 16 })
  .map((cps) => cps.map((cp) => String.fromCodePoint(cp)).join(''));

const show = (s: string): string => Array.from(s, (c) => `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`).join(' ');

for (const doLowerCase of [true, false]) {
  describe(`random strings match the reference, ${doLowerCase ? 'do_lower_case' : 'cased'}`, () => {
    const tokenizer = createTokenizer(vocab, { doLowerCase });
    const check = (s: string): void => {
      const want = referenceTokenize(s, vocab.tokenToId, doLowerCase);
      const enc = tokenizer.encode(s);
      expect({ text: show(s), basic: tokenizer.basicTokenize(s) }).toEqual({ text: show(s), basic: referenceBasicTokenize(s, doLowerCase) });
      expect(enc.tokens).toEqual(want);
      expect(enc.ids).toEqual(want.map((t) => vocab.tokenToId.get(t)));
      // Offsets: inside the text, in order, never splitting a surrogate pair.
      let prev = 0;
      for (const [a, b] of enc.offsets) {
        expect(a).toBeGreaterThanOrEqual(prev);
        expect(b).toBeGreaterThan(a);
        expect(b).toBeLessThanOrEqual(s.length);
        expect((s.charCodeAt(a) & 0xfc00) === 0xdc00).toBe(false);
        prev = a;
      }
    };

    it('mixed classes over all planes (seeded)', () => {
      fc.assert(fc.property(text, check), { seed: doLowerCase ? 0x7ab7e1 : 0x7ab7e2, numRuns: 1500 });
    });

    it('capital sigma in context: Final_Sigma across marks, controls, CJK and spaces (seeded)', () => {
      fc.assert(fc.property(sigmaText, check), { seed: doLowerCase ? 0x51 : 0x52, numRuns: 800 });
    });

    it('runs of kept non-starters are in canonical order, across stripped and cleaned marks', () => {
      for (const text of [
        'x\u{1D16D}\u{1D165}', // class 226 then 216: NFD swaps them
        'x\u302E\u1B44', // 224 then 9
        'x\u{1D16D}\u0301\u{1D165}', // a stripped class-230 mark does not end the run
        'x\u{1D16D}\u200B\u{1D165}', // nor does a cleaned control (gone before NFD)
        'x\u{1D16D}\u0900\u{1D165}', // a stripped class-0 mark does
        'X\u{1D160}\u302E\u0301\u1B44 \u{1D16D}\u{1D165}\u{1D16D}\u{1D172}',
      ]) {
        check(text);
      }
    });

    it('long case-ignorable runs before and after a sigma', () => {
      for (const n of [63, 64, 65, 200]) {
        check('A' + '\u0301'.repeat(n) + '\u03a3');
        check('A\u03a3' + "'".repeat(n) + 'b');
        check('A\u03a3' + '\u00ad'.repeat(n) + 'b');
      }
    });
  });
}
