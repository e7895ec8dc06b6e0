/** Backend selection in Node and the WASM training kernels. */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { defaultBackendOrder, initBackend } from './init';
import { measureMatmulGflops } from './matmul-gflops';

describe('initBackend (Node)', () => {
  it('defaults to WASM, the fastest backend that can train here', async () => {
    expect(defaultBackendOrder()).toEqual(['wasm', 'cpu']);
    const info = await initBackend();
    expect(info).toEqual({ name: 'wasm', fallbacks: [] });
    expect(tf.getBackend()).toBe('wasm');
  });

  it('falls back with a reason when the preferred backend is unavailable', async () => {
    const info = await initBackend('webgpu');
    expect(info.name).toBe('wasm');
    expect(info.fallbacks).toHaveLength(1);
    expect(info.fallbacks[0].name).toBe('webgpu');
    expect(info.fallbacks[0].reason).toMatch(/navigator\.gpu/);
  });

  it('switches to the CPU backend on request and back', async () => {
    expect((await initBackend('cpu')).name).toBe('cpu');
    expect((await initBackend('wasm')).name).toBe('wasm');
  });

  it('registers UnsortedSegmentSum on WASM: the embedding-lookup gradient runs there', async () => {
    await initBackend('wasm');
    expect(tf.getKernel('UnsortedSegmentSum', 'wasm')).toBeDefined();
    const table = tf.variable(tf.tensor2d([[1, 2], [3, 4], [5, 6]]));
    const { grads } = tf.variableGrads(() => tf.sum(tf.mul(tf.gather(table, tf.tensor1d([2, 0, 2], 'int32')), tf.tensor2d([[1, 10], [100, 1000], [2, 20]]))), [table]);
    expect(Array.from(await grads[table.name].data())).toEqual([100, 1000, 0, 0, 3, 30]);
    const direct = tf.unsortedSegmentSum(tf.tensor2d([[1, 2], [3, 4], [5, 6]]), tf.tensor1d([1, 1, 3], 'int32'), 4);
    expect(Array.from(await direct.data())).toEqual([0, 0, 4, 6, 0, 0, 5, 6]);
    tf.dispose([table, direct, ...Object.values(grads)]);
  });

  it('measures matmul throughput', async () => {
    await initBackend('wasm');
    const m = await measureMatmulGflops(128, 2);
    expect(m.bestGflops).toBeGreaterThan(0);
    expect(m.bestGflops).toBeGreaterThanOrEqual(m.medianGflops);
  });
});
