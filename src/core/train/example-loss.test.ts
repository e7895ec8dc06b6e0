/**
 * The per-example loss evaluation keeps (hardest examples): its mean over a batch is the
 * classification head's cross-entropy, the loss training minimises; and the session writes it
 * beside each dev prediction.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend/init';
import { crossEntropy } from '../model/classification-head';
import { exampleCrossEntropy } from './task-classifier';
import { predictionFiles } from '../session/predictions';

beforeAll(async () => {
  await initBackend('cpu');
});

describe('per-example loss', () => {
  it('averages to the head’s cross-entropy, also for large logits', async () => {
    const rows = [[2, -1, 0.5], [-3, 4, 1], [800, 0, -800], [0.1, 0.1, 0.1]];
    const gold = [0, 2, 1, 1];
    const mine = rows.map((r, i) => exampleCrossEntropy(r, gold[i]));
    expect(mine.every((x) => Number.isFinite(x) && x >= 0)).toBe(true);
    const ce = crossEntropy(tf.tensor2d(rows), tf.tensor1d(gold, 'int32'));
    expect(mine.reduce((a, b) => a + b, 0) / rows.length).toBeCloseTo((await ce.data())[0], 3);
    expect(mine[2]).toBeCloseTo(800, 3);
    expect(mine[3]).toBeCloseTo(Math.log(3), 6);
    ce.dispose();
  });

  it('is written beside each prediction in eval_predictions.jsonl', async () => {
    const files = await predictionFiles({
      task: 'sst-2', labels: ['0', '1'], cache: { get: (_k, read) => read() },
      predictions: { kind: 'classification', guids: ['a', 'b'], labels: ['0', '1'], predicted: ['1', '0'], logits: [], losses: [0.25, 3.5] },
    });
    const rows = new TextDecoder().decode(files[0].data).trim().split('\n').map((l) => JSON.parse(l) as { id: string; loss: number });
    expect(rows.map((r) => [r.id, r.loss])).toEqual([['a', 0.25], ['b', 3.5]]);
  });
});
