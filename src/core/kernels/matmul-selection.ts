/**
 * tfjs-backend-webgpu 4.22's matmul program selection (kernels/BatchMatMul_impl.js), restated
 * once for the two wrappers that steer it (matmul-no-split-k.ts, matmul-transposed-b.ts) and for
 * bench/browser-train/estimate.ts:
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
