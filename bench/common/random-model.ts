/**
 * Random BERT weights and batches for throughput benchmarks (values do not matter, shapes do):
 *   randomWeights(config, seed)            every encoder + pooler weight (heads are initialised by the model)
 *   randomBatch(config, B, S, seed)        [CLS] + random ids, two segments, full mask, labels 0/1
 *   trainingFlops(config, numLabels, B, S) the FLOP count behind "achieved GFLOP/s" (params.ts)
 */
import type { BertConfig } from '../../src/core/model';
import { encoderParamShapes, poolerParamShapes } from '../../src/core/model';
import type { HostBatch, WeightMap } from '../../src/core/model';
import { xorshiftUniform } from './xorshift';

/** xorshift32 + Box–Muller, N(0, initializerRange); LayerNorm gains 1, biases 0. */
export function randomWeights(c: BertConfig, seed: number): WeightMap {
  const u = xorshiftUniform(seed);
  const w: WeightMap = new Map();
  for (const [name, shape] of [...encoderParamShapes(c), ...poolerParamShapes(c)]) {
    const n = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    if (name.includes('LayerNorm') && name.endsWith('.weight')) data.fill(1);
    else if (!name.endsWith('.bias')) {
      for (let i = 0; i < n; i += 2) {
        const r = Math.sqrt(-2 * Math.log(u())) * c.initializerRange;
        const t = 2 * Math.PI * u();
        data[i] = r * Math.cos(t);
        if (i + 1 < n) data[i + 1] = r * Math.sin(t);
      }
    }
    w.set(name, { dtype: 'float32', shape, data });
  }
  return w;
}

export function randomBatch(c: BertConfig, B: number, S: number, seed: number): HostBatch {
  let s = seed >>> 0;
  const next = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0);
  const inputIds = new Int32Array(B * S).map((_, i) => (i % S === 0 ? 101 : 1000 + (next() % (c.vocabSize - 1000))));
  const tokenTypeIds = new Int32Array(B * S).map((_, i) => (i % S >= S / 2 ? 1 : 0));
  return { batchSize: B, seqLength: S, inputIds, tokenTypeIds, attentionMask: new Int32Array(B * S).fill(1), labels: new Int32Array(B).map(() => next() % 2) };
}

/** P and the step's FLOP count come from core/model/params.ts (the one place that counts FLOPs). */
export { matmulParams, trainingStepFlops as trainingFlops } from '../../src/core/model';
