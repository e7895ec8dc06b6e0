/**
 * Random BERT weights and batches for throughput benchmarks (values do not matter, shapes do):
 *   randomWeights(config, seed)            every encoder + pooler weight (heads are initialised by the model)
 *   randomBatch(config, B, S, seed)        [CLS] + random ids, two segments, full mask, labels 0/1
 *   trainingFlops(config, numLabels, B, S) the FLOP count behind "achieved GFLOP/s"
 */
import type { BertConfig } from '../../src/core/model';
import { encoderParamShapes, poolerParamShapes } from '../../src/core/model';
import type { HostBatch, WeightMap } from '../../src/core/model';

/** xorshift32 + Box–Muller, N(0, initializerRange); LayerNorm gains 1, biases 0. */
export function randomWeights(c: BertConfig, seed: number): WeightMap {
  let s = seed >>> 0 || 1;
  const u = () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return (s + 0.5) / 4294967296;
  };
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

/** P: non-embedding weights that multiply activations (encoder dense kernels, pooler, classifier). */
export function matmulParams(c: BertConfig, numLabels: number): number {
  const H = c.hiddenSize;
  const I = c.intermediateSize;
  return c.numHiddenLayers * (4 * H * H + 2 * H * I) + H * H + numLabels * H;
}

/**
 * FLOPs of one training step (forward + backward ≈ 3 × forward), as bench/train-step counts them:
 *   B·S·(6·P + 12·L·S·H)
 * 6·P per token for the dense layers; 12·L·S·H per token for the attention score and context
 * matmuls (2 matmuls × 2·S·H forward per layer, × 3). Embedding lookups, LayerNorm, softmax,
 * GELU and the optimizer are not counted.
 */
export function trainingFlops(c: BertConfig, numLabels: number, B: number, S: number): number {
  return B * S * (6 * matmulParams(c, numLabels) + 12 * c.numHiddenLayers * S * c.hiddenSize);
}
