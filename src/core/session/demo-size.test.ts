/**
 * The demo's size table and its choice from a probe (fake timings): the largest size predicted
 * to fit the device's budget, the smallest when none does, the reason in words, and a bad probe
 * named.
 */
import { describe, expect, it } from 'vitest';
import {
  chooseDemoSize, DEMO_BUDGET_SECONDS, DEMO_SIZES, demoDeviceKind, demoModelConfig, demoSizeNamed, demoSteps, predictDemoSeconds,
  SMALLEST_DEMO_SIZE, stepCostRatio, storedDemoChoice, type DemoProbe,
} from './demo-size';

const probe = (secondsPerStep: number, evalSecondsPerExample = secondsPerStep / 50): DemoProbe => ({ size: SMALLEST_DEMO_SIZE, secondsPerStep, evalSecondsPerExample });

describe('demo sizes', () => {
  it('are ordered largest first, with steps from their data and batch', () => {
    expect(DEMO_SIZES.map((s) => s.name)).toEqual(['full', 'medium', 'small']);
    expect(DEMO_SIZES.map(demoSteps)).toEqual([150, 80, 40]);
    for (let i = 1; i < DEMO_SIZES.length; i++) expect(stepCostRatio(DEMO_SIZES[i - 1], DEMO_SIZES[i])).toBeGreaterThan(1);
    expect(stepCostRatio(SMALLEST_DEMO_SIZE, SMALLEST_DEMO_SIZE)).toBe(1);
    // Every size's model fits its window: positions cover the sequence length.
    for (const s of DEMO_SIZES) expect(demoModelConfig(s).maxPositionEmbeddings).toBeGreaterThanOrEqual(s.settings.maxSeqLength);
  });

  it('names the device from the backend and the adapter', () => {
    expect(demoDeviceKind('webgpu', false)).toBe('gpu');
    expect(demoDeviceKind('webgpu', true)).toBe('software-gpu');
    expect(demoDeviceKind('webgl', false)).toBe('gpu');
    expect(demoDeviceKind('wasm', false)).toBe('cpu');
    expect(demoDeviceKind('cpu', false)).toBe('cpu');
  });

  it('predicts each size as an upper bound scaled from the probe', () => {
    const p = probe(2, 0.01);
    expect(predictDemoSeconds(SMALLEST_DEMO_SIZE, p)).toBeCloseTo(40 * 2 + 20 * 0.01, 6);
    const full = demoSizeNamed('full');
    expect(predictDemoSeconds(full, p)).toBeCloseTo(stepCostRatio(full, SMALLEST_DEMO_SIZE) * (150 * 2 + 40 * 3 * 0.01), 6);
  });

  it('picks the full size on a fast GPU', () => {
    const c = chooseDemoSize(probe(0.02), 'gpu');
    expect(c).toMatchObject({ size: 'full', device: 'gpu', steps: 150, hiddenSize: 64, numHiddenLayers: 2, maxSeqLength: 56, budgetSeconds: 60, overBudget: false });
    expect(c.predictedSeconds).toBeLessThanOrEqual(60);
    expect(c.reason).toBe('GPU: 150 steps, hidden 64, 2 layers, sequence 56');
  });

  it('picks a smaller size when the full one would not fit', () => {
    const full = demoSizeNamed('full');
    const medium = demoSizeNamed('medium');
    // A probe speed where the full size is just over a minute and the medium one fits.
    const perStep = 61 / predictDemoSeconds(full, probe(1, 0.02));
    const c = chooseDemoSize(probe(perStep, 0.02 * perStep), 'gpu');
    expect(predictDemoSeconds(medium, probe(perStep, 0.02 * perStep))).toBeLessThanOrEqual(60);
    expect(c.size).toBe('medium');
    expect(c.steps).toBe(80);
  });

  it('picks the small size on a software renderer, and says so', () => {
    const c = chooseDemoSize(probe(2.5), 'software-gpu');
    expect(c).toMatchObject({ size: 'small', steps: 40, hiddenSize: 32, numHiddenLayers: 1, budgetSeconds: DEMO_BUDGET_SECONDS['software-gpu'], overBudget: false });
    expect(c.reason).toBe('slow GPU (software renderer): 40 steps, hidden 32, 1 layer, sequence 40');
    expect(c.predictedSeconds).toBeCloseTo(40 * 2.5 + 20 * 0.05, 6);
  });

  it('keeps the small size when even it is over budget, and marks that', () => {
    const c = chooseDemoSize(probe(10), 'cpu');
    expect(c.size).toBe('small');
    expect(c.overBudget).toBe(true);
    expect(c.predictedSeconds).toBeGreaterThan(c.budgetSeconds);
    expect(c.reason.startsWith('no GPU (CPU fallback): 40 steps')).toBe(true);
  });

  it('rejects a probe without a positive time, and an unknown size name', () => {
    expect(() => chooseDemoSize(probe(0), 'gpu')).toThrow(/probe measured 0 seconds per step: expected a positive number/);
    expect(() => chooseDemoSize(probe(Number.NaN), 'gpu')).toThrow(/expected a positive number/);
    expect(() => demoSizeNamed('huge')).toThrow('unknown demo size "huge": expected one of full, medium, small');
    expect(demoSizeNamed(undefined).name).toBe('full');
  });

  it('reads a stored choice back as it was, and nothing from a record that is not one', () => {
    const c = chooseDemoSize(probe(0.5), 'software-gpu');
    expect(storedDemoChoice(JSON.parse(JSON.stringify(c)))).toEqual(c);
    expect(storedDemoChoice(undefined)).toBeNull();
    expect(storedDemoChoice('small')).toBeNull();
    expect(storedDemoChoice({ ...c, size: 'huge' })).toBeNull();
    expect(storedDemoChoice({ ...c, device: 'tpu' })).toBeNull();
    expect(storedDemoChoice({ ...c, steps: null })).toBeNull();
    expect(storedDemoChoice({ ...c, overBudget: 'no' })).toBeNull();
    const { reason: _dropped, ...withoutReason } = c;
    expect(storedDemoChoice(withoutReason)).toBeNull();
  });
});
