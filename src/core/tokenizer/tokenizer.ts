/**
 * google-research/bert's FullTokenizer assembled from the stages of this folder:
 * normalize -> pre-tokenize -> WordPiece -> post-process (offsets into the original text).
 */
import { TabtuneError } from '../errors';
import { createNormalizedText, createNormalizer, normalizedSlice } from './normalize';
import { toEncoding } from './postprocess';
import { createWordSpans, preTokenize } from './pretokenize';
import type { Encoding, Tokenizer, TokenizerOptions, Vocab } from './types';
import { checkSpecialTokens } from './vocab';
import { createPieceBuffer, createWordPiece } from './wordpiece';

/** Google's default max_input_chars_per_word. */
export const DEFAULT_MAX_INPUT_CHARS_PER_WORD = 200;

export function createTokenizer(vocab: Vocab, options: TokenizerOptions = {}): Tokenizer {
  const doLowerCase = options.doLowerCase ?? true;
  const unkToken = options.unkToken ?? '[UNK]';
  const maxInputCharsPerWord = options.maxInputCharsPerWord ?? DEFAULT_MAX_INPUT_CHARS_PER_WORD;
  if (!Number.isInteger(maxInputCharsPerWord) || maxInputCharsPerWord < 1) {
    throw new TabtuneError(`maxInputCharsPerWord is ${maxInputCharsPerWord}`, {
      location: 'tokenizer options',
      expected: 'a whole number of at least 1',
      code: 'tokenizer-options',
    });
  }
  checkSpecialTokens(vocab, 'vocabulary', unkToken);
  const unkId = vocab.tokenToId.get(unkToken)!;
  const clsId = vocab.tokenToId.get('[CLS]')!;
  const sepId = vocab.tokenToId.get('[SEP]')!;
  const padId = vocab.tokenToId.get('[PAD]') ?? 0;

  const normalizer = createNormalizer({
    cleanText: options.cleanText ?? true,
    handleChineseChars: options.tokenizeChineseChars ?? true,
    lowercase: doLowerCase,
    stripAccents: options.stripAccents ?? doLowerCase,
  });
  const wordPiece = createWordPiece(vocab, {
    unkId,
    maxInputCharsPerWord,
    continuingSubwordPrefix: options.continuingSubwordPrefix ?? '##',
  });

  // Scratch buffers reused by every call (JavaScript runs one call at a time per tokenizer).
  const normalized = createNormalizedText(1024);
  const words = createWordSpans(256);
  const pieces = createPieceBuffer(512);
  const idToToken = vocab.idToToken;

  function runPieces(text: string): void {
    normalizer.normalize(text, normalized);
    preTokenize(normalized, words);
    pieces.count = 0;
    const spans = words.spans;
    for (let w = 0; w < words.count; w++) {
      wordPiece.tokenizeWord(normalized.units, spans[w * 2], spans[w * 2 + 1], pieces);
    }
  }

  function encode(text: string): Encoding {
    runPieces(text);
    return toEncoding(normalized, pieces, idToToken);
  }

  function tokenize(text: string): string[] {
    runPieces(text);
    const out = new Array<string>(pieces.count);
    for (let t = 0; t < pieces.count; t++) out[t] = idToToken[pieces.ids[t]];
    return out;
  }

  function basicTokenize(text: string): string[] {
    normalizer.normalize(text, normalized);
    preTokenize(normalized, words);
    const out = new Array<string>(words.count);
    for (let w = 0; w < words.count; w++) {
      out[w] = normalizedSlice(normalized, words.spans[w * 2], words.spans[w * 2 + 1]);
    }
    return out;
  }

  function convertTokensToIds(tokens: readonly string[]): number[] {
    return tokens.map((t, i) => {
      const id = vocab.tokenToId.get(t);
      if (id === undefined) {
        throw new TabtuneError(`token '${t}' is not in the vocabulary`, {
          location: `token ${i}`,
          expected: 'a token of the vocabulary',
          code: 'vocab-token',
        });
      }
      return id;
    });
  }

  function convertIdsToTokens(ids: readonly number[]): string[] {
    return ids.map((id, i) => {
      const t = Number.isInteger(id) ? idToToken[id] : undefined;
      if (t === undefined) {
        throw new TabtuneError(`id ${id} is outside the vocabulary`, {
          location: `id ${i}`,
          expected: `an integer id in [0, ${vocab.size})`,
          code: 'vocab-id',
        });
      }
      return t;
    });
  }

  return {
    vocab,
    doLowerCase,
    clsId,
    sepId,
    padId,
    unkId,
    encode,
    tokenize,
    basicTokenize,
    convertTokensToIds,
    convertIdsToTokens,
  };
}
