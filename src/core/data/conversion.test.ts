/**
 * The conversion helpers on cases the fixtures do not reach: _truncate_seq_pair, the
 * empty-text_b rules, STS-B regression labels, _check_is_max_context, _improve_answer_span,
 * the code-point char_to_word_offset, and Python's float formatting of label_id.
 */
import { describe, expect, it } from 'vitest';
import { convertExample, truncateSeqPair } from './classifier-features';
import { pythonFloat, pythonJson } from './python-json';
import { checkIsMaxContext, docSpans, improveAnswerSpan } from './squad-features';
import { cleanAnswerText, squadExamplesFromJson, splitContext } from './squad-reader';
import { uncasedTokenizer } from '../../testing/test-tokenizer';

describe('classifier conversion', () => {
  it('truncates the longer sequence one token at a time', () => {
    const a = [1, 2, 3, 4, 5, 6];
    const b = [7, 8, 9];
    truncateSeqPair(a, b, 6);
    expect([a, b]).toEqual([[1, 2, 3], [7, 8, 9]]);
    const c = [1, 2, 3];
    const d = [4, 5, 6];
    truncateSeqPair(c, d, 3);
    expect([c, d]).toEqual([[1, 2], [4]]);
  });

  it('treats an empty text_b, and a text_b without tokens, as a single sequence', () => {
    const tok = uncasedTokenizer();
    const single = convertExample({ guid: 'x-0', textA: 'hello world', label: '1' }, tok, { maxSeqLength: 8, labels: ['0', '1'] });
    expect(single.input_ids).toEqual([101, 7592, 2088, 102, 0, 0, 0, 0]);
    for (const textB of ['', '   ']) {
      const f = convertExample({ guid: 'x-0', textA: 'hello world', textB, label: '1' }, tok, { maxSeqLength: 8, labels: ['0', '1'] });
      expect(f.input_ids).toEqual(single.input_ids);
      expect(f.segment_ids).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
      expect(f.text_b).toBe(textB);
    }
    const pair = convertExample({ guid: 'x-0', textA: 'hello world', textB: 'hello', label: '0' }, tok, { maxSeqLength: 7, labels: ['0', '1'] });
    expect(pair.input_ids).toEqual([101, 7592, 2088, 102, 7592, 102, 0]);
    expect(pair.segment_ids).toEqual([0, 0, 0, 0, 1, 1, 0]);
    expect(pair.input_mask).toEqual([1, 1, 1, 1, 1, 1, 0]);
    // max_seq_length 5 leaves 2 tokens for the pair: 'world' goes (text_a is longer).
    const cut = convertExample({ guid: 'x-0', textA: 'hello world', textB: 'hello', label: '0' }, tok, { maxSeqLength: 5, labels: ['0', '1'] });
    expect(cut.input_ids).toEqual([101, 7592, 102, 7592, 102]);
    // A single sequence keeps max_seq_length - 2 tokens.
    const long = convertExample({ guid: 'x-0', textA: 'hello world hello world', label: '0' }, tok, { maxSeqLength: 5, labels: ['0', '1'] });
    expect(long.input_ids).toEqual([101, 7592, 2088, 7592, 102]);
  });

  it('writes STS-B targets as Python floats', () => {
    const f = convertExample({ guid: 'dev-0', textA: 'a', textB: 'b', label: '5.000' }, uncasedTokenizer(), { maxSeqLength: 5, labels: null });
    expect(f.label_id).toBe(5);
    expect(pythonJson(f, new Set(['label_id']))).toBe(
      '{"guid": "dev-0", "text_a": "a", "text_b": "b", "label": "5.000", "input_ids": [101, 1037, 102, 1038, 102], "input_mask": [1, 1, 1, 1, 1], "segment_ids": [0, 0, 0, 1, 1], "label_id": 5.0}',
    );
  });

  it('computes no label id when no label list is given (previews), and refuses unknown labels', () => {
    const tok = uncasedTokenizer();
    const ex = { guid: 'dev-1', textA: 'a', textB: 'b', label: 'entailment' };
    expect(convertExample(ex, tok, { maxSeqLength: 8 }).label_id).toBe(0);
    expect(convertExample(ex, tok, { maxSeqLength: 8, labels: ['entailment', 'not_entailment'] }).label_id).toBe(0);
    expect(convertExample({ ...ex, label: 'not_entailment' }, tok, { maxSeqLength: 8, labels: ['entailment', 'not_entailment'] }).label_id).toBe(1);
    expect(() => convertExample(ex, tok, { maxSeqLength: 8, labels: ['0', '1'] })).toThrow("dev-1: label 'entailment' is not in the label list (expected one of 0, 1)");
    expect(() => convertExample(ex, tok, { maxSeqLength: 8, labels: null })).toThrow("dev-1: label 'entailment' is not a number");
  });

  it('formats floats as Python repr does', () => {
    const cases: Array<[number, string]> = [
      [4, '4.0'],
      [3.8, '3.8'],
      [-0.5, '-0.5'],
      [0.1 + 0.2, '0.30000000000000004'],
      [1e-5, '1e-05'],
      [0.0001, '0.0001'],
      [1.5e-7, '1.5e-07'],
      [1e16, '1e+16'],
      [123456789012345.6, '123456789012345.6'],
      [2.5e300, '2.5e+300'],
      [0, '0.0'],
    ];
    for (const [x, s] of cases) expect(pythonFloat(x), String(x)).toBe(s);
  });
});

