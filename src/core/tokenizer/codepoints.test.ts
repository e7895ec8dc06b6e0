/**
 * Every line of ../shared/fixtures/tokenizer/codepoints.jsonl: google-research/bert's FullTokenizer
 * on each of 151,160 single characters (all assigned in Unicode 14 but surrogates and private-use
 * planes 15-16), lower-cased and cased. Mismatches are collected per mode so one failure lists
 * them all instead of stopping at the first.
 */
import { describe, expect, it } from 'vitest';
import { readShared } from '../../testing/shared';
import { createTokenizer, parseVocab } from './index';

interface CodepointLine {
  cp: number;
  lower: string[];
  cased: string[];
}

const vocab = parseVocab(readShared('fixtures/vocab/bert-base-uncased.txt'), 'bert-base-uncased.txt');
const lines: CodepointLine[] = readShared('fixtures/tokenizer/codepoints.jsonl')
  .split('\n')
  .filter((l) => l !== '')
  .map((l) => JSON.parse(l) as CodepointLine);

describe('fixtures/tokenizer/codepoints.jsonl', () => {
  it('holds the 151,160 code points the README describes', () => {
    expect(lines.length).toBe(151160);
    expect(new Set(lines.map((l) => l.cp)).size).toBe(151160);
  });

  for (const mode of ['lower', 'cased'] as const) {
    it(`every character, ${mode === 'lower' ? 'do_lower_case' : 'cased'}: tokens, ids and offsets`, () => {
      const tokenizer = createTokenizer(vocab, { doLowerCase: mode === 'lower' });
      const mismatches: string[] = [];
      for (const line of lines) {
        const text = String.fromCodePoint(line.cp);
        const want = line[mode];
        const enc = tokenizer.encode(text);
        const ids = want.map((t) => vocab.tokenToId.get(t));
        const same =
          enc.tokens.length === want.length &&
          enc.tokens.every((t, i) => t === want[i] && enc.ids[i] === ids[i]) &&
          // One character: every token covers it whole.
          enc.offsets.every(([s, e]) => s === 0 && e === text.length);
        if (!same) {
          mismatches.push(`U+${line.cp.toString(16).toUpperCase().padStart(4, '0')}: want ${JSON.stringify(want)} got ${JSON.stringify(enc.tokens)}`);
        }
      }
      expect(mismatches.slice(0, 50)).toEqual([]);
      expect(mismatches.length).toBe(0);
    });
  }
});
