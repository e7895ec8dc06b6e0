/**
 * The "before you start" estimate: device memory for training and compute per epoch, from the
 * model's shape, the settings and the dataset size. Approximate by nature (it says so on the page):
 *
 *   memory   = parameters · 16 B (float32 weights, gradients, Adam's m and v)
 *            + activations kept for the backward pass, per layer and micro-batch:
 *              4 B · B · (S · (16·H + 3·I) + 4·N·S²)   (projections, GELU input/output, LayerNorms,
 *                                                        attention scores, softmax, dropout masks)
 *   compute  = 6 · (encoder parameters without embeddings) FLOP per token (forward + backward)
 *            + 12 · L · S · H FLOP per token for the attention products, over S tokens per
 *              sequence (batches are padded) and one sequence per feature.
 *   time     = compute / an assumed sustained rate per backend, replaced by the measured rate
 *              once steps come in.
 */
import type { BackendName, ModelSummary } from '../../protocol/events';

export interface EstimateInput {
  model: Pick<ModelSummary, 'parameters' | 'vocabSize' | 'hiddenSize' | 'numLayers' | 'numHeads' | 'intermediateSize' | 'maxPositions'>;
  maxSeqLength: number;
  batchSize: number;
  /** Training examples (after maxTrainExamples); SQuAD windows make features ≥ examples. */
  trainExamples: number;
  /** SQuAD: one example may give several windows, so the step count is a lower bound. */
  windowed: boolean;
  epochs: number;
  backend: BackendName | null;
  /** Measured training rate (sequences per second), when a run has reported one. */
  measuredSequencesPerSec?: number;
  /** The trainable-parameter choice's counts (core paramCounts: head and adapters included); absent: every parameter trains. */
  parameterCounts?: { total: number; trainable: number };
}

export interface Estimate {
  weightsBytes: number;
  trainingStateBytes: number;
  activationBytes: number;
  totalBytes: number;
  flopsPerEpoch: number;
  stepsPerEpoch: number;
  secondsPerEpoch: number;
  /** Where the rate came from: "measured" or the assumed backend rate. */
  rateSource: 'measured' | 'assumed';
  assumedGflops: number;
  /** True when windows make the numbers a lower bound. */
  lowerBound: boolean;
}

/** Conservative sustained training rates (GFLOP/s) of each backend on a laptop. */
export const ASSUMED_GFLOPS: Record<BackendName, number> = { webgpu: 400, webgl: 150, wasm: 15, cpu: 1.5 };

export function estimateRun(x: EstimateInput): Estimate {
  const { parameters, vocabSize, hiddenSize: H, numLayers: L, numHeads: N, intermediateSize: I, maxPositions } = x.model;
  const S = Math.min(x.maxSeqLength, maxPositions);
  const B = x.batchSize;
  const counts = x.parameterCounts;
  const weightsBytes = (counts?.total ?? parameters) * 4;
  // Frozen weights and LoRA's base weights hold no gradient and no Adam slots: 4·total + 12·trainable.
  const trainingStateBytes = counts ? 4 * counts.total + 12 * counts.trainable : parameters * 16;
  const activationBytes = 4 * L * B * (S * (16 * H + 3 * I) + 4 * N * S * S);
  const embeddingParams = (vocabSize + maxPositions + 2) * H;
  const denseParams = Math.max(0, parameters - embeddingParams);
  const flopsPerToken = 6 * denseParams + 12 * L * S * H;
  const sequences = Math.max(0, x.trainExamples);
  const flopsPerEpoch = flopsPerToken * S * sequences;
  const stepsPerEpoch = Math.ceil(sequences / Math.max(1, B));
  const assumedGflops = ASSUMED_GFLOPS[x.backend ?? 'webgpu'];
  const measured = x.measuredSequencesPerSec !== undefined && x.measuredSequencesPerSec > 0;
  const secondsPerEpoch = measured ? sequences / (x.measuredSequencesPerSec as number) : flopsPerEpoch / (assumedGflops * 1e9);
  return {
    weightsBytes,
    trainingStateBytes,
    activationBytes,
    totalBytes: trainingStateBytes + activationBytes,
    flopsPerEpoch,
    stepsPerEpoch,
    secondsPerEpoch,
    rateSource: measured ? 'measured' : 'assumed',
    assumedGflops,
    lowerBound: x.windowed,
  };
}

/** FLOP count as "3.2 TFLOP". */
export function formatFlops(flops: number): string {
  if (!Number.isFinite(flops) || flops < 0) return '–';
  const units: Array<[number, string]> = [[1e15, 'PFLOP'], [1e12, 'TFLOP'], [1e9, 'GFLOP'], [1e6, 'MFLOP']];
  for (const [scale, unit] of units) if (flops >= scale) return `${(flops / scale).toFixed(flops / scale >= 100 ? 0 : 1)} ${unit}`;
  return `${Math.round(flops)} FLOP`;
}
