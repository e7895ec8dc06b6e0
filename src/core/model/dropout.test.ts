/**
 * The per-pass dropout (dropout.ts): which key each call draws from, and that evaluation and a
 * zero rate draw nothing. The masks themselves are tested in src/core/kernels/philox.test.ts.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend/init';
import { dropoutMask } from '../kernels/philox';
import { createDropout } from './dropout';

beforeAll(async () => {
  await initBackend('wasm');
});

describe('createDropout', () => {
  it('numbers its calls 1, 2, ... under the pass seed; zero rates and evaluation draw nothing', () => {
    const d = createDropout(true, 42);
    expect(d.key(0.1)).toEqual({ seed: 42, call: 1, rate: 0.1 });
    expect(d.key(0)).toBeNull();
    expect(d.key(0.2)).toEqual({ seed: 42, call: 2, rate: 0.2 });
    const off = createDropout(false, 42);
    expect(off.key(0.1)).toBeNull();
    const x = tf.ones([3, 4]);
    expect(off(x, 0.1)).toBe(x);
    x.dispose();
  });

  it('applies the mask of its call: the same pass seed gives the same masks call for call', async () => {
    const x = tf.ones([5, 8]);
    const a = createDropout(true, 7);
    const b = createDropout(true, 7);
    const ya = [a(x, 0.5), a(x, 0.5)];
    const yb = [b(x, 0.5), b(x, 0.5)];
    expect(await ya[0].data()).toEqual(dropoutMask(40, { seed: 7, call: 1, rate: 0.5 }));
    expect(await ya[1].data()).toEqual(dropoutMask(40, { seed: 7, call: 2, rate: 0.5 }));
    expect(await yb[1].data()).toEqual(await ya[1].data());
    expect(await ya[1].data()).not.toEqual(await ya[0].data());
    tf.dispose([x, ...ya, ...yb]);
  });
});
