import { describe, expect, it } from 'vitest';
import { findAnswerRange, splitByRanges } from './highlight';

describe('splitByRanges', () => {
  it('cuts the text around one range and keeps every character once', () => {
    const text = 'The Seine flows through Paris.';
    const segs = splitByRanges(text, [{ start: 4, end: 9, kind: 'answer' }]);
    expect(segs).toEqual([
      { text: 'The ', start: 0, end: 4, kind: null },
      { text: 'Seine', start: 4, end: 9, kind: 'answer' },
      { text: ' flows through Paris.', start: 9, end: 30, kind: null },
    ]);
    expect(segs.map((s) => s.text).join('')).toBe(text);
  });

  it('handles ranges at both ends, unsorted input, overlaps, clipping and empty ranges', () => {
    const text = 'abcdefghij';
    const segs = splitByRanges(text, [
      { start: 8, end: 20, kind: 'gold' }, // clipped to 10
      { start: 0, end: 2, kind: 'answer' },
      { start: 1, end: 4, kind: 'gold' }, // overlaps the first: only 2..4 left
      { start: 5, end: 5, kind: 'answer' }, // empty: dropped
    ]);
    expect(segs.map((s) => [s.text, s.kind])).toEqual([
      ['ab', 'answer'],
      ['cd', 'gold'],
      ['efgh', null],
      ['ij', 'gold'],
    ]);
    expect(segs.map((s) => s.text).join('')).toBe(text);
  });

  it('keeps a prediction (listed first) whole inside a gold answer that contains it', () => {
    const text = 'The Vltava flows.';
    const segs = splitByRanges(text, [
      { start: 4, end: 10, kind: 'answer' },
      { start: 0, end: 10, kind: 'gold' },
    ]);
    expect(segs.map((s) => [s.text, s.kind])).toEqual([
      ['The ', 'gold'],
      ['Vltava', 'answer'],
      [' flows.', null],
    ]);
  });

  it('keeps two adjacent ranges of the same kind as separate segments', () => {
    const segs = splitByRanges('abcd', [
      { start: 0, end: 2, kind: 'gold' },
      { start: 2, end: 4, kind: 'gold' },
    ]);
    expect(segs.map((s) => s.text)).toEqual(['ab', 'cd']);
  });

  it('uses UTF-16 indices (an emoji is two code units)', () => {
    const text = 'a😀b';
    expect(splitByRanges(text, [{ start: 1, end: 3, kind: 'answer' }]).map((s) => s.text)).toEqual(['a', '😀', 'b']);
  });

  it('returns the whole text as one plain segment without ranges, and one segment for empty text', () => {
    expect(splitByRanges('hello', [])).toEqual([{ text: 'hello', start: 0, end: 5, kind: null }]);
    expect(splitByRanges('', [{ start: 0, end: 3, kind: 'answer' }])).toEqual([{ text: '', start: 0, end: 0, kind: null }]);
  });
});

describe('findAnswerRange', () => {
  it('finds an exact then a case-insensitive occurrence, or null', () => {
    expect(findAnswerRange('Born in 1879 in Ulm', '1879')).toEqual({ start: 8, end: 12 });
    expect(findAnswerRange('Born in ULM', 'ulm')).toEqual({ start: 8, end: 11 });
    expect(findAnswerRange('Born in Ulm', 'Berlin')).toBeNull();
    expect(findAnswerRange('Born in Ulm', '  ')).toBeNull();
  });
});
