/**
 * The attention's per-head matrix products, reading and writing the heads where the dense
 * layers keep them: no [B, S, N, D] ↔ [B, N, S, D] transposes, forward or backward.
 *
 *   headScores(q, k, B, S, N)       scores[b, n, i, j] = Σ_d q[b·S + i, n·D + d] · k[b·S + j, n·D + d]
 *                                   q, k [B·S, H] -> [B, N, S, S]            (Q·Kᵀ per head)
 *   headContext(p, v, B, S, N)      ctx[b·S + i, n·D + d] = Σ_j p[b, n, i, j] · v[b·S + j, n·D + d]
 *                                   p [B, N, S, S], v [B·S, H] -> [B·S, H]   (P·V per head, heads merged)
 *   gradients (the same three products): d(scores form) q: dS·K, k: dSᵀ·Q;
 *                                        d(context form) p: dC·Vᵀ (scores form), v: Pᵀ·dC
 *   headScoresComposed / headContextComposed: reshape, transpose, batchMatMul with tfjs ops
 *   (WASM/CPU, longer heads, and the parity reference).
 *
 * The three forms ("scores" heads×headsᵀ -> scores, "apply" scores×heads -> heads, "applyT"
 * scoresᵀ×heads -> heads) are Tabtune's tiled matmul program (matmul-tiled.ts) with g = (b, n)
 * as its two batch levels: every operand is addressed as base + b·s_b + n·s_n + row·s_row + col
 * from its uniforms, each read along its stored rows (kᵀ and pᵀ without a copy). 64×64 output
 * tiles per workgroup of 8×8 threads (8×8 per thread), 16-wide K slices in workgroup memory,
 * vec4 loads when S and D are multiples of 4; edges checked (any S, D). It replaced this file's
 * own 32×32 program (4×4 per thread, scalar loads, 32-wide K slices), which ran these products
 * at 0.2–0.34 GFLOP/s on SwiftShader against 0.7 for a 1024² matmul.
 * Registered as the tfjs kernels TabtuneHeadScores / TabtuneHeadApply / TabtuneHeadApplyT
 * (the bench counts them as matmuls, with 2·B·N·M·N'·K FLOPs).
 * Glossary: B batch, S sequence length, H hidden size, N heads, D head size (H/N).
 */
import * as tf from '@tensorflow/tfjs-core';
import { runProgram, useModelKernels } from './run-program';
import { fitsOneDispatch } from './matmul-selection';
import { tiledMatMulProgram, tiledMatMulUniforms, type TiledDims } from './matmul-tiled';

type Form = 'scores' | 'apply' | 'applyT';

const NAMES: Record<Form, string> = { scores: 'TabtuneHeadScores', apply: 'TabtuneHeadApply', applyT: 'TabtuneHeadApplyT' };

function run(form: Form, lhs: tf.Tensor, rhs: tf.Tensor, B: number, S: number, N: number, H: number): tf.Tensor {
  const D = H / N;
  // Strides [per batch b, per head n, of the non-contiguous axis] of each operand (matmul-tiled.ts).
  const heads: [number, number, number] = [S * H, D, H]; // [B·S, H]: row b·S + s, columns n·D + d
  const scores: [number, number, number] = [N * S * S, S * S, S]; // [B, N, S, S]
  // scores: q·kᵀ (A = q along d, B = kᵀ: k read along d) -> scores; M = S, N' = S, K = D.
  // apply:  p·v (A = p along j, B = v along d) -> heads; M = S, N' = D, K = S.
  // applyT: pᵀ·v (A = pᵀ: p read along i) -> heads.
  const dims: TiledDims =
    form === 'scores'
      ? { batch: B * N, G2: N, M: S, N: S, K: D, a: heads, b: heads, c: scores }
      : { batch: B * N, G2: N, M: S, N: D, K: S, a: scores, b: heads, c: heads };
  const layout = { aAlongK: form !== 'applyT', bAlongK: form === 'scores' };
  const shape = form === 'scores' ? [B, N, S, S] : [B * S, H];
  return runProgram(tiledMatMulProgram(shape, dims, layout, false), [lhs, rhs], tiledMatMulUniforms(dims), NAMES[form]);
}

/** The WebGPU programs, exported for the parity test. */
export const headMatMulWebGPU = {
  scores: (q: tf.Tensor2D, k: tf.Tensor2D, B: number, S: number, N: number) => run('scores', q, k, B, S, N, q.shape[1]) as tf.Tensor4D,
  apply: (p: tf.Tensor4D, v: tf.Tensor2D, B: number, S: number, N: number) => run('apply', p, v, B, S, N, v.shape[1]) as tf.Tensor2D,
  applyT: (p: tf.Tensor4D, v: tf.Tensor2D, B: number, S: number, N: number) => run('applyT', p, v, B, S, N, v.shape[1]) as tf.Tensor2D,
};

