/**
 * Initialisation of weights a checkpoint does not hold (a fresh classifier / qa_outputs head,
 * or a pooler), as BERT does: truncated normal (|z| ≤ 2σ) with σ = initializer_range for
 * kernels, zeros for biases; LayerNorm weight 1. Seeded: the same seed gives the same head.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { LoadedTensor } from '../io/safetensors';
import { mixSeed } from './dropout';

export function initialWeight(name: string, shape: number[], initializerRange: number, seed: number): LoadedTensor {
  const count = shape.reduce((a, b) => a * b, 1);
  if (name.endsWith('.bias')) return { dtype: 'float32', shape, data: new Float32Array(count) };
  if (name.includes('LayerNorm') && name.endsWith('.weight')) return { dtype: 'float32', shape, data: new Float32Array(count).fill(1) };
  const nameSeed = [...name].reduce((h, ch) => mixSeed(h, ch.charCodeAt(0)), seed);
  const t = tf.truncatedNormal(shape, 0, initializerRange, 'float32', nameSeed);
  const data = t.dataSync() as Float32Array;
  t.dispose();
  return { dtype: 'float32', shape, data: new Float32Array(data) };
}