describe('SQuAD helpers', () => {
  it('picks the span with the most context on the shorter side', () => {
    // 10 tokens, windows of 6 with stride 2: [0,6) [2,8) [4,10)
    const spans = docSpans(10, 6, 2);
    expect(spans).toEqual([
      { start: 0, length: 6 },
      { start: 2, length: 6 },
      { start: 4, length: 6 },
    ]);
    expect([0, 1, 2, 3, 4, 5].map((p) => checkIsMaxContext(spans, 0, p))).toEqual([true, true, true, true, false, false]);
    expect([2, 3, 4, 5, 6, 7].map((p) => checkIsMaxContext(spans, 1, p))).toEqual([false, false, true, true, false, false]);
    expect([4, 5, 6, 7, 8, 9].map((p) => checkIsMaxContext(spans, 2, p))).toEqual([false, false, true, true, true, true]);
    expect(docSpans(3, 6, 2)).toEqual([{ start: 0, length: 3 }]);
    expect(docSpans(0, 6, 2)).toEqual([]);
  });

  it('tightens an answer span to the tokenized answer', () => {
    const doc = ['the', 'year', '(', '1895', ')', '.'];
    expect(improveAnswerSpan(doc, 2, 4, ['1895'])).toEqual([3, 3]);
    expect(improveAnswerSpan(doc, 0, 5, ['the', 'year'])).toEqual([0, 1]);
    expect(improveAnswerSpan(doc, 2, 4, ['1896'])).toEqual([2, 4]);
    expect(improveAnswerSpan(doc, 2, 4, [])).toEqual([2, 4]);
  });

  it('splits the context on run_squad whitespace and counts answer_start in code points', () => {
    const context = 'I 😀 love\u202fParis\u00a0now .';
    const split = splitContext(context);
    expect(split.docTokens).toEqual(['I', '😀', 'love', 'Paris\u00a0now', '.']);
    expect(split.charStarts).toEqual([0, 2, 5, 10, 20]);
    expect(split.charStarts.map((s, i) => context.startsWith(split.docTokens[i], s))).toEqual([true, true, true, true, true]);
    expect(split.charToWord.length).toBe([...context].length);

    const json = { data: [{ paragraphs: [{ context, qas: [{ id: 'q1', question: 'Where?', answers: [{ text: 'Paris', answer_start: 9 }] }] }] }] };
    const { examples } = squadExamplesFromJson(json, 'x.json', { training: true });
    expect(examples[0]).toMatchObject({ startPosition: 3, endPosition: 3, origAnswerText: 'Paris', contextText: context });
  });

  it('cleans answer text with Python whitespace rules', () => {
    expect(cleanAnswerText('  the\u3000big \u00a0 cat\u001f ')).toBe('the big cat');
    expect(cleanAnswerText('a\ufeffb')).toBe('a\ufeffb');
  });
});
