/**
 * Which matmuls the tiled program takes (tiledMatMulApplies) and its layout / tile choices:
 * pure shape rules, checked here; the program's values are checked on WebGPU against float64
 * host products (e2e/kernels-train.spec.ts).
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it } from 'vitest';
import { fitsOneDispatch, MAX_WORKGROUPS_PER_DIMENSION, PROGRAM_FLAG, tiledMatMulApplies } from './matmul-selection';
import { batchMatMulDims, tiledTile, tiledVec4 } from './matmul-tiled';

const info = (shape: number[], dtype: tf.DataType = 'float32'): tf.TensorInfo => ({ dataId: {}, shape, dtype });
const T = 8; // SwiftShader's few-workgroups threshold

// tfjs-backend-webgpu registers its flags when it loads in a browser; here the rule's one flag
// is registered with the backend's default (-1: no program forced).
try {
  tf.env().getNumber(PROGRAM_FLAG);
} catch {
  tf.env().registerFlag(PROGRAM_FLAG, () => -1);
}

describe('tiledMatMulApplies', () => {
  afterEach(() => tf.env().reset());

  it('takes the dense layers of a BERT step: x·Wᵀ, dY·W and the weight gradient xᵀ·dY', () => {
    expect(tiledMatMulApplies({ a: info([1024, 128]), b: info([512, 128]), transposeA: false, transposeB: true }, T)).toBe(true);
    expect(tiledMatMulApplies({ a: info([1024, 512]), b: info([512, 128]), transposeA: false, transposeB: false }, T)).toBe(true);
    expect(tiledMatMulApplies({ a: info([1024, 128]), b: info([1024, 512]), transposeA: true, transposeB: false }, T)).toBe(true);
  });

  it('leaves tfjs its few-workgroup programs (the classifier head, a batch of one sentence)', () => {
    expect(tiledMatMulApplies({ a: info([8, 128]), b: info([2, 128]), transposeA: false, transposeB: true }, T)).toBe(false);
    expect(tiledMatMulApplies({ a: info([64, 64]), b: info([64, 64]), transposeA: false, transposeB: false }, T)).toBe(false);
  });

  it('takes float32 only, and batches that are equal or broadcast from one', () => {
    expect(tiledMatMulApplies({ a: info([1024, 128], 'int32'), b: info([128, 128]), transposeA: false, transposeB: false }, T)).toBe(false);
    expect(tiledMatMulApplies({ a: info([4, 256, 64]), b: info([1, 64, 256]), transposeA: false, transposeB: false }, T)).toBe(true);
    expect(tiledMatMulApplies({ a: info([4, 256, 64]), b: info([2, 64, 256]), transposeA: false, transposeB: false }, T)).toBe(false);
  });

  it('fuses a bias of N values but no activation', () => {
    const call = { a: info([1024, 128]), b: info([512, 128]), transposeA: false, transposeB: true };
    expect(tiledMatMulApplies({ ...call, bias: info([512]) }, T)).toBe(true);
    expect(tiledMatMulApplies({ ...call, bias: info([1024, 512]) }, T)).toBe(false);
    expect(tiledMatMulApplies({ ...call, bias: info([512]), activation: 'relu' }, T)).toBe(false);
    expect(tiledMatMulApplies({ ...call, bias: info([512]), activation: 'linear' }, T)).toBe(true);
  });

  it('leaves tfjs\'s choice alone when the user forced a matmul program', () => {
    tf.env().set(PROGRAM_FLAG, 0);
    expect(tiledMatMulApplies({ a: info([1024, 128]), b: info([512, 128]), transposeA: false, transposeB: true }, T)).toBe(false);
  });

  it('leaves a product to tfjs when it would not fit one dispatch', () => {
    expect(fitsOneDispatch(MAX_WORKGROUPS_PER_DIMENSION, 128, 128)).toBe(true);
    expect(fitsOneDispatch(MAX_WORKGROUPS_PER_DIMENSION + 1, 128, 128)).toBe(false);
    expect(fitsOneDispatch(1, 32 * MAX_WORKGROUPS_PER_DIMENSION + 1, 64)).toBe(false);
    expect(tiledMatMulApplies({ a: info([MAX_WORKGROUPS_PER_DIMENSION + 1, 32, 4]), b: info([MAX_WORKGROUPS_PER_DIMENSION + 1, 4, 32]), transposeA: false, transposeB: false }, T)).toBe(false);
  });
});

describe('tiled program layout', () => {
  it('reads x·Wᵀ with W along k and picks vec4 and 64-tiles for BERT-Tiny\'s QKV product', () => {
    const { dims, layout } = batchMatMulDims(info([1024, 128]), info([384, 128]), false, true)!;
    expect(layout).toEqual({ aAlongK: true, bAlongK: true });
    expect(dims).toMatchObject({ batch: 1, M: 1024, N: 384, K: 128 });
    expect(tiledVec4(dims, layout)).toBe(true);
    expect(tiledTile(dims)).toBe(64);
  });

  it('falls back to the scalar variant for odd sizes and to 32-tiles for few output tiles', () => {
    const { dims, layout } = batchMatMulDims(info([130, 1026]), info([1026, 66]), false, false)!;
    expect(tiledVec4(dims, layout)).toBe(false);
    expect(tiledTile(dims)).toBe(32); // ⌈130/64⌉·⌈66/64⌉ = 6 workgroups of 64 × 64
  });

  it('gives a broadcast operand stride 0', () => {
    const { dims } = batchMatMulDims(info([4, 256, 64]), info([64, 256]), false, false)!;
    expect(dims.batch).toBe(4);
    expect(dims.a[1]).toBe(256 * 64);
    expect(dims.b[1]).toBe(0);
  });
});
