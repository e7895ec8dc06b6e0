/**
 * Pre-flight memory check (WASM backend): the measured basis extrapolates a real step's peak
 * (batch 1 and 2) to batch 3 and is compared with batch 3's real peak; the parameter count is
 * the model's; the adapter limits and a memory budget refuse runs with the numbers.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, type GpuLimits } from '../backend/init';
import { createBertModel } from '../model/bert-model';
import { toDeviceBatch } from '../model/batch';
import { PRESETS } from '../model/config';
import { loadFixture } from '../../testing/fixture-case';
import type { HostBatch } from '../model/types';
import { measureStepMemory, memoryCheck, parameterCount, preflight, WASM_HEAP_MAX_BYTES } from './preflight';
import { resolveSettings } from '../settings/validate';

beforeAll(async () => {
  await initBackend('wasm');
});

const fx = loadFixture('tiny-odd');
const S = fx.host.seqLength;
const rows = (B: number): HostBatch => {
  const take = (a: Int32Array) => Int32Array.from({ length: B * S }, (_, i) => a[i % a.length]);
  return { batchSize: B, seqLength: S, inputIds: take(fx.host.inputIds), tokenTypeIds: take(fx.host.tokenTypeIds), attentionMask: take(fx.host.attentionMask), labels: Int32Array.from({ length: B }, (_, i) => i % 2) };
};
const SPEC_LIMITS: GpuLimits = {
  maxStorageBufferBindingSize: 128 * 2 ** 20,
  maxBufferSize: 256 * 2 ** 20,
  maxComputeWorkgroupStorageSize: 16384,
  maxStorageBuffersPerShaderStage: 8,
  maxComputeWorkgroupsPerDimension: 65535,
  maxComputeInvocationsPerWorkgroup: 256,
  adapter: 'spec defaults',
};

describe('preflight', () => {
  it('counts the parameters the model holds', () => {
    const model = createBertModel(fx.config, fx.weights, { kind: 'classification', numLabels: 2, labels: ['0', '1'] });
    const held = [...model.variables.values()].reduce((a, v) => a + v.size, 0);
    expect(parameterCount(fx.config, 2)).toBe(held);
    model.dispose();
  });

  it('extrapolates a measured step (batch 1 and 2) to batch 3 within 10% of batch 3 measured', async () => {
    const model = createBertModel(fx.config, fx.weights, { kind: 'classification', numLabels: 2, labels: ['0', '1'] });
    const before = tf.memory().numTensors;
    const measured = await measureStepMemory(model, (B) => toDeviceBatch(rows(B)));
    expect(tf.memory().numTensors).toBe(before); // nothing left behind, weights untouched
    expect(measured.stepPeakBytes[1]).toBeGreaterThan(measured.stepPeakBytes[0]);
    const r = preflight({ config: fx.config, numLabels: 2, batchSize: 3, seqLength: S, measured });
    expect(r.basis).toBe('measured');
    const three = await measureStepMemory(model, (B) => toDeviceBatch(rows(B + 2))); // batches 3 and 4
    expect(Math.abs(r.parts.stepBytes - three.stepPeakBytes[0]) / three.stepPeakBytes[0]).toBeLessThan(0.1);
    expect(r.fits).toBe(true);
    expect(r.peakBytes).toBe(r.parts.weightsBytes + r.parts.optimizerBytes + r.parts.stepBytes);
    model.dispose();
  });

  it('gives settings validation the measured step: peaks agree with preflight, and a budget below batch 8 refuses it with the numbers', async () => {
    const model = createBertModel(fx.config, fx.weights, { kind: 'classification', numLabels: 2, labels: ['0', '1'] });
    const measured = await measureStepMemory(model, (B) => toDeviceBatch(rows(B)));
    model.dispose();
    const check = memoryCheck({ config: fx.config, numLabels: 2, measured, backend: 'wasm' });
    expect(check.limits.map((l) => l.bytes)).toEqual([WASM_HEAP_MAX_BYTES]);
    for (const B of [1, 2, 5]) {
      expect(check.fixedBytes + B * check.bytesPerExample).toBeCloseTo(preflight({ config: fx.config, numLabels: 2, batchSize: B, seqLength: S, measured }).peakBytes, 0);
    }
    const peak8 = check.fixedBytes + 8 * check.bytesPerExample;
    const budget = memoryCheck({ config: fx.config, numLabels: 2, measured, backend: 'cpu', budgetBytes: Math.floor(peak8 - check.bytesPerExample / 2) });
    const ctx = { memory: budget };
    expect(resolveSettings({ task: 'mrpc', edits: { trainBatchSize: 7, maxSeqLength: S }, context: ctx }).issues).toEqual([]);
    const [issue] = resolveSettings({ task: 'mrpc', edits: { trainBatchSize: 8, maxSeqLength: S }, context: ctx }).issues;
    expect(issue.key).toBe('trainBatchSize');
    expect(issue.message).toContain(`a step's measured peak is ${(peak8 / 2 ** 20).toFixed(peak8 < 10 * 2 ** 20 ? 1 : 0)} MiB`);
    expect(issue.message).toContain('at most 7');
  });

  it('refuses a batch whose attention scores exceed the binding limit, naming the tensor and the numbers', () => {
    const ok = preflight({ config: PRESETS.base, numLabels: 2, batchSize: 8, seqLength: 128, limits: SPEC_LIMITS });
    expect(ok.fits).toBe(true);
    expect(ok.basis).toBe('estimated');
    expect(ok.largest[0].name).toMatch(/word embeddings/);
    expect(ok.summary).toMatch(/^fits: about \d+ MiB per step at batch 8, sequence 128/);
    const big = preflight({ config: PRESETS.base, numLabels: 2, batchSize: 32, seqLength: 512, limits: SPEC_LIMITS });
    expect(big.fits).toBe(false);
    expect(big.problems[0]).toBe('attention scores / probabilities [384, 512, 512] need 384 MiB in one buffer; this GPU binds at most 128 MiB (maxStorageBufferBindingSize): lower the batch size or the sequence length');
  });

  it('refuses a run over the memory budget with the parts', () => {
    const r = preflight({ config: PRESETS.base, numLabels: 2, batchSize: 8, seqLength: 128, limits: SPEC_LIMITS, budgetBytes: 2 ** 30 });
    expect(r.fits).toBe(false);
    expect(r.parts.weightsBytes).toBe(parameterCount(PRESETS.base, 2) * 4);
    expect(r.parts.optimizerBytes).toBeGreaterThan(2 * r.parts.weightsBytes);
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatch(/^a step needs about \d+ MiB \(weights 418 MiB, optimizer 837 MiB, step \d+ MiB, estimated\) but 1024 MiB are available/);
  });
});
