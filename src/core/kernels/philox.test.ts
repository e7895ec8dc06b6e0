/**
 * Philox4x32-10 and the dropout masks drawn from it (the host side: the WASM/CPU fallback and the
 * reference the WGSL generator is checked against in e2e/kernels-model.spec.ts).
 * Known answers: Random123's kat_vectors (Salmon et al.), the three philox4x32 10 lines.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend/init';
import { dropoutComposed } from './dropout';
import { dropoutMask, dropoutParams, philox4x32 } from './philox';

const hex = (a: Uint32Array) => [...a].map((x) => x.toString(16).padStart(8, '0')).join(' ');

describe('philox4x32-10', () => {
  it('gives the published known-answer vectors', () => {
    expect(hex(philox4x32(0, 0, 0, 0, 0, 0))).toBe('6627e8d5 e169c58d bc57ac4c 9b00dbd8');
    expect(hex(philox4x32(0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff))).toBe('408f276d 41c83b0e a20bc7c6 6d5451fd');
    expect(hex(philox4x32(0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xa4093822, 0x299f31d0))).toBe('d16cfe09 94fdcceb 5001e420 24126ea1');
  });
});

describe('dropout masks', () => {
  const key = { seed: 1234567, call: 3, rate: 0.1 };

  it('keep about 1 − rate of the elements and scale them by 1/(1 − rate)', () => {
    for (const rate of [0.1, 0.5, 0.9]) {
      const n = 200_003;
      const mask = dropoutMask(n, { ...key, rate });
      const scale = Math.fround(1 / (1 - rate));
      let kept = 0;
      for (const v of mask) {
        if (v !== 0) {
          expect(v).toBe(scale);
          kept++;
        }
      }
      // 5 standard deviations of a binomial(n, 1 − rate).
      expect(Math.abs(kept / n - (1 - rate))).toBeLessThan(5 * Math.sqrt((rate * (1 - rate)) / n));
    }
  });

  it('are the same for the same key and differ across seeds and calls', () => {
    const a = dropoutMask(1001, key);
    expect(dropoutMask(1001, key)).toEqual(a);
    const differing = (b: Float32Array) => b.reduce((s, v, i) => s + (v !== a[i] ? 1 : 0), 0);
    expect(differing(dropoutMask(1001, { ...key, seed: key.seed + 1 }))).toBeGreaterThan(100);
    expect(differing(dropoutMask(1001, { ...key, call: key.call + 1 }))).toBeGreaterThan(100);
    // A longer mask extends a shorter one (element i depends only on the key and i).
    expect(dropoutMask(1003, key).subarray(0, 1001)).toEqual(a);
  });

  it('take element i from word i mod 4 of block ⌊i/4⌋, kept when the word ≥ ⌊rate·2³²⌋', () => {
    const mask = dropoutMask(12, key);
    const { threshold } = dropoutParams(key);
    for (let i = 0; i < 12; i++) {
      const word = philox4x32(Math.floor(i / 4), 0, 0, 0, key.seed, key.call)[i % 4];
      expect(mask[i] !== 0).toBe(word >= threshold);
    }
  });

  it('reject a rate outside (0, 1)', () => {
    expect(() => dropoutMask(4, { ...key, rate: 0 })).toThrow(/rate/);
    expect(() => dropoutMask(4, { ...key, rate: 1 })).toThrow(/rate/);
  });
});

describe('composed dropout (WASM)', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('multiplies by the mask and passes the same mask to the gradient, keeping numTensors flat', async () => {
    const key = { seed: 99, call: 1, rate: 0.3 };
    const x = tf.randomUniform([7, 13], -1, 1, 'float32', 5);
    const mask = dropoutMask(x.size, key);
    const before = tf.memory().numTensors;
    const [y, dx] = tf.tidy(() => {
      const f = (t: tf.Tensor) => dropoutComposed(t, key);
      return [f(x), tf.grad((t: tf.Tensor) => tf.sum(f(t)))(x)];
    });
    const xs = await x.data();
    const ys = await y.data();
    const ds = await dx.data();
    for (let i = 0; i < x.size; i++) {
      expect(ys[i]).toBe(Math.fround(xs[i] * mask[i]));
      expect(ds[i]).toBe(mask[i]);
    }
    tf.dispose([y, dx]);
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });
});
