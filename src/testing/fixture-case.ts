/**
 * Test-only loader for ../shared/fixtures/model/<case>: config, weights (model.safetensors
 * + heads.safetensors), golden tensors, and the golden batch as a HostBatch. Shared by the
 * model, training-step and run-batch tests. Nothing is copied from ../shared.
 */
import { expect } from 'vitest';
import { parseBertConfig } from '../core/io';
import { loadPretrained } from '../core/io';
import { nodeFileSource, nodeFolderSources } from '../platform/node/byte-source';
import { readSafetensors, type LoadedTensor } from '../core/io';
import { readShared, readSharedBytes, sharedPath } from './shared';
import type { BertConfig } from '../core/model';
import type { HostBatch, WeightMap } from '../core/model';

export type FixtureCase = 'tiny-uncased' | 'tiny-odd';
export const FIXTURE_CASES: FixtureCase[] = ['tiny-uncased', 'tiny-odd'];

export interface Fixture {
  config: BertConfig;
  weights: WeightMap;
  golden: Map<string, LoadedTensor>;
  goldenJson: Record<string, unknown>;
  host: HostBatch;
}

export function loadFixture(name: FixtureCase): Fixture {
  const dir = ['fixtures', 'model', name];
  const { config } = parseBertConfig(readShared(...dir, 'config.json'), 'config.json');
  const weights: WeightMap = new Map(readSafetensors(readSharedBytes(...dir, 'model.safetensors')).tensors);
  for (const [k, v] of readSafetensors(readSharedBytes(...dir, 'heads.safetensors')).tensors) weights.set(k, v);
  const golden = readSafetensors(readSharedBytes(...dir, 'golden.safetensors')).tensors;
  const goldenJson = JSON.parse(readShared(...dir, 'golden.json')) as Record<string, unknown>;
  return { config, weights, golden, goldenJson, host: hostBatchFromTensors(golden) };
}

/** Where the weights come from: model.safetensors read directly, or loadPretrained on pytorch_model.bin / tiny-odd/google/. */
export type WeightSource = 'safetensors' | 'bin' | 'google';

/** The fixture with config and weights loaded from `source` (bin and google through loadPretrained). */
export async function loadFixtureFrom(name: FixtureCase, source: WeightSource): Promise<Fixture> {
  const base = loadFixture(name);
  if (source === 'safetensors') return base;
  const dir = sharedPath('fixtures', 'model', name);
  const loaded =
    source === 'bin'
      ? await loadPretrained(nodeFolderSources(dir).filter((s) => !s.name.endsWith('.safetensors')), { prefer: 'hf-bin', extraWeights: [nodeFileSource(`${dir}/heads.safetensors`)] })
      : await loadPretrained(nodeFolderSources(`${dir}/google`));
  return { ...base, config: loaded.config, weights: loaded.weights };
}

export function hostBatchFromTensors(t: Map<string, LoadedTensor>): HostBatch {
  const ids = t.get('input/input_ids')!;
  return {
    batchSize: ids.shape[0],
    seqLength: ids.shape[1],
    inputIds: ids.data as Int32Array,
    tokenTypeIds: t.get('input/token_type_ids')!.data as Int32Array,
    attentionMask: t.get('input/attention_mask')!.data as Int32Array,
    labels: t.get('input/labels')?.data as Int32Array | undefined,
    startPositions: t.get('input/start_positions')?.data as Int32Array | undefined,
    endPositions: t.get('input/end_positions')?.data as Int32Array | undefined,
  };
}

/** Golden tensor names under a prefix ('output/', 'grad_cls/', 'bertadam/step2/'), prefix removed. */
export function goldenNames(golden: Map<string, LoadedTensor>, prefix: string): string[] {
  return [...golden.keys()].filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length));
}

/** Largest |actual − expected| must be ≤ tol; the message names the tensor and the worst index. */
export function expectClose(name: string, actual: ArrayLike<number>, expected: LoadedTensor, tol: number): void {
  expect(actual.length, `${name}: element count`).toBe(expected.data.length);
  let worst = 0;
  let at = -1;
  for (let i = 0; i < actual.length; i++) {
    const d = Math.abs(actual[i] - expected.data[i]);
    if (!(d <= worst)) {
      worst = d;
      at = i;
    }
  }
  expect(worst, `${name}: max |diff| ${worst} at ${at} (got ${actual[at]}, want ${expected.data[at]}), tol ${tol}`).toBeLessThanOrEqual(tol);
}

/** Fixture README: gradients within 1e-3 of the tensor's largest magnitude, or 1e-7. */
export function gradTolerance(expected: LoadedTensor): number {
  let m = 0;
  for (let i = 0; i < expected.data.length; i++) m = Math.max(m, Math.abs(expected.data[i]));
  return Math.max(1e-3 * m, 1e-7);
}

export const OUTPUT_TOL = 2e-4;
export const PARAM_TOL = 5e-5;
