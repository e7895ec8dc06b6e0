/** Bad vocabularies and tokenizer files give a TabtuneError naming the file and what was expected. */
import { describe, expect, it } from 'vitest';
import { TabtuneError } from '../errors';
import { createTokenizer, parseVocab, tokenizerFromBytes, tokenizerFromHfJson, vocabFromTokens } from './index';

function caught(fn: () => unknown): TabtuneError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(TabtuneError);
    return e as TabtuneError;
  }
  throw new Error('expected a TabtuneError');
}

const GOOD = '[PAD]\n[UNK]\n[CLS]\n[SEP]\nhello\n';

describe('parseVocab errors', () => {
  it.each([
    ['[CLS]', '[PAD]\n[UNK]\n[SEP]\nhello\n'],
    ['[SEP]', '[PAD]\n[UNK]\n[CLS]\nhello\n'],
    ['[UNK]', '[PAD]\n[CLS]\n[SEP]\nhello\n'],
  ])('names the file and the missing %s', (missing, text) => {
    const e = caught(() => parseVocab(text, 'my-vocab.txt'));
    expect(e.file).toBe('my-vocab.txt');
    expect(e.code).toBe('vocab-special');
    expect(e.message).toContain('my-vocab.txt');
    expect(e.message).toContain(`lacks ${missing}`);
    expect(e.expected).toContain('[CLS], [SEP], [UNK]');
  });

  it('refuses an empty file', () => {
    for (const text of ['', '\n\n  \n']) {
      const e = caught(() => parseVocab(text, 'empty.txt'));
      expect(e.code).toBe('vocab-empty');
      expect(e.message).toMatch(/^empty\.txt: the vocabulary file is empty/);
    }
  });

  it('refuses binary text', () => {
    const e = caught(() => parseVocab('PK\u0003\u0004\u0000\u0000[CLS]\n[SEP]\n[UNK]\n', 'model.zip'));
    expect(e.code).toBe('vocab-binary');
    expect(e.message).toContain('model.zip');
  });

  it('refuses bytes that are not UTF-8', () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0xff, 0xfe, 0x00, 0x01]);
    const e = caught(() => tokenizerFromBytes(png, 'image.png'));
    expect(e.code).toBe('vocab-binary');
    expect(e.file).toBe('image.png');
  });

  it('reads a good vocabulary: ids are line indices, lines stripped, CRLF accepted', () => {
    const v = parseVocab(GOOD.replace(/\n/g, '\r\n'), 'v.txt');
    expect(v.size).toBe(5);
    expect(v.idToToken).toEqual(['[PAD]', '[UNK]', '[CLS]', '[SEP]', 'hello']);
    expect(v.tokenToId.get('hello')).toBe(4);
    const tk = createTokenizer(v);
    expect([tk.padId, tk.unkId, tk.clsId, tk.sepId]).toEqual([0, 1, 2, 3]);
  });
});

describe('tokenizer errors', () => {
  const vocab = parseVocab(GOOD, 'v.txt');

  it('createTokenizer refuses a vocabulary without the special tokens', () => {
    expect(caught(() => createTokenizer(vocabFromTokens(['a', 'b']))).code).toBe('vocab-special');
  });

  it('refuses a bad maxInputCharsPerWord', () => {
    expect(caught(() => createTokenizer(vocab, { maxInputCharsPerWord: 0 })).code).toBe('tokenizer-options');
  });

  it('convertTokensToIds / convertIdsToTokens name the bad item', () => {
    const tk = createTokenizer(vocab);
    expect(caught(() => tk.convertTokensToIds(['hello', 'nope'])).location).toBe('token 1');
    expect(caught(() => tk.convertIdsToTokens([4, 99])).location).toBe('id 1');
  });
});

describe('tokenizer.json errors', () => {
  const model = { type: 'WordPiece', unk_token: '[UNK]', vocab: { '[UNK]': 0, '[CLS]': 1, '[SEP]': 2 } };

  it.each([
    ['not an object', [], 'top level'],
    ['a BPE model', { model: { type: 'BPE', vocab: {}, merges: [] } }, 'model.type'],
    ['no model', { normalizer: null }, 'model'],
    ['a byte-level pre-tokenizer', { model, pre_tokenizer: { type: 'ByteLevel' } }, 'pre_tokenizer.type'],
    ['an unsupported normalizer', { model, normalizer: { type: 'NFKC' } }, 'normalizer.type'],
    ['no vocabulary', { model: { type: 'WordPiece' } }, 'model.vocab'],
    ['duplicate ids', { model: { type: 'WordPiece', vocab: { '[UNK]': 0, '[CLS]': 0, '[SEP]': 2 } } }, 'model.vocab["[CLS]"]'],
  ])('refuses %s', (_name, json, location) => {
    const e = caught(() => tokenizerFromHfJson(json, 'tok.json'));
    expect(e.file).toBe('tok.json');
    expect(e.location).toBe(location);
  });

  it('refuses a vocabulary without [SEP]', () => {
    const e = caught(() => tokenizerFromHfJson({ model: { type: 'WordPiece', vocab: { '[UNK]': 0, '[CLS]': 1 } } }, 'tok.json'));
    expect(e.code).toBe('vocab-special');
    expect(e.message).toContain('[SEP]');
  });

  it('refuses bytes that start like JSON but are not', () => {
    const e = caught(() => tokenizerFromBytes(new TextEncoder().encode('{"model": '), 'broken.json'));
    expect(e.code).toBe('tokenizer-json');
    expect(e.file).toBe('broken.json');
  });
});
