/**
 * Hugging Face tokenizer.json of the BERT WordPiece kind -> Tokenizer. Honours the normalizer's
 * lowercase / strip_accents / handle_chinese_chars / clean_text, and the model's vocab,
 * unk_token, continuing_subword_prefix and max_input_chars_per_word. Other kinds (BPE,
 * Unigram, byte-level or Metaspace pre-tokenizers, other normalizers) are refused with a clear
 * error. Special tokens in the text are split like any text, as google-research/bert does.
 */
import { TabtuneError } from '../errors';
import { createTokenizer } from './tokenizer';
import type { Tokenizer, TokenizerOptions, Vocab } from './types';
import { MAX_VOCAB_TOKENS, checkSpecialTokens } from './vocab';

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

interface NormalizerSettings {
  cleanText: boolean;
  tokenizeChineseChars: boolean;
  doLowerCase: boolean;
  stripAccents: boolean;
}

function fail(file: string, location: string, problem: string, expected: string): never {
  throw new TabtuneError(problem, { file, location, expected, code: 'tokenizer-json' });
}

function readNormalizer(n: unknown, file: string): NormalizerSettings {
  if (n === null || n === undefined) {
    return { cleanText: false, tokenizeChineseChars: false, doLowerCase: false, stripAccents: false };
  }
  if (!isObject(n)) fail(file, 'normalizer', 'the normalizer is not an object', 'a BertNormalizer');
  if (n.type === 'BertNormalizer') {
    const lowercase = n.lowercase === undefined ? true : n.lowercase === true;
    const strip = n.strip_accents === null || n.strip_accents === undefined ? lowercase : n.strip_accents === true;
    return {
      cleanText: n.clean_text === undefined ? true : n.clean_text === true,
      tokenizeChineseChars: n.handle_chinese_chars === undefined ? true : n.handle_chinese_chars === true,
      doLowerCase: lowercase,
      stripAccents: strip,
    };
  }
  if (n.type === 'Sequence' && Array.isArray(n.normalizers)) {
    const s: NormalizerSettings = { cleanText: false, tokenizeChineseChars: false, doLowerCase: false, stripAccents: false };
    let nfd = false;
    n.normalizers.forEach((item: unknown, i: number) => {
      const type = isObject(item) ? item.type : undefined;
      if (type === 'BertNormalizer') Object.assign(s, readNormalizer(item, file));
      else if (type === 'Lowercase') s.doLowerCase = true;
      else if (type === 'NFD') nfd = true;
      else if (type === 'StripAccents' && nfd) s.stripAccents = true;
      else {
        fail(file, `normalizer.normalizers[${i}]`, `unsupported normalizer ${JSON.stringify(type)}`,
          'BertNormalizer, Lowercase, NFD or StripAccents after NFD');
      }
    });
    return s;
  }
  return fail(file, 'normalizer.type', `unsupported normalizer ${JSON.stringify(n.type)}`, 'BertNormalizer (a BERT WordPiece tokenizer)');
}

/**
 * model.vocab (token -> id) as a Vocab, checking that the ids are the distinct integers
 * 0..n-1. One pass over the keys builds both directions (no [token, id] pair per entry, no
 * second map): this table is most of the reader's work after JSON.parse.
 */
function readVocabObject(vocabJson: Json, file: string): Vocab {
  const keys = Object.keys(vocabJson);
  const n = keys.length;
  if (n === 0) fail(file, 'model.vocab', 'the vocabulary is empty', 'an object mapping each token to its id');
  if (n > MAX_VOCAB_TOKENS) fail(file, 'model.vocab', `the vocabulary has ${n} tokens`, `at most ${MAX_VOCAB_TOKENS}`);
  const idToToken = new Array<string>(n);
  const seen = new Uint8Array(n);
  const tokenToId = new Map<string, number>();
  for (let k = 0; k < n; k++) {
    const token = keys[k];
    const id = vocabJson[token];
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id >= n || seen[id]) {
      fail(file, `model.vocab["${token.slice(0, 100)}"]`, `bad id ${shortJson(id)}`, `distinct integer ids 0..${n - 1}`);
    }
    seen[id] = 1;
    idToToken[id] = token;
    tokenToId.set(token, id);
  }
  return { tokenToId, idToToken, size: n };
}

/** A value for an error message: at most 100 characters of its JSON (a mutated id may be a huge array). */
function shortJson(v: unknown): string {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 100 ? `${s.slice(0, 100)}…` : s;
}

/** Builds a Tokenizer from a parsed tokenizer.json. `overrides` (e.g. CLI flags) win over the file's settings. */
export function tokenizerFromHfJson(json: unknown, file = 'tokenizer.json', overrides: TokenizerOptions = {}): Tokenizer {
  if (!isObject(json)) fail(file, 'top level', 'tokenizer.json is not a JSON object', 'a Hugging Face tokenizer.json');
  const model = json.model;
  if (!isObject(model)) fail(file, 'model', 'there is no model', 'a "model" object of type "WordPiece"');
  if (model.type !== 'WordPiece' && !(model.type === undefined && 'continuing_subword_prefix' in model)) {
    fail(file, 'model.type', `the model is ${JSON.stringify(model.type)}, not WordPiece`, 'a BERT WordPiece tokenizer ("type": "WordPiece")');
  }
  const pre = json.pre_tokenizer;
  if (pre !== null && pre !== undefined && !(isObject(pre) && pre.type === 'BertPreTokenizer')) {
    fail(file, 'pre_tokenizer.type', `unsupported pre-tokenizer ${JSON.stringify(isObject(pre) ? pre.type : pre)}`, 'BertPreTokenizer');
  }
  const vocabJson = model.vocab;
  if (!isObject(vocabJson)) fail(file, 'model.vocab', 'there is no vocabulary', 'an object mapping each token to its id');
  const vocab = readVocabObject(vocabJson, file);
  const unkToken = typeof model.unk_token === 'string' ? model.unk_token : '[UNK]';
  checkSpecialTokens(vocab, file, unkToken);
  const norm = readNormalizer(json.normalizer, file);
  const maxChars = model.max_input_chars_per_word;
  const prefix = model.continuing_subword_prefix;
  const given = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)) as TokenizerOptions;
  return createTokenizer(vocab, {
    doLowerCase: norm.doLowerCase,
    stripAccents: norm.stripAccents,
    cleanText: norm.cleanText,
    tokenizeChineseChars: norm.tokenizeChineseChars,
    unkToken,
    maxInputCharsPerWord: typeof maxChars === 'number' ? maxChars : 100,
    continuingSubwordPrefix: typeof prefix === 'string' ? prefix : '##',
    ...given,
    ...(given.doLowerCase !== undefined && given.stripAccents === undefined ? { stripAccents: given.doLowerCase } : {}),
  });
}
