/**
 * Stage 2, pre-tokenization: BasicTokenizer's whitespace_tokenize + _run_split_on_punc over the
 * normalized text. Words are maximal runs of characters that are neither separators
 * (_is_whitespace or Python's str.isspace) nor punctuation; every punctuation character is a word
 * of its own. Output: [start, end) spans in normalized code units.
 */
import { PUNCTUATION, SPLIT_SPACE, WHITESPACE, charClass } from './chars';
import type { NormalizedText } from './normalize';

export interface WordSpans {
  /** start0, end0, start1, end1, … in normalized code units. */
  spans: Int32Array;
  count: number;
}

export function createWordSpans(capacity = 64): WordSpans {
  return { spans: new Int32Array(capacity * 2), count: 0 };
}

const SEP = WHITESPACE | SPLIT_SPACE;
/** Per ASCII unit: 0 word char, 1 separator, 2 punctuation. */
const ASCII_KIND = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const cls = charClass(c);
  ASCII_KIND[c] = (cls & SEP) !== 0 ? 1 : (cls & PUNCTUATION) !== 0 ? 2 : 0;
}

/** Splits normalized text into words; `out` is reused and grown. */
export function preTokenize(n: NormalizedText, out: WordSpans = createWordSpans()): WordSpans {
  const units = n.units;
  const len = n.length;
  let spans = out.spans;
  let count = 0;
  let wordStart = -1;
  for (let i = 0; i < len; ) {
    const c = units[i];
    let kind: number;
    let w = 1;
    if (c < 128) {
      kind = ASCII_KIND[c];
    } else {
      let cp = c;
      if ((c & 0xfc00) === 0xd800 && i + 1 < len && (units[i + 1] & 0xfc00) === 0xdc00) {
        cp = ((c - 0xd800) << 10) + (units[i + 1] - 0xdc00) + 0x10000;
        w = 2;
      }
      const cls = charClass(cp);
      kind = (cls & SEP) !== 0 ? 1 : (cls & PUNCTUATION) !== 0 ? 2 : 0;
    }
    if (kind === 0) {
      if (wordStart < 0) wordStart = i;
      i += w;
      continue;
    }
    // Room for the pending word and a punctuation word.
    if ((count + 2) * 2 > spans.length) {
      const bigger = new Int32Array(spans.length * 2 + 8);
      bigger.set(spans);
      spans = bigger;
      out.spans = spans;
    }
    if (wordStart >= 0) {
      spans[count * 2] = wordStart;
      spans[count * 2 + 1] = i;
      count++;
      wordStart = -1;
    }
    if (kind === 2) {
      spans[count * 2] = i;
      spans[count * 2 + 1] = i + w;
      count++;
    }
    i += w;
  }
  if (wordStart >= 0) {
    if ((count + 1) * 2 > spans.length) {
      const bigger = new Int32Array(spans.length * 2 + 8);
      bigger.set(spans);
      spans = bigger;
      out.spans = spans;
    }
    spans[count * 2] = wordStart;
    spans[count * 2 + 1] = len;
    count++;
  }
  out.count = count;
  return out;
}
