/**
 * A seeded mutation fuzzer: from seed files (the fixture corpus in ../shared, read in place) it
 * makes input i of a run deterministically from (run seed, i), so any failing input can be
 * made again from two numbers and is also saved as a regression file.
 *
 * Byte mutations: bit flips, interesting bytes and integers (0, -1, 2^31-1, 2^32-1, 2^53) written
 * over 1/2/4/8 bytes, deletions, duplicated or moved ranges, truncation, splicing with another
 * seed. Text mutations: numbers replaced by extreme ones (1e9, -1, 1e308, NaN, 2^53), quotes,
 * tabs and line breaks inserted. JSON seeds also get structural mutations (a node replaced by
 * another type, an extreme number, a huge array or string, a duplicated element).
 */

/** mulberry32 */
export function rng(seed: number): () => number {
  let s = seed | 0;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Rand = () => number;
const int = (r: Rand, n: number): number => Math.floor(r() * n);
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[int(r, xs.length)];

const BYTES = [0x00, 0xff, 0x7f, 0x80, 0x01, 0x0a, 0x0d, 0x09, 0x22, 0x7b, 0x7d, 0x5b, 0x5d, 0x2c, 0x3a, 0x2e, 0x28, 0x8c, 0x65, 0x61, 0x71, 0x94, 0xe9, 0xc3, 0xef, 0xbb, 0xbf];
const INTS = [0, 1, -1, 0x7f, 0x80, 0xff, 0x7fff, 0xffff, 0x7fffffff, 0xffffffff, 2 ** 31, 2 ** 40, 2 ** 53 - 1];
const NUMBERS = ['1e9', '-1', '0', '1e308', '-1e308', 'NaN', 'Infinity', '9007199254740993', '1.5', '4294967296', '34000000000', '1e-400', '""', 'null', 'true', '[]', '{}'];
const TEXT_BITS = ['\t', '\n', '\r', '\r\n', '"', '""', ',', '\u0000', '\ufeff', '\ud800', 'é', '\u2028', '[UNK]', '##', '{', '}', '[', ']'];

function writeInt(out: Uint8Array, at: number, width: number, v: number): void {
  let x = BigInt.asUintN(width * 8, BigInt(Math.trunc(v)));
  for (let i = 0; i < width && at + i < out.length; i++) {
    out[at + i] = Number(x & 0xffn);
    x >>= 8n;
  }
}

export function mutateBytes(input: Uint8Array, r: Rand, others: readonly Uint8Array[] = []): Uint8Array {
  let b: Uint8Array = input.slice();
  const ops = 1 + int(r, 4);
  for (let k = 0; k < ops; k++) {
    const n = b.length;
    switch (int(r, 10)) {
      case 0: // bit flips
        for (let i = 0, m = 1 + int(r, 8); i < m && n; i++) b[int(r, n)] ^= 1 << int(r, 8);
        break;
      case 1: // interesting byte
        if (n) b[int(r, n)] = pick(r, BYTES);
        break;
      case 2: // interesting integer, little-endian, over 1/2/4/8 bytes
        if (n) writeInt(b, int(r, n), pick(r, [1, 2, 4, 8]), pick(r, INTS));
        break;
      case 3: { // delete a range
        if (!n) break;
        const at = int(r, n);
        const len = 1 + int(r, Math.min(n - at, 1 + int(r, 256)));
        b = concat(b.subarray(0, at), b.subarray(at + len));
        break;
      }
      case 4: { // duplicate a range somewhere
        if (!n) break;
        const from = int(r, n);
        const len = 1 + int(r, Math.min(n - from, 1 + int(r, 1024)));
        const to = int(r, n + 1);
        b = concat(b.subarray(0, to), b.subarray(from, from + len), b.subarray(to));
        break;
      }
      case 5: // truncate
        b = b.slice(0, int(r, n + 1));
        break;
      case 6: { // splice with another seed
        if (!others.length) break;
        const o = pick(r, others);
        const at = int(r, n + 1);
        const from = int(r, o.length + 1);
        b = concat(b.subarray(0, at), o.subarray(from, from + int(r, 4096)));
        break;
      }
      case 7: { // the same byte repeated (long runs, deep nesting)
        const at = int(r, n + 1);
        const run = new Uint8Array(1 + int(r, 4096)).fill(pick(r, BYTES));
        b = concat(b.subarray(0, at), run, b.subarray(at));
        break;
      }
      default: { // overwrite a range with random bytes
        if (!n) break;
        const at = int(r, n);
        for (let i = 0, m = 1 + int(r, 16); i < m && at + i < n; i++) b[at + i] = int(r, 256);
      }
    }
  }
  return b;
}

const enc = new TextEncoder();
const dec = new TextDecoder();

export function mutateText(input: Uint8Array, r: Rand): Uint8Array {
  let s = dec.decode(input);
  const ops = 1 + int(r, 3);
  for (let k = 0; k < ops; k++) {
    switch (int(r, 4)) {
      case 0: { // a number replaced by an extreme one
        const nums = [...s.matchAll(/-?\d+(\.\d+)?([eE][-+]?\d+)?/g)];
        if (nums.length) {
          const m = pick(r, nums);
          s = s.slice(0, m.index) + pick(r, NUMBERS) + s.slice(m.index! + m[0].length);
        }
        break;
      }
      case 1: { // a character of structure inserted
        const at = int(r, s.length + 1);
        s = s.slice(0, at) + pick(r, TEXT_BITS) + s.slice(at);
        break;
      }
      case 2: { // a line duplicated or dropped
        const lines = s.split('\n');
        const i = int(r, lines.length);
        if (r() < 0.5) lines.splice(i, 0, lines[int(r, lines.length)]);
        else lines.splice(i, 1);
        s = lines.join('\n');
        break;
      }
      default: { // a line of one long token
        const lines = s.split('\n');
        lines.splice(int(r, lines.length + 1), 0, 'x'.repeat(1 + int(r, 20000)));
        s = lines.join('\n');
      }
    }
  }
  return enc.encode(s);
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function nodes(v: Json, out: Array<{ parent: Json[] | { [k: string]: Json }; key: string | number }>): void {
  if (Array.isArray(v)) {
    v.forEach((x, i) => {
      out.push({ parent: v, key: i });
      nodes(x, out);
    });
  } else if (v && typeof v === 'object') {
    for (const k of Object.keys(v)) {
      out.push({ parent: v, key: k });
      nodes(v[k], out);
    }
  }
}

function randomJson(r: Rand, near: Json): Json {
  switch (int(r, 9)) {
    case 0: return null;
    case 1: return pick(r, [1e9, -1, 0, 1e308, 2 ** 53, 0.5, -0, 34e9]);
    case 2: return pick(r, ['', 'x'.repeat(int(r, 5000)), '\u0000', 'v2.0', '[UNK]', 'gelu', 'F32', 'I64']);
    case 3: return r() < 0.5;
    case 4: return [];
    case 5: return {};
    case 6: return Array.from({ length: int(r, 2000) }, () => 1);
    case 7: return Array.isArray(near) ? [...near, ...near] : near;
    default: return typeof near === 'number' ? near * pick(r, [1e6, -1, 0, 1.5]) : near;
  }
}

/** Structural mutation of a JSON text; undefined when the input is not JSON. */
export function mutateJson(input: Uint8Array, r: Rand): Uint8Array | undefined {
  let v: Json;
  try {
    v = JSON.parse(dec.decode(input)) as Json;
  } catch {
    return undefined;
  }
  const all: Array<{ parent: Json[] | { [k: string]: Json }; key: string | number }> = [];
  nodes(v, all);
  if (!all.length) return undefined;
  for (let k = 0, ops = 1 + int(r, 3); k < ops; k++) {
    const n = pick(r, all);
    const parent = n.parent as Record<string | number, Json>;
    if (r() < 0.15 && !Array.isArray(n.parent)) delete parent[n.key];
    else parent[n.key] = randomJson(r, parent[n.key]);
  }
  return enc.encode(JSON.stringify(v));
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
