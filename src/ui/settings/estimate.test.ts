import { describe, expect, it } from 'vitest';
import { estimateRun, formatFlops, measuredTimes, type EstimateInput } from './estimate';
import type { RunEstimate } from '../../protocol/events';

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
    expect(e.secondsPerEpoch).toBeNull(); // no assumed rate: time is measured
    expect(e.lowerBound).toBe(false);
  });
  it('uses the live speed once there is one', () => {
    expect(estimateRun({ ...MRPC, measuredSequencesPerSec: 20 }).secondsPerEpoch).toBeCloseTo(3668 / 20, 9);
  });
  it('caps the sequence at the model’s positions and flags SQuAD windows as a lower bound', () => {
    const tiny = { ...BASE, maxPositions: 64 };
    expect(estimateRun({ ...MRPC, model: tiny, maxSeqLength: 384 }).activationBytes).toBe(estimateRun({ ...MRPC, model: tiny, maxSeqLength: 64 }).activationBytes);
    expect(estimateRun({ ...MRPC, windowed: true }).lowerBound).toBe(true);
  });
});

describe('measuredTimes (calibration, then the live speed)', () => {
  const cal: RunEstimate = {
    status: 'done', backend: 'webgpu', batchSize: 32, seqLength: 128, secondsPerStep: 2, firstStepSeconds: 9, stepsPerEpoch: 115, totalSteps: 345,
    secondsPerEpoch: 230, evaluations: 3, evalExamples: 408, evalSeconds: 60, totalSeconds: 757, peakBytes: 1e9,
  };
  it('states the calibration: per step, per epoch, and the whole run with its evaluations', () => {
    expect(measuredTimes(cal)).toEqual({ source: 'calibration', secondsPerStep: 2, stepsPerEpoch: 115, totalSteps: 345, secondsPerEpoch: 230, evaluations: 3, evalExamples: 408, evalSeconds: 60, totalSeconds: 690 + 60 });
  });
  it('refines with the live speed (batch / examples per second), evaluation scaled alike', () => {
    const t = measuredTimes(cal, 32)!; // 1 s per step
    expect(t.source).toBe('live');
    expect(t.secondsPerStep).toBe(1);
    expect(t.evalSeconds).toBe(30);
    expect(t.totalSeconds).toBe(345 + 30);
  });
  it('has nothing to state while measuring or after a failure', () => {
    expect(measuredTimes({ status: 'measuring', backend: 'webgpu', batchSize: 32, seqLength: 128 })).toBeNull();
    expect(measuredTimes(null)).toBeNull();
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
