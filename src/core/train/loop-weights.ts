/** Writes host weights (a checkpoint's) into a model's variables, checking names and shapes first. */
import * as tf from '@tensorflow/tfjs-core';
import { TabtuneError } from '../errors';
import type { BertModel, WeightMap } from '../model/types';

export function restoreWeights(model: BertModel, weights: WeightMap, file = 'checkpoint'): void {
  for (const [name, v] of model.variables) {
    const w = weights.get(name);
    if (!w) {
      throw new TabtuneError('checkpoint lacks a weight of the model', { file, location: name, expected: `a tensor of shape [${v.shape.join(', ')}]`, code: 'checkpoint-weights' });
    }
    if (w.shape.length !== v.shape.length || w.shape.some((d, i) => d !== v.shape[i])) {
      throw new TabtuneError(`shape [${w.shape.join(', ')}] does not match the model`, { file, location: name, expected: `[${v.shape.join(', ')}]`, code: 'checkpoint-weights' });
    }
  }
  for (const [name, v] of model.variables) {
    const w = weights.get(name)!;
    tf.tidy(() => v.assign(tf.tensor(w.data, w.shape, v.dtype as 'float32' | 'int32')));
  }
}
