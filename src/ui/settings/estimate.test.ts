import { describe, expect, it } from 'vitest';
import { estimateRun, formatFlops, type EstimateInput } from './estimate';

// BERT-Base: 109,482,240 parameters (embeddings 23,837,184 + 12 x 7,087,872 + pooler 590,592).
const BASE = { parameters: 109_482_240, vocabSize: 30522, hiddenSize: 768, numLayers: 12, numHeads: 12, intermediateSize: 3072, maxPositions: 512 };
const MRPC: EstimateInput = { model: BASE, maxSeqLength: 128, batchSize: 32, trainExamples: 3668, windowed: false, epochs: 3, backend: 'webgpu' };

describe('estimateRun (BERT-Base on MRPC, hand-computed)', () => {
  const e = estimateRun(MRPC);
  it('memory: 16 bytes per parameter plus activations of one batch', () => {
    expect(e.weightsBytes).toBe(437_928_960);
    expect(e.trainingStateBytes).toBe(1_751_715_840);
    // 4 B x 12 layers x 32 x (128 x (16 x 768 + 3 x 3072) + 4 x 12 x 128^2)
    expect(e.activationBytes).toBe(5_435_817_984);
    expect(e.totalBytes).toBe(1_751_715_840 + 5_435_817_984);
  });
  it('compute: 6 FLOP per dense parameter and token plus attention, over 128 tokens per example', () => {
    // dense parameters: 109,482,240 - (30522 + 512 + 2) x 768 = 85,646,592
    // per token: 6 x 85,646,592 + 12 x 12 x 128 x 768 = 528,035,328
    expect(e.flopsPerEpoch).toBe(528_035_328 * 128 * 3668);
    expect(e.stepsPerEpoch).toBe(115);
    expect(e.rateSource).toBe('assumed');
    expect(e.assumedGflops).toBe(400);
    expect(e.secondsPerEpoch).toBeCloseTo(619.7867, 3);
    expect(e.lowerBound).toBe(false);
  });
  it('uses the measured speed once there is one, and the backend’s assumed rate otherwise', () => {
    const m = estimateRun({ ...MRPC, measuredSequencesPerSec: 20 });
    expect(m.rateSource).toBe('measured');
    expect(m.secondsPerEpoch).toBeCloseTo(3668 / 20, 9);
    expect(estimateRun({ ...MRPC, backend: 'wasm' }).secondsPerEpoch).toBeCloseTo((528_035_328 * 128 * 3668) / 15e9, 3);
  });
  it('caps the sequence at the model’s positions and flags SQuAD windows as a lower bound', () => {
    const tiny = { ...BASE, maxPositions: 64 };
    expect(estimateRun({ ...MRPC, model: tiny, maxSeqLength: 384 }).activationBytes).toBe(estimateRun({ ...MRPC, model: tiny, maxSeqLength: 64 }).activationBytes);
    expect(estimateRun({ ...MRPC, windowed: true }).lowerBound).toBe(true);
  });
});

describe('formatFlops', () => {
  it('picks the unit', () => {
    expect(formatFlops(247_914_698_637_312)).toBe('248 TFLOP');
    expect(formatFlops(67_588_521_984)).toBe('67.6 GFLOP');
    expect(formatFlops(2.5e15)).toBe('2.5 PFLOP');
    expect(formatFlops(999)).toBe('999 FLOP');
  });
});
