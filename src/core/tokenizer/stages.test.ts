/** Golden tables for each stage: normalize, pre-tokenize, WordPiece, post-process. */
import { describe, expect, it } from 'vitest';
import { createNormalizer, normalizedSlice, type NormalizeOptions } from './normalize';
import { toEncoding } from './postprocess';
import { createWordSpans, preTokenize } from './pretokenize';
import { vocabFromTokens } from './vocab';
import { createPieceBuffer, createWordPiece } from './wordpiece';
import { createTokenizer } from './tokenizer';

const UNCASED: NormalizeOptions = { cleanText: true, handleChineseChars: true, lowercase: true, stripAccents: true };
const CASED: NormalizeOptions = { ...UNCASED, lowercase: false, stripAccents: false };

/** [options, input, normalized, [origStart, origEnd] of every normalized unit] */
const NORMALIZE: Array<[string, NormalizeOptions, string, string, Array<[number, number]>]> = [
  ['lower-cases ASCII', UNCASED, 'AbC', 'abc', [[0, 1], [1, 2], [2, 3]]],
  ['strips a precomposed accent', UNCASED, 'Hé', 'he', [[0, 1], [1, 2]]],
  ['drops a combining mark, offsets skip it', UNCASED, 'e\u0301x', 'ex', [[0, 1], [2, 3]]],
  ['drops NUL, U+FFFD and controls', UNCASED, 'a\u0000b\ufffdc\u200bd', 'abcd', [[0, 1], [2, 3], [4, 5], [6, 7]]],
  ['whitespace becomes a space', UNCASED, 'a\tb\u00a0c\u3000', 'a b c ', [[0, 1], [1, 2], [2, 3], [3, 4], [4, 5], [5, 6]]],
  ['spaces around CJK ideographs', UNCASED, '北京', ' 北  京 ', [[0, 1], [0, 1], [0, 1], [1, 2], [1, 2], [1, 2]]],
  ['Hangul syllable expands to jamo', UNCASED, '한', '\u1112\u1161\u11ab', [[0, 1], [0, 1], [0, 1]]],
  ['dotted capital I lower-cases to i', UNCASED, 'İx', 'ix', [[0, 1], [1, 2]]],
  ['a surrogate pair keeps its whole range', UNCASED, '😀A', '😀a', [[0, 2], [0, 2], [2, 3]]],
  ['final sigma by word context', UNCASED, 'ΟΣ ΣΑ', 'ος σα', [[0, 1], [1, 2], [2, 3], [3, 4], [4, 5]]],
  ['cased keeps case and accents', CASED, 'Hé\u0301', 'Hé\u0301', [[0, 1], [1, 2], [2, 3]]],
  ['no cleaning keeps controls', { ...CASED, cleanText: false }, 'a\tb\u0001', 'a\tb\u0001', [[0, 1], [1, 2], [2, 3], [3, 4]]],
  ['no CJK splitting', { ...UNCASED, handleChineseChars: false }, '北京', '北京', [[0, 1], [1, 2]]],
  ['accent stripping without lower-casing', { ...CASED, stripAccents: true }, 'Én', 'En', [[0, 1], [1, 2]]],
];

describe('normalize', () => {
  it.each(NORMALIZE)('%s', (_name, options, input, normalized, align) => {
    const n = createNormalizer(options).normalize(input);
    expect(normalizedSlice(n)).toBe(normalized);
    const got = Array.from({ length: n.length }, (_, i) => [n.origStart[i], n.origEnd[i]]);
    expect(got).toEqual(align);
  });

  it('reuses and grows its buffer', () => {
    const norm = createNormalizer(UNCASED);
    const small = norm.normalize('x');
    const long = 'Ab '.repeat(5000);
    const n = norm.normalize(long, small);
    expect(normalizedSlice(n)).toBe('ab '.repeat(5000));
    expect(n.origEnd[n.length - 1]).toBe(long.length);
  });
});

/** normalized text -> words */
const PRETOKENIZE: Array<[string, string[]]> = [
  ['hello, world!', ['hello', ',', 'world', '!']],
  ['  a  ', ['a']],
  ["don't", ['don', "'", 't']],
  ['x\u2028y\u2029z', ['x', 'y', 'z']],
  ['a😀b', ['a😀b']],
  ['¿qué?', ['¿', 'qué', '?']],
  ['a—b', ['a', '—', 'b']],
  ['$5+3=8', ['$', '5', '+', '3', '=', '8']],
  ['©x', ['©x']],
  ['', []],
  ['...', ['.', '.', '.']],
];

