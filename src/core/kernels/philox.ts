/**
 * Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC'11), the
 * counter-based generator behind every dropout mask, in TypeScript and in WGSL with the same
 * integer arithmetic, so a mask depends only on its key and is bit-identical on every backend.
 *
 *   round:   (L0, R0, L1, R1) -> (hi(M1·L1) ^ R0 ^ k0, lo(M1·L1), hi(M0·L0) ^ R1 ^ k1, lo(M0·L0))
 *            with L0 = c0, R0 = c1, L1 = c2, R1 = c3, M0 = 0xD2511F53, M1 = 0xCD9E8D57
 *   key:     (k0, k1) += (0x9E3779B9, 0xBB67AE85) between rounds; 10 rounds
 *
 * Dropout draws: element i of a tensor takes word (i mod 4) of philox((⌊i/4⌋, 0, 0, 0), key)
 * with key = (seed, call). It is kept when that word ≥ threshold = ⌊rate·2³²⌋ (an integer
 * comparison, exact everywhere), and kept values are scaled by 1/(1 − rate).
 */

const M0 = 0xd2511f53;
const M1 = 0xcd9e8d57;
const W0 = 0x9e3779b9;
const W1 = 0xbb67ae85;

/** hi word of the 64-bit product a·b (unsigned 32-bit inputs), exact in doubles; lo = Math.imul(a, b). */
function mulhi(a: number, b: number): number {
  const aLo = a & 0xffff;
  const aHi = a >>> 16;
  const bLo = b & 0xffff;
  const bHi = b >>> 16;
  const hiLo = aHi * bLo;
  const cross = ((aLo * bLo) >>> 16) + (hiLo & 0xffff) + aLo * bHi; // ≤ 2³² − 1
  return (aHi * bHi + (hiLo >>> 16) + (cross >>> 16)) >>> 0;
}

/** philox4x32-10 of counter (c0..c3) under key (k0, k1): four 32-bit words written to `out`. */
export function philox4x32(c0: number, c1: number, c2: number, c3: number, k0: number, k1: number, out: Uint32Array = new Uint32Array(4)): Uint32Array {
  let x0 = c0 >>> 0, x1 = c1 >>> 0, x2 = c2 >>> 0, x3 = c3 >>> 0;
  let key0 = k0 >>> 0, key1 = k1 >>> 0;
  for (let r = 0; r < 10; r++) {
    if (r > 0) {
      key0 = (key0 + W0) >>> 0;
      key1 = (key1 + W1) >>> 0;
    }
    const hi0 = mulhi(M0, x0);
    const lo0 = Math.imul(M0, x0) >>> 0;
    const hi1 = mulhi(M1, x2);
    const lo1 = Math.imul(M1, x2) >>> 0;
    x0 = (hi1 ^ x1 ^ key0) >>> 0;
    x1 = lo1;
    x2 = (hi0 ^ x3 ^ key1) >>> 0;
    x3 = lo0;
  }
  out[0] = x0; out[1] = x1; out[2] = x2; out[3] = x3;
  return out;
}

/** What one dropout call draws from: its key and its rate. */
export interface DropoutKey {
  /** 32-bit seed of the forward pass. */
  seed: number;
  /** Index of the dropout call within the pass (1, 2, ...). */
  call: number;
  /** Probability of dropping an element, 0 < rate < 1. */
  rate: number;
}

/** The integer threshold and the scale a key's rate gives (shared by the WGSL uniforms). */
export function dropoutParams(key: DropoutKey): { threshold: number; scale: number } {
  if (!(key.rate > 0 && key.rate < 1)) throw new Error(`dropout rate must be in (0, 1), got ${key.rate}`);
  return { threshold: Math.min(0xffffffff, Math.floor(key.rate * 4294967296)), scale: 1 / (1 - key.rate) };
}

/** The mask of `n` elements on the host: 1/(1 − rate) where kept, 0 where dropped. */
export function dropoutMask(n: number, key: DropoutKey): Float32Array {
  const { threshold, scale } = dropoutParams(key);
  const mask = new Float32Array(n);
  const words = new Uint32Array(4);
  for (let block = 0; block * 4 < n; block++) {
    philox4x32(block, 0, 0, 0, key.seed, key.call, words);
    const base = block * 4;
    for (let w = 0; w < 4 && base + w < n; w++) mask[base + w] = words[w] >= threshold ? scale : 0;
  }
  return mask;
}

/**
 * WGSL of the same generator. `dropKeep(i)` reads the uniforms dropSeed, dropCall and
 * dropThreshold (declare them with DROPOUT_UNIFORMS) and says whether element i is kept; it
 * caches the invocation's last block, so kernels give each thread 4 consecutive elements.
 */
export const PHILOX_WGSL = `
  fn mulhilo(a : u32, b : u32) -> vec2<u32> {
    let aLo = a & 0xffffu;
    let aHi = a >> 16u;
    let bLo = b & 0xffffu;
    let bHi = b >> 16u;
    let loLo = aLo * bLo;
    let hiLo = aHi * bLo;
    let loHi = aLo * bHi;
    let cross = (loLo >> 16u) + (hiLo & 0xffffu) + loHi;
    return vec2<u32>(aHi * bHi + (hiLo >> 16u) + (cross >> 16u), a * b);
  }
  fn philox4x32(c : vec4<u32>, k : vec2<u32>) -> vec4<u32> {
    var x = c;
    var key = k;
    for (var r = 0u; r < 10u; r = r + 1u) {
      if (r > 0u) { key = key + vec2<u32>(0x9E3779B9u, 0xBB67AE85u); }
      let p0 = mulhilo(0xD2511F53u, x.x);
      let p1 = mulhilo(0xCD9E8D57u, x.z);
      x = vec4<u32>(p1.x ^ x.y ^ key.x, p1.y, p0.x ^ x.w ^ key.y, p0.y);
    }
    return x;
  }
  fn dropBlock(block : u32) -> vec4<u32> {
    return philox4x32(vec4<u32>(block, 0u, 0u, 0u), vec2<u32>(uniforms.dropSeed, uniforms.dropCall));
  }
  // The last block drawn by this invocation: a thread that walks consecutive elements pays one
  // Philox per 4 of them.
  var<private> dropCacheBlock : u32 = 0xffffffffu;
  var<private> dropCacheWords : vec4<u32>;
  fn dropKeep(i : u32) -> bool {
    let block = i >> 2u;
    if (block != dropCacheBlock) {
      dropCacheWords = dropBlock(block);
      dropCacheBlock = block;
    }
    return dropCacheWords[i & 3u] >= uniforms.dropThreshold;
  }
`;

/** Uniform fields a program using PHILOX_WGSL declares (after its own). */
export const DROPOUT_UNIFORMS = 'dropSeed : u32, dropCall : u32, dropThreshold : u32, dropScale : f32,';

/** Values for DROPOUT_UNIFORMS (a key-less call passes zeros: nothing dropped, scale 1). */
export function dropoutUniforms(key: DropoutKey | null): { type: 'uint32' | 'float32'; data: number[] }[] {
  if (!key) return [{ type: 'uint32', data: [0] }, { type: 'uint32', data: [0] }, { type: 'uint32', data: [0] }, { type: 'float32', data: [1] }];
  const { threshold, scale } = dropoutParams(key);
  return [
    { type: 'uint32', data: [key.seed >>> 0] },
    { type: 'uint32', data: [key.call >>> 0] },
    { type: 'uint32', data: [threshold] },
    { type: 'float32', data: [scale] },
  ];
}
