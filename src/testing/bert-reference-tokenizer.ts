/**
 * Test oracle: google-research/bert's tokenization.py (BasicTokenizer + WordpieceTokenizer)
 * transcribed line by line onto JavaScript strings, with no buffers, caches or offsets, so that
 * a property test can compare Tabtune's staged tokenizer against the reference's algorithm on
 * strings no fixture holds. Python semantics kept: iteration by code point, str.lower() on each
 * whole whitespace token (Final_Sigma), unicodedata.normalize('NFD') on the whole token (canonical
 * reordering), str.split()/strip() on Python's isspace set. The oracle itself is checked against
 * every line of the tokenizer fixtures (tokenizer/property.test.ts).
 */

const ZS = /^\p{Zs}$/u;
const CC_CF = /^[\p{Cc}\p{Cf}]$/u;
const P = /^\p{P}$/u;
const MN = /^\p{Mn}$/u;

function isWhitespace(ch: string): boolean {
  return ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r' || ZS.test(ch);
}

function isControl(ch: string): boolean {
  if (ch === '\t' || ch === '\n' || ch === '\r') return false;
  return CC_CF.test(ch);
}

function isPunctuation(ch: string): boolean {
  const cp = ch.codePointAt(0)!;
  if ((cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96) || (cp >= 123 && cp <= 126)) return true;
  return P.test(ch);
}

function isChineseChar(cp: number): boolean {
  return (
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x20000 && cp <= 0x2a6df) ||
    (cp >= 0x2a700 && cp <= 0x2b73f) ||
    (cp >= 0x2b740 && cp <= 0x2b81f) ||
    (cp >= 0x2b820 && cp <= 0x2ceaf) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0x2f800 && cp <= 0x2fa1f)
  );
}

/** Python's str.isspace() (Unicode 14): bidi WS/B/S or category Zs. */
function pyIsSpace(ch: string): boolean {
  const cp = ch.codePointAt(0)!;
  return (
    (cp >= 0x09 && cp <= 0x0d) ||
    (cp >= 0x1c && cp <= 0x20) ||
    cp === 0x85 ||
    cp === 0xa0 ||
    cp === 0x1680 ||
    (cp >= 0x2000 && cp <= 0x200a) ||
    cp === 0x2028 ||
    cp === 0x2029 ||
    cp === 0x202f ||
    cp === 0x205f ||
    cp === 0x3000
  );
}

/** whitespace_tokenize: text.strip().split() */
function whitespaceTokenize(text: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (const ch of text) {
    if (pyIsSpace(ch)) {
      if (cur !== '') out.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (cur !== '') out.push(cur);
  return out;
}

function cleanText(text: string): string {
  let out = '';
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (cp === 0 || cp === 0xfffd || isControl(ch)) continue;
    out += isWhitespace(ch) ? ' ' : ch;
  }
  return out;
}

function tokenizeChineseChars(text: string): string {
  let out = '';
  for (const ch of text) out += isChineseChar(ch.codePointAt(0)!) ? ` ${ch} ` : ch;
  return out;
}

function stripAccents(text: string): string {
  let out = '';
  for (const ch of text.normalize('NFD')) if (!MN.test(ch)) out += ch;
  return out;
}

function splitOnPunc(text: string): string[] {
  const out: string[][] = [];
  let startNewWord = true;
  for (const ch of text) {
    if (isPunctuation(ch)) {
      out.push([ch]);
      startNewWord = true;
    } else {
      if (startNewWord) out.push([]);
      startNewWord = false;
      out[out.length - 1].push(ch);
    }
  }
  return out.map((x) => x.join(''));
}

/** BasicTokenizer.tokenize */
export function referenceBasicTokenize(text: string, doLowerCase: boolean): string[] {
  const prepared = tokenizeChineseChars(cleanText(text));
  const split: string[] = [];
  for (let token of whitespaceTokenize(prepared)) {
    if (doLowerCase) token = stripAccents(token.toLowerCase());
    split.push(...splitOnPunc(token));
  }
  return whitespaceTokenize(split.join(' '));
}

/** FullTokenizer.tokenize: BasicTokenizer, then WordpieceTokenizer (greedy longest match). */
export function referenceTokenize(
  text: string,
  vocab: ReadonlyMap<string, number>,
  doLowerCase: boolean,
  maxInputCharsPerWord = 200,
): string[] {
  const out: string[] = [];
  for (const basic of referenceBasicTokenize(text, doLowerCase)) {
    for (const token of whitespaceTokenize(basic)) {
      const chars = Array.from(token);
      if (chars.length > maxInputCharsPerWord) {
        out.push('[UNK]');
        continue;
      }
      let isBad = false;
      let start = 0;
      const sub: string[] = [];
      while (start < chars.length) {
        let end = chars.length;
        let cur: string | null = null;
        while (start < end) {
          let substr = chars.slice(start, end).join('');
          if (start > 0) substr = '##' + substr;
          if (vocab.has(substr)) {
            cur = substr;
            break;
          }
          end--;
        }
        if (cur === null) {
          isBad = true;
          break;
        }
        sub.push(cur);
        start = end;
      }
      if (isBad) out.push('[UNK]');
      else out.push(...sub);
    }
  }
  return out;
}
