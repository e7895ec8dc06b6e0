/**
 * Stage 1, normalization: google-research/bert's BasicTokenizer text preparation
 *   _clean_text (drop NUL, U+FFFD and control chars; whitespace -> ' '),
 *   _tokenize_chinese_chars (spaces around CJK ideographs, judged on the cleaned character),
 *   lower() + _run_strip_accents (NFD, drop category Mn) when do_lower_case, applied AFTER the
 *   CJK split as Google's BasicTokenizer does (so U+F92C is spaced, then decomposes to U+90CE),
 * (punctuation splitting, the next step in Google's order, runs on this output in pretokenize.ts)
 * producing normalized UTF-16 code units, each aligned to the [start, end) range of the ORIGINAL
 * character (a whole surrogate pair for astral characters) it came from. Expanded characters
 * (Hangul syllables to jamo, 'İ' to 'i' + U+0307) share their source's range; removed characters
 * (controls, stripped accents) leave no unit, so offsets skip them.
 */
import { CJK, CONTROL, NONSPACING_MARK, SPLIT_SPACE, WHITESPACE, charClass } from './chars';

export interface NormalizeOptions {
  /** _clean_text. Default true. */
  cleanText: boolean;
  /** _tokenize_chinese_chars. Default true. */
  handleChineseChars: boolean;
  /** lower(). */
  lowercase: boolean;
  /** NFD + drop Mn. */
  stripAccents: boolean;
}

/** Normalized text: `units[0, length)` with the original range of each unit. Buffers are reused between calls. */
export interface NormalizedText {
  units: Uint16Array;
  origStart: Int32Array;
  origEnd: Int32Array;
  length: number;
}

export interface Normalizer {
  readonly options: Readonly<NormalizeOptions>;
  /** Normalizes `text` into `out` (reused and grown) or a fresh buffer. */
  normalize(text: string, out?: NormalizedText): NormalizedText;
}

export function createNormalizedText(capacity = 256): NormalizedText {
  return {
    units: new Uint16Array(capacity),
    origStart: new Int32Array(capacity),
    origEnd: new Int32Array(capacity),
    length: 0,
  };
}

/** The normalized string of a range (for tests and basicTokenize). */
export function normalizedSlice(n: NormalizedText, start = 0, end = n.length): string {
  let s = '';
  const CHUNK = 4096;
  for (let i = start; i < end; i += CHUNK) {
    s += String.fromCharCode.apply(null, n.units.subarray(i, Math.min(end, i + CHUNK)) as unknown as number[]);
  }
  return s;
}

function grow(n: NormalizedText, need: number): void {
  let cap = n.units.length * 2;
  while (cap < need) cap *= 2;
  const u = new Uint16Array(cap);
  u.set(n.units.subarray(0, n.length));
  const s = new Int32Array(cap);
  s.set(n.origStart.subarray(0, n.length));
  const e = new Int32Array(cap);
  e.set(n.origEnd.subarray(0, n.length));
  n.units = u;
  n.origStart = s;
  n.origEnd = e;
}

const MN_GLOBAL = /\p{Mn}/gu;
const CAPITAL_SIGMA = 0x3a3;
const CASED = /^\p{Cased}$/u;
/**
 * The combining marks that accent stripping keeps (category Mc) but that have a non-zero
 * canonical combining class, with that class. NFD of a whole token sorts each run of such
 * non-starters by class; mapping character by character does not, so runs holding two of these
 * are re-sorted afterwards (reorderNonStarters). Classes are fixed by Unicode's stability policy.
 */
const KEPT_NONSTARTER_CCC = new Map<number, number>([
  [0x1715, 9], [0x1734, 9], [0x1b44, 9], [0x1baa, 9], [0x1bf2, 9], [0x1bf3, 9], [0x302e, 224], [0x302f, 224],
  [0xa953, 9], [0xa9c0, 9], [0x111c0, 9], [0x11235, 9], [0x1134d, 9], [0x116b6, 9], [0x1193d, 9], [0x16ff0, 6],
  [0x16ff1, 6], [0x1d165, 216], [0x1d166, 216], [0x1d16d, 226], [0x1d16e, 216], [0x1d16f, 216], [0x1d170, 216],
  [0x1d171, 216], [0x1d172, 216],
]);

/** Canonical combining class is non-zero: probed through NFD's reordering against classes 1 and 240. */
function isNonStarter(cp: number): boolean {
  const ch = String.fromCodePoint(cp);
  const d = ch.normalize('NFD');
  return (ch + '\u0334').normalize('NFD') !== d + '\u0334' || ('\u0345' + ch).normalize('NFD') !== '\u0345' + d;
}
const CASE_IGNORABLE = /^\p{Case_Ignorable}$/u;

