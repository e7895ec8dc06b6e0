/**
 * WordPiece vocabularies: vocab.txt (one token per line, id = line index, as
 * tokenization.load_vocab reads it: each line stripped) or a token -> id table.
 */
import { TabtuneError } from '../errors';
import type { Vocab } from './types';

export const REQUIRED_SPECIAL_TOKENS = ['[CLS]', '[SEP]', '[UNK]'] as const;

/**
 * Most tokens a vocabulary may hold: the same bound as a config's vocab_size (CONFIG_LIMITS);
 * real WordPiece vocabularies hold 20k-250k. Checked by counting lines before splitting, so a
 * 10-million-line file is refused without building its table.
 */
export const MAX_VOCAB_TOKENS = 1 << 20;

/** Builds a Vocab from tokens in id order. Later duplicates win in tokenToId, as in load_vocab. */
export function vocabFromTokens(tokens: readonly string[]): Vocab {
  const tokenToId = new Map<string, number>();
  for (let i = 0; i < tokens.length; i++) tokenToId.set(tokens[i], i);
  return { tokenToId, idToToken: tokens.slice(), size: tokens.length };
}

/** True when decoded text looks like a binary file (NUL bytes, or many undecodable / control characters). */
export function looksBinary(text: string): boolean {
  const sample = text.length > 65536 ? text.slice(0, 65536) : text;
  if (sample.includes('\u0000')) return true;
  let bad = 0;
  for (let i = 0; i < sample.length; i++) {
    const c = sample.charCodeAt(i);
    if (c === 0xfffd || (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d && c !== 0x0c)) bad++;
  }
  return bad > 8 && bad * 100 > sample.length;
}

/** Throws a TabtuneError naming `file` unless [CLS], [SEP] and the unknown token are present. */
export function checkSpecialTokens(vocab: Vocab, file: string, unkToken = '[UNK]'): void {
  const needed = ['[CLS]', '[SEP]', unkToken];
  const missing = needed.filter((t) => !vocab.tokenToId.has(t));
  if (missing.length > 0) {
    throw new TabtuneError(`the vocabulary lacks ${missing.join(', ')}`, {
      file,
      expected: `a BERT WordPiece vocabulary with the special tokens ${needed.join(', ')}`,
      code: 'vocab-special',
    });
  }
}

/**
 * Parses vocab.txt. Errors (TabtuneError naming `file`): empty file, binary file, missing
 * [CLS] / [SEP] / `unkToken`.
 */
export function parseVocab(text: string, file = 'vocab.txt', unkToken = '[UNK]'): Vocab {
  if (text.trim() === '') {
    throw new TabtuneError('the vocabulary file is empty', {
      file,
      expected: 'one WordPiece token per line',
      code: 'vocab-empty',
    });
  }
  if (looksBinary(text)) {
    throw new TabtuneError('the vocabulary file is binary, not text', {
      file,
      expected: 'a UTF-8 text file with one WordPiece token per line (vocab.txt)',
      code: 'vocab-binary',
    });
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let count = 0;
  for (let i = text.indexOf('\n'); i >= 0 && count <= MAX_VOCAB_TOKENS; i = text.indexOf('\n', i + 1)) count++;
  if (count > MAX_VOCAB_TOKENS) {
    throw new TabtuneError(`the vocabulary has more than ${MAX_VOCAB_TOKENS} lines`, {
      file,
      location: `line ${MAX_VOCAB_TOKENS + 1}`,
      expected: `at most ${MAX_VOCAB_TOKENS} WordPiece tokens (BERT vocabularies hold 20k-250k)`,
      code: 'vocab-size',
    });
  }
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const tokens = lines.map((l) => l.trim());
  // A token on two lines leaves the first id unreachable (load_vocab keeps the last): refused,
  // naming both lines, since a vocabulary that disagrees with its embedding rows is damaged.
  const firstLine = new Map<string, number>();
  for (let i = 0; i < tokens.length; i++) {
    const prev = firstLine.get(tokens[i]);
    if (prev !== undefined) {
      throw new TabtuneError(`token ${JSON.stringify(tokens[i].slice(0, 100))} is on line ${prev + 1} and again on line ${i + 1}`, {
        file,
        location: `line ${i + 1}`,
        expected: 'each token once (the line number is the token id)',
        code: 'vocab-duplicate',
      });
    }
    firstLine.set(tokens[i], i);
  }
  const vocab = vocabFromTokens(tokens);
  checkSpecialTokens(vocab, file, unkToken);
  return vocab;
}
