/**
 * The reference-GPU roofline of a profiled step (bench.ts's `--profile`, old-build-estimate.ts):
 *
 *   roofline(kernels, dispatches, B) -> { flops, bytes, computeMs, stepMs: [lo, hi], seqPerS }
 *
 * kernels: tf.profile's list (name, input and output shapes). Each kernel's FLOPs (matmuls from
 * their shapes via params.ts matmulFlops, Tabtune's per-head products from theirs, other kernels
 * one per output element) and bytes (float32: every input and output once; GatherV2 the gathered
 * rows, UnsortedSegmentSum its zero fill, the fused optimizer its passes) go through
 * max(F/peak, B/bandwidth) of REFERENCE_GPU, summed; + dispatches × the per-dispatch overhead.
 */
import { matmulFlops } from '../../src/core/model';
import { REFERENCE_GPU } from './reference-gpu';

export interface RooflineEstimate {
  /** Summed kernel FLOPs (matmuls from their shapes via params.ts matmulFlops) and bytes moved. */
  flops: number;
  bytes: number;
  /** Σ_k max(F_k / peak, B_k / bandwidth) in ms. */
  computeMs: number;
  /** + dispatches × overhead, for the low and high overhead. */
  stepMs: [number, number];
  seqPerS: [number, number];
}

/** One kernel of tf.profile's list (shapes absent for a missing input). */
export interface ProfiledKernel {
  name: string;
  inputShapes: (number[] | undefined | null)[];
  outputShapes: (number[] | undefined | null)[];
}

/** tfjs's matmuls and Tabtune's per-head products (src/core/kernels/head-matmul.ts). */
export const HEAD_MATMULS = new Set(['TabtuneHeadScores', 'TabtuneHeadApply', 'TabtuneHeadApplyT']);
export const MATMULS = new Set(['BatchMatMul', '_FusedMatMul', ...HEAD_MATMULS]);
const size = (s: number[] | undefined | null) => (s ? s.reduce((a, b) => a * b, 1) : 0);

/** FLOPs and bytes of one profiled kernel (float32; matmul FLOPs from params.ts). */
export function kernelCost(k: ProfiledKernel): { flops: number; bytes: number } {
  const ins = k.inputShapes.map(size);
  const outs = k.outputShapes.map(size);
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  if (HEAD_MATMULS.has(k.name)) {
    // Scores: q, k [B·S, H] -> [B, N, S, S], K = D = H / N. Apply(T): scores [B, N, S, S] · heads [B·S, H] -> [B·S, H], K = S.
    const [a, b] = k.inputShapes as number[][];
    const o = k.outputShapes[0]!;
    const flops = k.name === 'TabtuneHeadScores' ? 2 * outs[0] * (a[1] / o[1]) : 2 * ins[0] * (b[1] / a[1]);
    return { flops, bytes: 4 * (sum(ins) + sum(outs)) };
  }
  if (MATMULS.has(k.name)) return { flops: matmulFlops(k.inputShapes[0]!, k.outputShapes[0]!), bytes: 4 * (sum(ins) + sum(outs)) };
  if (k.name === 'GatherV2') return { flops: 0, bytes: 4 * (2 * sum(outs) + (ins[1] ?? 0)) }; // reads the gathered rows only
  if (k.name === 'UnsortedSegmentSum') return { flops: ins[0], bytes: 4 * (sum(outs) + 3 * ins[0] + ins[1]) }; // zero fill + read + add
  if (k.name === 'TabtuneOptimizerStep') {
    const n = sum(ins.slice(1)); // gradients (input 0 is the loss)
    return { flops: 12 * n, bytes: 4 * (n + 7 * n) }; // norm pass reads g; update reads p, m, v, g and writes p, m, v
  }
  return { flops: sum(outs), bytes: 4 * (sum(ins) + sum(outs)) };
}

export function roofline(kernels: ProfiledKernel[], dispatches: number, B: number): RooflineEstimate {
  let flops = 0;
  let bytes = 0;
  let computeS = 0;
  for (const k of kernels) {
    const c = kernelCost(k);
    flops += c.flops;
    bytes += c.bytes;
    computeS += Math.max(c.flops / REFERENCE_GPU.flops, c.bytes / REFERENCE_GPU.bytesPerS);
  }
  const stepMs = REFERENCE_GPU.dispatchUs.map((us) => computeS * 1000 + (dispatches * us) / 1000) as [number, number];
  return { flops, bytes, computeMs: computeS * 1000, stepMs, seqPerS: stepMs.map((ms) => B / (ms / 1000)) as [number, number] };
}
