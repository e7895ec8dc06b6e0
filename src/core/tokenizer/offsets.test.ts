/**
 * Offset invariants on seeded random text from tricky Unicode ranges (accents, combining marks,
 * Greek sigma, Hangul, CJK, fullwidth, astral letters and emoji, controls, odd spaces): every
 * token's [start, end) lies inside the input, starts never go back, and the original slice
 * normalizes to text that contains the piece.
 */
import { describe, expect, it } from 'vitest';
import { readShared } from '../../testing/shared';
import { createNormalizer, normalizedSlice } from './normalize';
import { createTokenizer, parseVocab } from './index';

const POOLS: Array<[number, number]> = [
  [0x20, 0x7f], [0xa0, 0x250], [0x300, 0x370], [0x370, 0x400], [0x400, 0x530], [0x1e00, 0x2000],
  [0x2000, 0x2070], [0x3000, 0x3100], [0x4e00, 0x4e40], [0xac00, 0xac40], [0xfb00, 0xfb50],
  [0xff00, 0xfff0], [0x1d400, 0x1d480], [0x1f300, 0x1f700], [0x0, 0x20], [0x80, 0xa0],
];

/** mulberry32 */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomText(next: () => number): string {
  let s = '';
  const n = Math.floor(next() * 30);
  for (let i = 0; i < n; i++) {
    const [lo, hi] = POOLS[Math.floor(next() * POOLS.length)];
    const cp = lo + Math.floor(next() * (hi - lo));
    if (cp < 0xd800 || cp > 0xdfff) s += String.fromCodePoint(cp);
  }
  return s;
}

const vocab = parseVocab(readShared('fixtures/vocab/bert-base-uncased.txt'), 'bert-base-uncased.txt');

describe.each([true, false])('offsets on random text (doLowerCase %s)', (doLowerCase) => {
  const tokenizer = createTokenizer(vocab, { doLowerCase });
  const normalizer = createNormalizer({ lowercase: doLowerCase, stripAccents: doLowerCase });
  const texts = Array.from({ length: 3000 }, ((next) => () => randomText(next))(rng(doLowerCase ? 7 : 11)));

  it('stay inside the text, in order, and cover their pieces', () => {
    let checkedPieces = 0;
    const failures: string[] = [];
    for (const text of texts) {
      const enc = tokenizer.encode(text);
      if (enc.offsets.length !== enc.tokens.length) failures.push(`${JSON.stringify(text)}: ${enc.offsets.length} offsets`);
      let prev = 0;
      enc.offsets.forEach(([s, e], t) => {
        const token = enc.tokens[t];
        if (s < prev || e <= s || e > text.length) failures.push(`${JSON.stringify(text)}: ${token} at [${s}, ${e})`);
        prev = s;
        if (token === '[UNK]') return;
        const piece = token.startsWith('##') ? token.slice(2) : token;
        const slice = normalizedSlice(normalizer.normalize(text.slice(s, e))).replace(/ς/g, 'σ');
        if (!slice.includes(piece.replace(/ς/g, 'σ'))) failures.push(`${JSON.stringify(text)}: ${token} not in ${JSON.stringify(slice)}`);
        checkedPieces++;
      });
    }
    expect(failures).toEqual([]);
    expect(checkedPieces).toBeGreaterThan(1000);
  });
});
