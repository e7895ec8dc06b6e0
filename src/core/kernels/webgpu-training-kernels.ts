/**
 * Replaces two tfjs-backend-webgpu kernels that training leans on with the WGSL kernels of this
 * folder, for the shapes those handle (everything else goes to tfjs's own kernel):
 *   UnsortedSegmentSum (gradient of every gather: embedding lookups)  -> scatter-add.ts
 *   Sum over leading axes (bias, LayerNorm γ/β, position gradients)   -> column-sum.ts
 * and wraps tfjs's BatchMatMul and _FusedMatMul: the products tfjs would run on its packed
 * program run on Tabtune's tiled program (matmul-tiled.ts: 64 × 64 tiles, operands read in their
 * stored layout, x·Wᵀ without a copy), and those it would run split-K (atomic adds: not
 * bit-reproducible) run with a fixed-order program of tfjs (matmul-no-split-k.ts); the rule is
 * matmul-selection.ts's. tfjs's Transpose by the identity permutation returns a view instead of
 * a copy (transpose-identity.ts).
 * Called by initBackend('webgpu'); idempotent. The replaced kernels keep their names, so
 * tf.profile reports them under UnsortedSegmentSum and Sum.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { WebGPUBackendLike } from './gpu-dispatch';
import { columnSumWebGPU, leadingAxes } from './column-sum';
import { scatterAddApplies, scatterAddWebGPU } from './scatter-add';
import { withoutSplitK } from './matmul-no-split-k';
import { withTiledMatMul } from './matmul-tiled';
import { withoutIdentityTranspose } from './transpose-identity';

let installed = false;
let names: string[] = [];
let swap: ((on: boolean) => void) | undefined;

/**
 * Switches between these kernels (on) and tfjs's own (off) after registerWebGPUTrainingKernels
 * ran: bench/browser-train measures both builds alternately in one page.
 */
export function useWebGPUTrainingKernels(on: boolean): void {
  swap?.(on);
}

/** What registerWebGPUTrainingKernels replaced (empty before it ran). */
export function installedWebGPUKernels(): string[] {
  return [...names];
}

export function registerWebGPUTrainingKernels(): string[] {
  if (installed) return [];
  const seg = tf.getKernel(tf.UnsortedSegmentSum, 'webgpu');
  const sum = tf.getKernel(tf.Sum, 'webgpu');
  if (!seg || !sum) return [];
  const mine: tf.KernelConfig[] = [];
  mine.push({
    ...seg,
    kernelFunc: (args) => {
      const { x, segmentIds } = args.inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
      const { numSegments } = args.attrs as unknown as { numSegments: number };
      if (!scatterAddApplies(x, segmentIds)) return seg.kernelFunc(args);
      return scatterAddWebGPU(args.backend as unknown as WebGPUBackendLike, x, segmentIds, numSegments);
    },
  });
  mine.push({
    ...sum,
    kernelFunc: (args) => {
      const { x } = args.inputs as { x: tf.TensorInfo };
      const { axis, keepDims } = args.attrs as unknown as { axis: number | number[]; keepDims: boolean };
      const j = x.dtype === 'float32' ? leadingAxes(axis, x.shape.length) : 0;
      const cols = x.shape.slice(j).reduce((a, b) => a * b, 1);
      if (j === 0 || cols > 32 * 65535 || x.shape.some((d) => d === 0)) return sum.kernelFunc(args);
      return columnSumWebGPU(args.backend as unknown as WebGPUBackendLike, x, j, keepDims);
    },
  });
  const theirs = [seg, sum];
  const extra: string[] = [];
  const transpose = tf.getKernel(tf.Transpose, 'webgpu');
  for (const name of [tf.BatchMatMul, tf._FusedMatMul]) {
    const mm = tf.getKernel(name, 'webgpu');
    if (!mm) continue;
    theirs.push(mm);
    mine.push(withTiledMatMul(withoutSplitK(mm)));
    extra.push(`${name} (tiled program, no split-K)`);
  }
  if (transpose) {
    theirs.push(transpose);
    mine.push(withoutIdentityTranspose(transpose));
    extra.push(`${tf.Transpose} (identity permutation: a view)`);
  }
  swap = (on) => {
    for (const k of theirs) tf.unregisterKernel(k.kernelName, 'webgpu');
    for (const k of on ? mine : theirs) tf.registerKernel(k);
  };
  swap(true);
  installed = true;
  names = [`${tf.UnsortedSegmentSum} (scatter-add)`, `${tf.Sum} (leading axes: column sum)`, ...extra];
  return [...names];
}
