/**
 * xorshift32 as a uniform generator in (0, 1): the benches' seeded source of random weights
 * (random-model.ts, studio-ab's BERT-Tiny folder). Same seed, same numbers, on every machine.
 */
export function xorshiftUniform(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return (s + 0.5) / 4294967296;
  };
}