export function createNormalizer(options: Partial<NormalizeOptions> = {}): Normalizer {
  const opts: NormalizeOptions = {
    cleanText: options.cleanText ?? true,
    handleChineseChars: options.handleChineseChars ?? true,
    lowercase: options.lowercase ?? true,
    stripAccents: options.stripAccents ?? options.lowercase ?? true,
  };
  const { cleanText, handleChineseChars, lowercase, stripAccents } = opts;
  const mapping = lowercase || stripAccents;
  /** code point -> replacement (null: unchanged). */
  const cache = new Map<number, string | null>();
  /** Code points whose mapping emits a kept non-starter (KEPT_NONSTARTER_CCC). */
  const keptNonStarterSources = new Set<number>();

  function mapChar(ch: string): string {
    let s = lowercase ? ch.toLowerCase() : ch;
    if (stripAccents) {
      s = s.normalize('NFD');
      if (s.length > 1 || (charClass(s.codePointAt(0) ?? 0) & NONSPACING_MARK) !== 0) s = s.replace(MN_GLOBAL, '');
    }
    return s;
  }

  function mapped(cp: number): string | null {
    let r = cache.get(cp);
    if (r === undefined) {
      const ch = String.fromCodePoint(cp);
      const s = mapChar(ch);
      r = s === ch ? null : s;
      cache.set(cp, r);
      if (stripAccents) for (const c of s) if (KEPT_NONSTARTER_CCC.has(c.codePointAt(0)!)) keptNonStarterSources.add(cp);
    }
    return r;
  }

  /** Is the code point at i kept by cleaning and part of the same whitespace token (for Final_Sigma)? */
  function tokenChar(cp: number): 'stop' | 'skip' | 'keep' {
    const cls = charClass(cp);
    if (cleanText && (cp === 0 || cp === 0xfffd || (cls & CONTROL) !== 0)) return 'skip';
    if ((cls & (WHITESPACE | SPLIT_SPACE)) !== 0) return 'stop';
    if (handleChineseChars && (cls & CJK) !== 0) return 'stop';
    return 'keep';
  }

  /**
   * Python lower-cases each whitespace token as a whole, so 'Σ' becomes final 'ς' by context.
   * CPython's handle_capital_sigma: final when \p{Cased} \p{Case_Ignorable}* precedes it and
   * \p{Case_Ignorable}* \p{Cased} does not follow, within the cleaned token (cleaned characters
   * skipped, whitespace and CJK ideographs end it). Each scan stops at the first character that
   * is not case-ignorable, so a text costs O(length) however many sigmas it holds.
   */
  function lowerSigma(text: string, at: number): string {
    let cased = false;
    for (let j = at - 1; j >= 0; ) {
      const lo = text.charCodeAt(j);
      const start = (lo & 0xfc00) === 0xdc00 && j > 0 && (text.charCodeAt(j - 1) & 0xfc00) === 0xd800 ? j - 1 : j;
      const cp = text.codePointAt(start) ?? 0;
      j = start - 1;
      const t = tokenChar(cp);
      if (t === 'stop') break;
      if (t === 'skip') continue;
      const ch = String.fromCodePoint(cp);
      if (CASE_IGNORABLE.test(ch)) continue;
      cased = CASED.test(ch);
      break;
    }
    if (cased) {
      for (let j = at + 1; j < text.length; ) {
        const cp = text.codePointAt(j) ?? 0;
        j += cp > 0xffff ? 2 : 1;
        const t = tokenChar(cp);
        if (t === 'stop') break;
        if (t === 'skip') continue;
        const ch = String.fromCodePoint(cp);
        if (CASE_IGNORABLE.test(ch)) continue;
        if (CASED.test(ch)) cased = false;
        break;
      }
    }
    return cased ? '\u03c2' : '\u03c3';
  }

  function normalize(text: string, out: NormalizedText = createNormalizedText(Math.max(16, text.length + 8))): NormalizedText {
    out.length = 0;
    if (out.units.length < text.length + 8) grow(out, text.length + 8);
    let units = out.units;
    let os = out.origStart;
    let oe = out.origEnd;
    let len = 0;
    let nonStarters = 0;
    const n = text.length;
    for (let i = 0; i < n; ) {
      // Room for the worst case of one character: 3 units of CJK spacing or a long expansion.
      if (len + 32 > units.length) {
        out.length = len;
        grow(out, len + 32 + (n - i));
        units = out.units;
        os = out.origStart;
        oe = out.origEnd;
      }
      const c = text.charCodeAt(i);
      if (c < 128) {
        // ASCII fast path.
        if (c >= 0x41 && c <= 0x5a) {
          units[len] = lowercase ? c + 32 : c;
        } else if (c < 0x20 || c === 0x7f) {
          if (c === 0x09 || c === 0x0a || c === 0x0d) units[len] = cleanText ? 0x20 : c;
          else if (cleanText) {
            i++;
            continue;
          } else units[len] = c;
        } else {
          units[len] = c;
        }
        os[len] = i;
        oe[len] = i + 1;
        len++;
        i++;
        continue;
      }
      let cp = c;
      let w = 1;
      if ((c & 0xfc00) === 0xd800 && i + 1 < n) {
        const d = text.charCodeAt(i + 1);
        if ((d & 0xfc00) === 0xdc00) {
          cp = ((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000;
          w = 2;
        }
      }
      const cls = charClass(cp);
      const end = i + w;
      if (cleanText) {
        if (cp === 0xfffd || (cls & CONTROL) !== 0) {
          i = end;
          continue;
        }
        if ((cls & WHITESPACE) !== 0) {
          units[len] = 0x20;
          os[len] = i;
          oe[len] = end;
          len++;
          i = end;
          continue;
        }
      }
      // Google's order: _tokenize_chinese_chars looks at the cleaned character, then lower() + NFD
      // run on the token it became. So an ideograph is spaced first and mapped second: a CJK
      // compatibility ideograph (U+F900-FAFF, U+2F800-2FA1F) decomposes to its unified ideograph.
      const r = !mapping ? null : lowercase && cp === CAPITAL_SIGMA ? lowerSigma(text, i) : mapped(cp);
      const spaced = handleChineseChars && (cls & CJK) !== 0;
      if (spaced) {
        units[len] = 0x20;
        os[len] = i;
        oe[len] = end;
        len++;
      }
      if (stripAccents && cp >= 0x1715 && (KEPT_NONSTARTER_CCC.has(cp) || keptNonStarterSources.has(cp))) nonStarters++;
      if (r === null) {
        units[len] = c;
        os[len] = i;
        oe[len] = end;
        len++;
        if (w === 2) {
          units[len] = text.charCodeAt(i + 1);
          os[len] = i;
          oe[len] = end;
          len++;
        }
      } else {
        if (len + r.length + 2 > units.length) {
          out.length = len;
          grow(out, len + r.length + 32 + (n - i));
          units = out.units;
          os = out.origStart;
          oe = out.origEnd;
        }
        for (let k = 0; k < r.length; k++) {
          units[len] = r.charCodeAt(k);
          os[len] = i;
          oe[len] = end;
          len++;
        }
      }
      if (spaced) {
        units[len] = 0x20;
        os[len] = i;
        oe[len] = end;
        len++;
      }
      i = end;
    }
    out.length = len;
    if (nonStarters > 1) reorderNonStarters(text, out);
    return out;
  }

  /**
   * NFD's canonical ordering across characters, for the marks stripping keeps: within each run
   * of adjacent kept non-starters whose source characters are separated in the original text
   * only by characters that vanished as non-starters (stripped marks; cleaned controls were gone
   * before NFD), sort stably by combining class, moving their offsets along.
   */
  function reorderNonStarters(text: string, out: NormalizedText): void {
    const u = out.units;
    type Mark = { cp: number; ccc: number; os: number; oe: number };
    const flush = (run: Mark[], at: number) => {
      if (run.length < 2) return;
      const sorted = run.map((m, k) => ({ m, k })).sort((a, b) => a.m.ccc - b.m.ccc || a.k - b.k).map((x) => x.m);
      if (sorted.every((m, k) => m === run[k])) return;
      // Re-sorted marks no longer follow their sources in order: each unit of the run gets the
      // run's whole source range, so offsets stay ordered and cover what the run came from.
      const os = Math.min(...run.map((m) => m.os));
      const oe = Math.max(...run.map((m) => m.oe));
      let p = at;
      for (const m of sorted) {
        const w = m.cp > 0xffff ? 2 : 1;
        if (w === 2) {
          u[p] = 0xd800 + ((m.cp - 0x10000) >> 10);
          u[p + 1] = 0xdc00 + ((m.cp - 0x10000) & 0x3ff);
        } else u[p] = m.cp;
        for (let k = 0; k < w; k++) {
          out.origStart[p + k] = os;
          out.origEnd[p + k] = oe;
        }
        p += w;
      }
    };
    const startsRunBetween = (from: number, to: number): boolean => {
      for (let j = from; j < to; ) {
        const cp = text.codePointAt(j)!;
        j += cp > 0xffff ? 2 : 1;
        const cls = charClass(cp);
        if (cleanText && (cp === 0 || cp === 0xfffd || (cls & CONTROL) !== 0)) continue;
        if (!isNonStarter(cp)) return true;
      }
      return false;
    };
    let run: Mark[] = [];
    let runAt = 0;
    for (let i = 0; i < out.length; ) {
      let cp = u[i];
      let w = 1;
      if ((cp & 0xfc00) === 0xd800 && i + 1 < out.length && (u[i + 1] & 0xfc00) === 0xdc00) {
        cp = ((cp - 0xd800) << 10) + (u[i + 1] - 0xdc00) + 0x10000;
        w = 2;
      }
      const ccc = KEPT_NONSTARTER_CCC.get(cp);
      if (ccc === undefined) {
        flush(run, runAt);
        run = [];
      } else {
        const mark = { cp, ccc, os: out.origStart[i], oe: out.origEnd[i] };
        const prev = run[run.length - 1];
        if (prev && prev.oe <= mark.os && startsRunBetween(prev.oe, mark.os)) {
          flush(run, runAt);
          run = [];
        }
        if (run.length === 0) runAt = i;
        run.push(mark);
      }
      i += w;
    }
    flush(run, runAt);
  }

  return { options: opts, normalize };
}
