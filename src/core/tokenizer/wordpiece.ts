/**
 * Stage 3, WordPiece: greedy longest-match-first (tokenization.WordpieceTokenizer) over a trie
 * of the vocabulary's UTF-16 code units. One trie holds every token; continuation pieces start
 * at the node reached by the prefix ('##'), so "##ing" and "ing" share nothing but the walk
 * costs the same. Transitions live in one open-addressing hash table keyed by (node, unit): no
 * string is built while matching.
 */
import type { Vocab } from './types';

export interface WordPieceOptions {
  unkId: number;
  /** Words longer than this many code points become the unknown token. */
  maxInputCharsPerWord: number;
  continuingSubwordPrefix: string;
}

/** Output of the WordPiece stage: ids and [start, end) spans in normalized units. */
export interface PieceBuffer {
  ids: Int32Array;
  /** start0, end0, … in normalized code units. */
  spans: Int32Array;
  count: number;
}

export function createPieceBuffer(capacity = 256): PieceBuffer {
  return { ids: new Int32Array(capacity), spans: new Int32Array(capacity * 2), count: 0 };
}

export interface WordPiece {
  readonly options: Readonly<WordPieceOptions>;
  /** Appends the pieces of the word units[start, end) to `out`. */
  tokenizeWord(units: Uint16Array, start: number, end: number, out: PieceBuffer): void;
}

function growPieces(out: PieceBuffer, need: number): void {
  let cap = out.ids.length * 2;
  while (cap < need) cap *= 2;
  const ids = new Int32Array(cap);
  ids.set(out.ids.subarray(0, out.count));
  const spans = new Int32Array(cap * 2);
  spans.set(out.spans.subarray(0, out.count * 2));
  out.ids = ids;
  out.spans = spans;
}

/** A trie over UTF-16 code units with hashed transitions. */
interface UnitTrie {
  /** Child of `node` by `unit`, or -1. */
  child(node: number, unit: number): number;
  /** Token id ending at `node`, or -1. */
  readonly terminal: Int32Array;
  readonly nodeCount: number;
}

function hash(node: number, unit: number): number {
  return Math.imul(node, 0x9e3779b1) ^ Math.imul(unit + 1, 0x85ebca77);
}

function buildTrie(vocab: Vocab): UnitTrie {
  let totalUnits = 0;
  for (const token of vocab.tokenToId.keys()) totalUnits += token.length;
  let cap = 1024;
  while (cap < totalUnits * 2 + 16) cap *= 2;
  const mask = cap - 1;
  const keyNode = new Int32Array(cap).fill(-1);
  const keyUnit = new Uint16Array(cap);
  const value = new Int32Array(cap);
  const terminal = new Int32Array(totalUnits + 1).fill(-1);
  let nodeCount = 1;

  const find = (node: number, unit: number): number => {
    let h = hash(node, unit) & mask;
    for (;;) {
      const k = keyNode[h];
      if (k === -1) return -1 - h;
      if (k === node && keyUnit[h] === unit) return value[h];
      h = (h + 1) & mask;
    }
  };

  for (const [token, id] of vocab.tokenToId) {
    if (token.length === 0) continue;
    let node = 0;
    for (let i = 0; i < token.length; i++) {
      const unit = token.charCodeAt(i);
      const found = find(node, unit);
      if (found >= 0) {
        node = found;
      } else {
        const slot = -1 - found;
        keyNode[slot] = node;
        keyUnit[slot] = unit;
        value[slot] = nodeCount;
        node = nodeCount++;
      }
    }
    terminal[node] = id;
  }

  return {
    terminal,
    nodeCount,
    child(node: number, unit: number): number {
      let h = (Math.imul(node, 0x9e3779b1) ^ Math.imul(unit + 1, 0x85ebca77)) & mask;
      for (;;) {
        const k = keyNode[h];
        if (k === node && keyUnit[h] === unit) return value[h];
        if (k === -1) return -1;
        h = (h + 1) & mask;
      }
    },
  };
}

export function createWordPiece(vocab: Vocab, options: WordPieceOptions): WordPiece {
  const trie = buildTrie(vocab);
  const terminal = trie.terminal;
  const { unkId, maxInputCharsPerWord, continuingSubwordPrefix } = options;
  // The node where continuation pieces start: the walk of the prefix from the root.
  let contRoot = 0;
  for (let i = 0; i < continuingSubwordPrefix.length && contRoot >= 0; i++) {
    contRoot = trie.child(contRoot, continuingSubwordPrefix.charCodeAt(i));
  }
  const child = trie.child;

  function codePointCount(units: Uint16Array, start: number, end: number): number {
    let n = end - start;
    for (let i = start; i < end; i++) if ((units[i] & 0xfc00) === 0xdc00) n--;
    return n;
  }

  function tokenizeWord(units: Uint16Array, start: number, end: number, out: PieceBuffer): void {
    if (out.count + (end - start) + 1 > out.ids.length) growPieces(out, out.count + (end - start) + 1);
    const ids = out.ids;
    const spans = out.spans;
    const first = out.count;
    let count = first;
    if (end - start > maxInputCharsPerWord && codePointCount(units, start, end) > maxInputCharsPerWord) {
      ids[count] = unkId;
      spans[count * 2] = start;
      spans[count * 2 + 1] = end;
      out.count = count + 1;
      return;
    }
    let pos = start;
    while (pos < end) {
      let node = pos === start ? 0 : contRoot;
      let bestId = -1;
      let bestEnd = -1;
      for (let i = pos; i < end && node >= 0; i++) {
        node = child(node, units[i]);
        if (node >= 0) {
          const id = terminal[node];
          if (id >= 0) {
            bestId = id;
            bestEnd = i + 1;
          }
        }
      }
      if (bestId < 0) {
        // Google: a word with any unmatched remainder is a single [UNK].
        count = first;
        ids[count] = unkId;
        spans[count * 2] = start;
        spans[count * 2 + 1] = end;
        out.count = count + 1;
        return;
      }
      ids[count] = bestId;
      spans[count * 2] = pos;
      spans[count * 2 + 1] = bestEnd;
      count++;
      pos = bestEnd;
    }
    out.count = count;
  }

  return { options: { unkId, maxInputCharsPerWord, continuingSubwordPrefix }, tokenizeWord };
}