const toHeads = (t: tf.Tensor2D, B: number, S: number, N: number) => tf.transpose(tf.reshape(t, [B, S, N, t.shape[1] / N]), [0, 2, 1, 3]) as tf.Tensor4D; // [B, N, S, D]

/** Q·Kᵀ per head with tfjs ops: q, k [B·S, H] -> [B, N, S, S]. */
export function headScoresComposed(q: tf.Tensor2D, k: tf.Tensor2D, B: number, S: number, N: number, matmul: (a: tf.Tensor3D, b: tf.Tensor3D, transposeB: boolean) => tf.Tensor3D = (a, b, t) => tf.matMul(a, b, false, t)): tf.Tensor4D {
  const D = q.shape[1] / N;
  const flat = (t: tf.Tensor4D) => tf.reshape(t, [B * N, S, D]) as tf.Tensor3D;
  return tf.reshape(matmul(flat(toHeads(q, B, S, N)), flat(toHeads(k, B, S, N)), true), [B, N, S, S]) as tf.Tensor4D;
}

/** P·V per head, heads merged, with tfjs ops: p [B, N, S, S], v [B·S, H] -> [B·S, H]. */
export function headContextComposed(p: tf.Tensor4D, v: tf.Tensor2D, B: number, S: number, N: number, matmul: (a: tf.Tensor3D, b: tf.Tensor3D, transposeB: boolean) => tf.Tensor3D = (a, b, t) => tf.matMul(a, b, false, t)): tf.Tensor2D {
  const H = v.shape[1];
  const D = H / N;
  const ctx = tf.reshape(matmul(tf.reshape(p, [B * N, S, S]) as tf.Tensor3D, tf.reshape(toHeads(v, B, S, N), [B * N, S, D]) as tf.Tensor3D, false), [B, N, S, D]); // [B, N, S, D]
  return tf.reshape(tf.transpose(ctx, [0, 2, 1, 3]), [B * S, H]) as tf.Tensor2D; // [B·S, H]
}

/** Q·Kᵀ per head: the strided kernel on WebGPU (forward and gradient), composed elsewhere. */
export function headScores(q: tf.Tensor2D, k: tf.Tensor2D, B: number, S: number, N: number, composedMatmul?: (a: tf.Tensor3D, b: tf.Tensor3D, transposeB: boolean) => tf.Tensor3D): tf.Tensor4D {
  if (!useModelKernels() || !fitsOneDispatch(B * N, S, S)) return headScoresComposed(q, k, B, S, N, composedMatmul);
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [qt, kt, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.GradSaveFunc];
    save([qt, kt]);
    return {
      value: headMatMulWebGPU.scores(qt, kt, B, S, N),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sq, sk] = saved as tf.Tensor2D[];
        const ds = dy as tf.Tensor4D; // [B, N, S, S]
        return [headMatMulWebGPU.apply(ds, sk, B, S, N), headMatMulWebGPU.applyT(ds, sq, B, S, N)]; // dQ = dS·K, dK = dSᵀ·Q
      },
    };
  });
  return f(q, k) as tf.Tensor4D;
}

/** P·V per head with the heads merged back into [B·S, H]: the strided kernel on WebGPU, composed elsewhere. */
export function headContext(p: tf.Tensor4D, v: tf.Tensor2D, B: number, S: number, N: number, composedMatmul?: (a: tf.Tensor3D, b: tf.Tensor3D, transposeB: boolean) => tf.Tensor3D): tf.Tensor2D {
  if (!useModelKernels() || !fitsOneDispatch(B * N, S, S)) return headContextComposed(p, v, B, S, N, composedMatmul);
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [pt, vt, save] = args as [tf.Tensor4D, tf.Tensor2D, tf.GradSaveFunc];
    save([pt, vt]);
    return {
      value: headMatMulWebGPU.apply(pt, vt, B, S, N),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sp, sv] = saved as [tf.Tensor4D, tf.Tensor2D];
        const dc = dy as tf.Tensor2D; // [B·S, H]
        return [headMatMulWebGPU.scores(dc, sv, B, S, N), headMatMulWebGPU.applyT(sp, dc, B, S, N)]; // dP = dC·Vᵀ, dV = Pᵀ·dC
      },
    };
  });
  return f(p, v) as tf.Tensor2D;
}
