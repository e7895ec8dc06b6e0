/**
 * The loop's seeded random numbers: xoshiro128** (state: four uint32) seeded through splitmix32.
 * Its state is plain numbers, saved in checkpoints so that a resumed run draws the same data
 * order as an uninterrupted one. Dropout seeds are derived from (seed, step) by `mixSeed`, so
 * they need no state at all.
 */

export interface LoopRng {
  nextUint32(): number;
  /** Uniform in [0, 1). */
  nextFloat(): number;
  /** A uniformly random permutation of 0..n-1 (Fisher–Yates). */
  permutation(n: number): number[];
  getState(): [number, number, number, number];
  setState(state: readonly number[]): void;
}

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** A 31-bit seed mixed from integers (e.g. run seed, step, micro-batch). */
export function mixSeed(...parts: number[]): number {
  let h = 0x811c9dc5;
  for (const p of parts) {
    const next = splitmix32((h ^ (p >>> 0)) >>> 0);
    h = next() ^ Math.imul(h, 0x01000193);
  }
  return (h >>> 0) & 0x7fffffff;
}

export function createLoopRng(seed: number): LoopRng {
  const init = splitmix32(seed);
  const s = new Uint32Array([init(), init(), init(), init()]);
  if ((s[0] | s[1] | s[2] | s[3]) === 0) s[0] = 1;

  const rotl = (x: number, k: number) => ((x << k) | (x >>> (32 - k))) >>> 0;
  const nextUint32 = (): number => {
    const result = Math.imul(rotl(Math.imul(s[1], 5) >>> 0, 7), 9) >>> 0;
    const t = (s[1] << 9) >>> 0;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  };
  const nextFloat = () => nextUint32() / 4294967296;

  return {
    nextUint32,
    nextFloat,
    permutation(n: number): number[] {
      const out = Array.from({ length: n }, (_, i) => i);
      for (let i = n - 1; i > 0; i--) {
        const j = Math.floor(nextFloat() * (i + 1));
        const tmp = out[i];
        out[i] = out[j];
        out[j] = tmp;
      }
      return out;
    },
    getState: () => [s[0], s[1], s[2], s[3]],
    setState(state: readonly number[]) {
      if (state.length !== 4 || !state.every((v) => Number.isInteger(v) && v >= 0 && v <= 0xffffffff)) {
        throw new Error(`bad RNG state ${JSON.stringify(state)}: expected four uint32 values`);
      }
      s.set(state);
    },
  };
}
