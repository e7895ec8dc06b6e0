/** Every line of ../shared/fixtures/tokenizer against google-research/bert (tokens, ids, basic) and Hugging Face (offsets). */
import { describe, expect, it } from 'vitest';
import { readJsonl, readShared } from '../../testing/shared';
import { createTokenizer, parseVocab } from './index';

interface FixtureLine {
  text: string;
  basic: string[];
  tokens: string[];
  ids: number[];
  offsets: Array<[number, number]> | null;
}

const vocab = parseVocab(readShared('fixtures/vocab/bert-base-uncased.txt'), 'bert-base-uncased.txt');

for (const [file, doLowerCase] of [
  ['uncased.jsonl', true],
  ['cased-mode.jsonl', false],
] as const) {
  describe(`fixtures/tokenizer/${file}`, () => {
    const lines = readJsonl<FixtureLine>('fixtures/tokenizer', file);
    const tokenizer = createTokenizer(vocab, { doLowerCase });

    it('has the 385 fixture strings', () => {
      expect(lines.length).toBe(385);
    });

    it.each(lines.map((line, i) => [i + 1, line] as const))('line %i', (_n, line) => {
      expect(tokenizer.basicTokenize(line.text)).toEqual(line.basic);
      const enc = tokenizer.encode(line.text);
      expect(enc.tokens).toEqual(line.tokens);
      expect(enc.ids).toEqual(line.ids);
      if (line.offsets !== null) expect(enc.offsets).toEqual(line.offsets);
      expect(tokenizer.tokenize(line.text)).toEqual(line.tokens);
      expect(tokenizer.convertTokensToIds(line.tokens)).toEqual(line.ids);
      expect(tokenizer.convertIdsToTokens(line.ids)).toEqual(line.tokens);
    });

    it('skips offsets on exactly one line (the private-use character)', () => {
      const skipped = lines.filter((l) => l.offsets === null);
      expect(skipped.length).toBe(1);
      expect(skipped[0].text).toContain('\ue000');
    });
  });
}
