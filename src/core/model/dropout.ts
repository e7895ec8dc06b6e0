/**
 * Seeded dropout. One `Dropout` is made per forward pass: in evaluation it is the identity;
 * in training call i of the pass draws its mask from seed mix(seed, i), so a seeded run is
 * reproducible mask for mask. Inverted dropout (kept values scaled by 1/(1 − rate)), as
 * PyTorch and Google's BERT do.
 */
import * as tf from '@tensorflow/tfjs-core';

export type Dropout = <T extends tf.Tensor>(x: T, rate: number) => T;

export function createDropout(training: boolean, seed?: number): Dropout {
  if (!training) return (x) => x;
  const base = seed ?? Math.floor(Math.random() * 2 ** 31);
  let calls = 0;
  return <T extends tf.Tensor>(x: T, rate: number): T => {
    if (rate <= 0) return x;
    calls += 1;
    return tf.dropout(x, rate, undefined, mixSeed(base, calls)) as T;
  };
}

/** A 31-bit mix of two integers (distinct dropout calls get unrelated streams). */
export function mixSeed(a: number, b: number): number {
  let h = (Math.imul(a | 0, 0x9e3779b1) ^ Math.imul(b | 0, 0x85ebca77)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b) >>> 0;
  return (h ^ (h >>> 16)) & 0x7fffffff;
}
