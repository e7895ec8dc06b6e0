/**
 * Which program runs a BatchMatMul / _FusedMatMul on WebGPU, stated once: tfjs-backend-webgpu
 * 4.22's own selection (kernels/BatchMatMul_impl.js), used by the wrapper that keeps it off
 * split-K (matmul-no-split-k.ts), and the rule that hands tfjs's packed-program cases to
 * Tabtune's tiled program (tiledMatMulApplies below; matmul-tiled.ts). tfjs's selection:
 *   dims       [batch, M, N, K] as batchMatMulImpl derives them from the shapes and transposes;
 *   few tiles  batch·⌈M/32⌉·⌈N/32⌉ ≤ T, or ≤ 2T when M ≤ 8: tfjs then runs its reduce, split-K
 *              or small-output program instead of the packed one;
 *   T          WEBGPU_THRESHOLD_TO_INCREASE_WORKGROUPS_FOR_MATMUL if > 0, else the backend's
 *              thresholdToIncreaseWorkgroups (16 on Intel gen ≥ 12, else 8; 8 on SwiftShader);
 *   forced     WEBGPU_MATMUL_PROGRAM_TYPE ≥ 0: the user chose a program, and tfjs's choice stands.
 */
import * as tf from '@tensorflow/tfjs-core';

export const PROGRAM_FLAG = 'WEBGPU_MATMUL_PROGRAM_TYPE';
const THRESHOLD_FLAG = 'WEBGPU_THRESHOLD_TO_INCREASE_WORKGROUPS_FOR_MATMUL';

export interface MatMulArgs {
  a: tf.TensorInfo;
  b: tf.TensorInfo;
  transposeA: boolean;
  transposeB: boolean;
}

const size = (s: readonly number[]) => s.reduce((x, y) => x * y, 1);

/**
 * The operands' batch sizes [a, b] (values of their leading axes) when the tiled program can
 * take them: equal, or one of them 1 (broadcast); undefined otherwise.
 */
export function tiledBatches(a: tf.TensorInfo, b: tf.TensorInfo): [number, number] | undefined {
  const batchA = size(a.shape.slice(0, -2));
  const batchB = size(b.shape.slice(0, -2));
  return batchA === batchB || batchA === 1 || batchB === 1 ? [batchA, batchB] : undefined;
}

/** The shapes tfjs's batchMatMulImpl derives: [batch, M, N, K]. */
export function matMulDims({ a, b, transposeA, transposeB }: MatMulArgs): [number, number, number, number] {
  const ra = a.shape.length;
  const rb = b.shape.length;
  const M = transposeA ? a.shape[ra - 1] : a.shape[ra - 2];
  const N = transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
  const K = transposeB ? b.shape[rb - 1] : b.shape[rb - 2];
  const batch = Math.max(size(a.shape.slice(0, -2)), size(b.shape.slice(0, -2)));
  return [batch, M, N, K];
}

/** tfjs's "few workgroups" test with T its threshold (8 on SwiftShader). */
export function fewMatMulWorkgroups(batch: number, M: number, N: number, T: number): boolean {
  const tiles = batch * Math.ceil(M / 32) * Math.ceil(N / 32);
  return tiles <= T || (M <= 8 && tiles <= 2 * T);
}

/** True when the user forced a matmul program (tfjs's choice is then left alone). */
export function matMulProgramForced(): boolean {
  return tf.env().getNumber(PROGRAM_FLAG) >= 0;
}

/** T of the few-workgroups test for this kernel call: the flag if set, else the backend's own. */
export function workgroupThreshold(backend: unknown): number {
  const flagT = tf.env().getNumber(THRESHOLD_FLAG);
  return flagT > 0 ? flagT : ((backend as { thresholdToIncreaseWorkgroups?: number }).thresholdToIncreaseWorkgroups ?? 8);
}

/** The parts of a BatchMatMul / _FusedMatMul call that decide whether the tiled program runs it. */
export interface MatMulCall extends MatMulArgs {
  bias?: tf.TensorInfo | null;
  preluActivationWeights?: tf.TensorInfo | null;
  activation?: string | null;
}

/**
 * WebGPU's guaranteed workgroups per dispatch dimension (maxComputeWorkgroupsPerDimension's
 * default): the tiled program puts one product per z and ⌈M/32⌉, ⌈N/32⌉ tiles at most along y, x.
 */
export const MAX_WORKGROUPS_PER_DIMENSION = 65535;

/** True when a tiled product of `batch` × [M, N] fits one dispatch (any tile size). */
export function fitsOneDispatch(batch: number, M: number, N: number): boolean {
  return batch <= MAX_WORKGROUPS_PER_DIMENSION && Math.ceil(M / 32) <= MAX_WORKGROUPS_PER_DIMENSION && Math.ceil(N / 32) <= MAX_WORKGROUPS_PER_DIMENSION;
}

/**
 * Tabtune's tiled program (matmul-tiled.ts) runs a BatchMatMul / _FusedMatMul exactly when tfjs
 * would run its packed program: no program forced and not few tiles (tfjs's own reduce /
 * small-output programs stay, kept off split-K by matmul-no-split-k.ts); float32 operands whose
 * batches are equal or one of them 1; fused: no activation (or linear) and a bias of N values
 * (or none); the product fits one dispatch. Every other matmul keeps tfjs's choice.
 */
export function tiledMatMulApplies(call: MatMulCall, threshold: number): boolean {
  const { a, b, bias, preluActivationWeights, activation } = call;
  if (matMulProgramForced() || a.dtype !== 'float32' || b.dtype !== 'float32' || a.shape.length < 2 || b.shape.length < 2) return false;
  const [batch, M, N] = matMulDims(call);
  if (fewMatMulWorkgroups(batch, M, N, threshold) || !fitsOneDispatch(batch, M, N)) return false;
  if (!tiledBatches(a, b)) return false;
  if (preluActivationWeights || (activation && activation !== 'linear')) return false;
  return !bias || (bias.dtype === 'float32' && size(bias.shape) === N && bias.shape[bias.shape.length - 1] === N);
}
