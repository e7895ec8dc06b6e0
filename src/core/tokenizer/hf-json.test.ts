/** A Hugging Face tokenizer.json built from the same vocabulary gives the same results as vocab.txt. */
import { describe, expect, it } from 'vitest';
import { readJsonl, readShared } from '../../testing/shared';
import { createTokenizer, parseVocab, tokenizerFromBytes, tokenizerFromHfJson } from './index';

interface FixtureLine {
  text: string;
  tokens: string[];
  ids: number[];
  offsets: Array<[number, number]> | null;
}

const vocabText = readShared('fixtures/vocab/bert-base-uncased.txt');
const vocab = parseVocab(vocabText, 'bert-base-uncased.txt');

/** tokenizer.json as Hugging Face's BertWordPieceTokenizer saves it. */
function tokenizerJson(lowercase: boolean, maxChars = 200): Record<string, unknown> {
  const v: Record<string, number> = {};
  vocab.idToToken.forEach((t, i) => (v[t] = i));
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [{ id: 0, content: '[PAD]', special: true }],
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: { type: 'TemplateProcessing' },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: maxChars, vocab: v },
  };
}

for (const [file, lowercase] of [
  ['uncased.jsonl', true],
  ['cased-mode.jsonl', false],
] as const) {
  describe(`tokenizer.json vs vocab.txt on fixtures/tokenizer/${file}`, () => {
    const lines = readJsonl<FixtureLine>('fixtures/tokenizer', file);
    const fromTxt = createTokenizer(vocab, { doLowerCase: lowercase });
    const fromJson = tokenizerFromHfJson(tokenizerJson(lowercase), 'tokenizer.json');
    const fromBytes = tokenizerFromBytes(new TextEncoder().encode(JSON.stringify(tokenizerJson(lowercase))), 'tokenizer.json');

    it('reads the settings', () => {
      expect(fromJson.doLowerCase).toBe(lowercase);
      expect(fromJson.vocab.size).toBe(30522);
      expect([fromJson.padId, fromJson.unkId, fromJson.clsId, fromJson.sepId]).toEqual([0, 100, 101, 102]);
    });

    it('gives the fixture tokens on every line', () => {
      for (const line of lines) {
        const a = fromJson.encode(line.text);
        expect(a).toEqual(fromTxt.encode(line.text));
        expect(fromBytes.encode(line.text)).toEqual(a);
        expect(a.ids).toEqual(line.ids);
        if (line.offsets !== null) expect(a.offsets).toEqual(line.offsets);
      }
    });
  });
}

describe('tokenizer.json settings', () => {
  it('honours max_input_chars_per_word (Hugging Face default 100) and lets options override it', () => {
    const word = 'a'.repeat(101);
    expect(tokenizerFromHfJson(tokenizerJson(true, 100)).tokenize(word)).toEqual(['[UNK]']);
    expect(tokenizerFromHfJson(tokenizerJson(true, 101)).tokenize(word)).not.toEqual(['[UNK]']);
    const json = tokenizerJson(true);
    delete (json.model as Record<string, unknown>).max_input_chars_per_word;
    expect(tokenizerFromHfJson(json).tokenize(word)).toEqual(['[UNK]']);
    expect(tokenizerFromHfJson(json, 'tokenizer.json', { maxInputCharsPerWord: 200 }).tokenize(word)).not.toEqual(['[UNK]']);
  });

  it('honours lowercase, strip_accents, handle_chinese_chars and clean_text', () => {
    const base = tokenizerJson(true);
    const with_ = (normalizer: Record<string, unknown>) => tokenizerFromHfJson({ ...base, normalizer: { type: 'BertNormalizer', ...normalizer } });
    expect(with_({ lowercase: true, strip_accents: false }).basicTokenize('Café')).toEqual(['café']);
    expect(with_({ lowercase: false, strip_accents: true }).basicTokenize('Café')).toEqual(['Cafe']);
    expect(with_({ lowercase: true }).basicTokenize('北京x')).toEqual(['北', '京', 'x']);
    expect(with_({ lowercase: true, handle_chinese_chars: false }).basicTokenize('北京x')).toEqual(['北京x']);
    expect(with_({ lowercase: true, clean_text: false }).basicTokenize('a\u200bb')).toEqual(['a\u200bb']);
    expect(with_({ lowercase: true, clean_text: true }).basicTokenize('a\u200bb')).toEqual(['ab']);
    expect(tokenizerFromHfJson(base, 'tokenizer.json', { doLowerCase: false }).basicTokenize('Café')).toEqual(['Café']);
  });

  it('honours unk_token and continuing_subword_prefix', () => {
    const json = {
      model: { type: 'WordPiece', unk_token: '<unk>', continuing_subword_prefix: '@@', vocab: { '<unk>': 0, '[CLS]': 1, '[SEP]': 2, un: 3, '@@want': 4, '##want': 5 } },
    };
    const tk = tokenizerFromHfJson(json);
    expect(tk.unkId).toBe(0);
    expect(tk.tokenize('unwant unx')).toEqual(['un', '@@want', '<unk>']);
  });
});
