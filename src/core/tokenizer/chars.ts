/**
 * Character classes exactly as google-research/bert's tokenization.py defines them
 * (_is_whitespace, _is_control, _is_punctuation, _is_chinese_char), plus the extra separators
 * of Python's str.split() that whitespace_tokenize relies on. Classes are computed once per code
 * point through Unicode property regexes and cached (a table for the BMP, a map beyond it).
 */

/** _is_whitespace: space, \t, \n, \r or category Zs. Cleaning turns these into ' '. */
export const WHITESPACE = 1;
/** _is_control: category Cc or Cf, except \t \n \r. Cleaning drops these (and NUL, U+FFFD). */
export const CONTROL = 2;
/** _is_punctuation: ASCII symbol ranges or any category P*. */
export const PUNCTUATION = 4;
/** _is_chinese_char: the CJK Unified Ideographs blocks (not Japanese kana or Hangul). */
export const CJK = 8;
/** Python's str.isspace() beyond _is_whitespace (U+000B/C, U+001C-1F, U+0085, U+2028/9): still separates words. */
export const SPLIT_SPACE = 16;
/** Category Mn (non-spacing mark): removed by accent stripping after NFD. */
export const NONSPACING_MARK = 32;
/** The class has been computed (the BMP table starts at zero). */
const KNOWN = 128;

const ZS = /^\p{Zs}$/u;
const CC_CF = /^[\p{Cc}\p{Cf}]$/u;
const P = /^\p{P}$/u;
const MN = /^\p{Mn}$/u;

/** True for code points in the CJK Unified Ideographs blocks, as _is_chinese_char. */
export function isChineseChar(cp: number): boolean {
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

function computeClass(cp: number): number {
  const ch = String.fromCodePoint(cp);
  let cls = KNOWN;
  if (cp === 0x20 || cp === 0x09 || cp === 0x0a || cp === 0x0d || ZS.test(ch)) cls |= WHITESPACE;
  else if (CC_CF.test(ch)) cls |= CONTROL;
  if (
    (cp >= 33 && cp <= 47) ||
    (cp >= 58 && cp <= 64) ||
    (cp >= 91 && cp <= 96) ||
    (cp >= 123 && cp <= 126) ||
    P.test(ch)
  ) {
    cls |= PUNCTUATION;
  }
  if (isChineseChar(cp)) cls |= CJK;
  if (cp === 0x0b || cp === 0x0c || (cp >= 0x1c && cp <= 0x1f) || cp === 0x85 || cp === 0x2028 || cp === 0x2029) {
    cls |= SPLIT_SPACE;
  }
  if (MN.test(ch)) cls |= NONSPACING_MARK;
  return cls;
}

const BMP = new Uint8Array(0x10000);
const ASTRAL = new Map<number, number>();
for (let cp = 0; cp < 128; cp++) BMP[cp] = computeClass(cp);

/** The class bits of one code point (cached). */
export function charClass(cp: number): number {
  if (cp < 0x10000) {
    const c = BMP[cp];
    if (c !== 0) return c;
    const computed = computeClass(cp);
    BMP[cp] = computed;
    return computed;
  }
  let c = ASTRAL.get(cp);
  if (c === undefined) {
    c = computeClass(cp);
    ASTRAL.set(cp, c);
  }
  return c;
}

/** True where Google's pipeline separates words: _is_whitespace or Python str.isspace(). */
export function isSeparator(cp: number): boolean {
  return (charClass(cp) & (WHITESPACE | SPLIT_SPACE)) !== 0;
}

export function isPunctuation(cp: number): boolean {
  return (charClass(cp) & PUNCTUATION) !== 0;
}

export function isControl(cp: number): boolean {
  return (charClass(cp) & CONTROL) !== 0;
}

export function isWhitespace(cp: number): boolean {
  return (charClass(cp) & WHITESPACE) !== 0;
}
