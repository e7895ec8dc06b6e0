/**
 * Seeded dropout. One `Dropout` is made per forward pass: in evaluation it is the identity;
 * in training call i of the pass draws its mask from the counter-based key (seed, i)
 * (Philox4x32-10, src/core/kernels/philox.ts), so a seeded run is reproducible mask for mask
 * and the mask is the same on every backend (on WebGPU it is drawn inside the shader, never
 * on the host). Inverted dropout (kept values scaled by 1/(1 − rate)), as PyTorch and Google's
 * BERT do.
 *
 *   dropout(x, rate)   -> x with dropout applied (its own call index)
 *   dropout.key(rate)  -> the key of the next call, or null when nothing is dropped, for the
 *                         kernels that fuse dropout (attention probabilities, residual + LayerNorm)
 */
import type * as tf from '@tensorflow/tfjs-core';
import { dropout as dropoutKernel } from '../kernels/dropout';
import type { DropoutKey } from '../kernels/philox';

export interface Dropout {
  <T extends tf.Tensor>(x: T, rate: number): T;
  key(rate: number): DropoutKey | null;
}

export function createDropout(training: boolean, seed?: number): Dropout {
  const base = (seed ?? Math.floor(Math.random() * 2 ** 31)) >>> 0;
  let calls = 0;
  const key = (rate: number): DropoutKey | null => {
    if (!training || rate <= 0) return null;
    calls += 1;
    return { seed: base, call: calls, rate };
  };
  const apply = <T extends tf.Tensor>(x: T, rate: number): T => {
    const k = key(rate);
    return k ? dropoutKernel(x, k) : x;
  };
  return Object.assign(apply, { key });
}

/** A 31-bit mix of two integers (distinct seeds get unrelated streams). */
export function mixSeed(a: number, b: number): number {
  let h = (Math.imul(a | 0, 0x9e3779b1) ^ Math.imul(b | 0, 0x85ebca77)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b) >>> 0;
  return (h ^ (h >>> 16)) & 0x7fffffff;
}
