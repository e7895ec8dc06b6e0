/**
 * Measures a backend's large-matmul throughput (GFLOP/s = 2·n³ / seconds), the ceiling a
 * training step on that backend can approach. Used by bench/train-step.
 */
import * as tf from '@tensorflow/tfjs-core';

export interface MatmulMeasure {
  size: number;
  repeats: number;
  /** Best of the timed repeats (after one warm-up). */
  bestGflops: number;
  medianGflops: number;
}

export async function measureMatmulGflops(size = 1024, repeats = 5): Promise<MatmulMeasure> {
  const a = tf.randomNormal([size, size], 0, 1, 'float32', 1);
  const b = tf.randomNormal([size, size], 0, 1, 'float32', 2);
  const flops = 2 * size ** 3;
  const rates: number[] = [];
  try {
    for (let r = 0; r <= repeats; r++) {
      const t0 = performance.now();
      const c = tf.matMul(a, b);
      await c.data();
      const dt = (performance.now() - t0) / 1000;
      c.dispose();
      if (r > 0) rates.push(flops / dt / 1e9); // r = 0 is the warm-up (kernel compilation)
    }
  } finally {
    a.dispose();
    b.dispose();
  }
  const sorted = [...rates].sort((x, y) => x - y);
  return { size, repeats, bestGflops: sorted[sorted.length - 1], medianGflops: sorted[Math.floor(sorted.length / 2)] };
}