describe('preTokenize', () => {
  it.each(PRETOKENIZE)('%j', (text, words) => {
    // Cased without cleaning: the normalized text is the input itself.
    const n = createNormalizer({ ...CASED, cleanText: false }).normalize(text);
    const spans = preTokenize(n, createWordSpans(1));
    const got = Array.from({ length: spans.count }, (_, w) => normalizedSlice(n, spans.spans[w * 2], spans.spans[w * 2 + 1]));
    expect(got).toEqual(words);
  });
});

// google-research/bert's tokenization_test.py vocabulary, plus a few tokens for edge cases.
const TEST_TOKENS = ['[UNK]', '[CLS]', '[SEP]', 'want', '##want', '##ed', 'wa', 'un', 'runn', '##ing', ',', 'a', '##😀', '##a', 'x', '@@y'];
const testVocab = vocabFromTokens(TEST_TOKENS);

/** [word, maxInputCharsPerWord, prefix, pieces as 'token@start-end'] */
const WORDPIECE: Array<[string, number, string, string[]]> = [
  ['unwanted', 200, '##', ['un@0-2', '##want@2-6', '##ed@6-8']],
  ['running', 200, '##', ['runn@0-4', '##ing@4-7']],
  ['unwantedX', 200, '##', ['[UNK]@0-9']],
  ['want', 4, '##', ['want@0-4']],
  ['wanted', 4, '##', ['[UNK]@0-6']],
  ['a😀', 2, '##', ['a@0-1', '##😀@1-3']],
  ['a😀a', 2, '##', ['[UNK]@0-4']],
  ['aaa', 200, '##', ['a@0-1', '##a@1-2', '##a@2-3']],
  ['xy', 200, '@@', ['x@0-1', '@@y@1-2']],
  ['xy', 200, '##', ['[UNK]@0-2']],
];

describe('WordPiece', () => {
  it.each(WORDPIECE)('%s (max %i, prefix %s)', (word, max, prefix, expected) => {
    const wp = createWordPiece(testVocab, { unkId: 0, maxInputCharsPerWord: max, continuingSubwordPrefix: prefix });
    const codeUnits = new Uint16Array(word.length);
    for (let i = 0; i < word.length; i++) codeUnits[i] = word.charCodeAt(i);
    const out = createPieceBuffer(1);
    wp.tokenizeWord(codeUnits, 0, codeUnits.length, out);
    const got = Array.from({ length: out.count }, (_, t) => `${TEST_TOKENS[out.ids[t]]}@${out.spans[t * 2]}-${out.spans[t * 2 + 1]}`);
    expect(got).toEqual(expected);
  });

  it('matches Google on its own test sentences', () => {
    const tk = createTokenizer(testVocab);
    expect(tk.tokenize('')).toEqual([]);
    expect(tk.tokenize('unwanted running')).toEqual(['un', '##want', '##ed', 'runn', '##ing']);
    expect(tk.tokenize('unwantedX running')).toEqual(['[UNK]', 'runn', '##ing']);
  });
});

describe('post-process', () => {
  it('maps piece spans back to the original text', () => {
    const text = 'ÜNWANTED,\u0000 Running';
    const n = createNormalizer(UNCASED).normalize(text);
    const words = preTokenize(n);
    const wp = createWordPiece(testVocab, { unkId: 0, maxInputCharsPerWord: 200, continuingSubwordPrefix: '##' });
    const pieces = createPieceBuffer();
    for (let w = 0; w < words.count; w++) wp.tokenizeWord(n.units, words.spans[w * 2], words.spans[w * 2 + 1], pieces);
    expect(toEncoding(n, pieces, testVocab.idToToken)).toEqual({
      tokens: ['un', '##want', '##ed', ',', 'runn', '##ing'],
      ids: [7, 4, 5, 10, 8, 9],
      offsets: [[0, 2], [2, 6], [6, 8], [8, 9], [11, 15], [15, 18]],
    });
  });
});
