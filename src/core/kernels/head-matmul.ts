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
 * One WGSL program, a strided batched matmul C[g] = A[g]·B[g] with g = (b, n): every operand is
 * addressed as base + b·s_b + n·s_n + row·s_row + col·s_col from its uniforms, so the same
 * pipeline runs the three forms ("scores" heads×headsᵀ -> scores, "apply" scores×heads -> heads,
 * "applyT" scoresᵀ×heads -> heads). Tiles of 32×32 outputs per workgroup of 8×8 threads (4×4 per
 * thread), 32-wide K slices staged in workgroup memory; edges checked (any S, D).
 * Registered as the tfjs kernels TabtuneHeadScores / TabtuneHeadApply / TabtuneHeadApplyT
 * (the bench counts them as matmuls, with 2·B·N·M·N'·K FLOPs).
 * Glossary: B batch, S sequence length, H hidden size, N heads, D head size (H/N).
 */
import * as tf from '@tensorflow/tfjs-core';
import { runProgram, useModelKernels, type KernelProgram, type UniformData } from './run-program';

const TILE = 32;

type Form = 'scores' | 'apply' | 'applyT';

const NAMES: Record<Form, string> = { scores: 'tabtuneHeadScores', apply: 'tabtuneHeadApply', applyT: 'tabtuneHeadApplyT' };

const UNIFORMS = 'M : i32, N : i32, K : i32, heads : i32, aSb : i32, aSn : i32, aSi : i32, aSk : i32, bSb : i32, bSn : i32, bSk : i32, bSj : i32, cSb : i32, cSn : i32, cSi : i32, cSj : i32,';

function program(form: Form, outputShape: number[], groups: number, M: number, N: number): KernelProgram {
  return {
    variableNames: ['lhs', 'rhs'],
    outputShape,
    shaderKey: NAMES[form],
    dispatchLayout: { x: [0] },
    dispatch: [Math.ceil(N / TILE), Math.ceil(M / TILE), groups],
    workgroupSize: [8, 8, 1],
    uniforms: UNIFORMS,
    getUserCode: () => `
  var<workgroup> tileA : array<f32, ${TILE * TILE}>;
  var<workgroup> tileB : array<f32, ${TILE * TILE}>;
  fn main(index : i32) {
    let g = i32(workgroupId.z);
    let bI = g / uniforms.heads;
    let nI = g % uniforms.heads;
    let aBase = bI * uniforms.aSb + nI * uniforms.aSn;
    let bBase = bI * uniforms.bSb + nI * uniforms.bSn;
    let cBase = bI * uniforms.cSb + nI * uniforms.cSn;
    let row0 = i32(workgroupId.y) * ${TILE};
    let col0 = i32(workgroupId.x) * ${TILE};
    let tx = i32(localId.x);
    let ty = i32(localId.y);
    var acc : array<f32, 16>;
    for (var k0 = 0; k0 < uniforms.K; k0 = k0 + ${TILE}) {
      for (var l = i32(localIndex); l < ${TILE * TILE}; l = l + 64) {
        let r = l / ${TILE};
        let q = l % ${TILE};
        var av = 0.0;
        if (row0 + r < uniforms.M && k0 + q < uniforms.K) { av = lhs[aBase + (row0 + r) * uniforms.aSi + (k0 + q) * uniforms.aSk]; }
        tileA[l] = av;
        var bv = 0.0;
        if (k0 + r < uniforms.K && col0 + q < uniforms.N) { bv = rhs[bBase + (k0 + r) * uniforms.bSk + (col0 + q) * uniforms.bSj]; }
        tileB[l] = bv;
      }
      workgroupBarrier();
      for (var kk = 0; kk < ${TILE}; kk = kk + 1) {
        let b4 = vec4<f32>(tileB[kk * ${TILE} + tx * 4], tileB[kk * ${TILE} + tx * 4 + 1], tileB[kk * ${TILE} + tx * 4 + 2], tileB[kk * ${TILE} + tx * 4 + 3]);
        for (var i = 0; i < 4; i = i + 1) {
          let a = tileA[(ty * 4 + i) * ${TILE} + kk];
          acc[i * 4] = acc[i * 4] + a * b4.x;
          acc[i * 4 + 1] = acc[i * 4 + 1] + a * b4.y;
          acc[i * 4 + 2] = acc[i * 4 + 2] + a * b4.z;
          acc[i * 4 + 3] = acc[i * 4 + 3] + a * b4.w;
        }
      }
      workgroupBarrier();
    }
    for (var i = 0; i < 4; i = i + 1) {
      let row = row0 + ty * 4 + i;
      for (var j = 0; j < 4; j = j + 1) {
        let col = col0 + tx * 4 + j;
        if (row < uniforms.M && col < uniforms.N) { result[cBase + row * uniforms.cSi + col * uniforms.cSj] = acc[i * 4 + j]; }
      }
    }
  }`,
  };
}

/** [s_b, s_n, s_row, s_col] of a heads matrix [B·S, H] (rows = positions, cols = this head's D) and of scores [B, N, S, S]. */
const headsStrides = (S: number, H: number, D: number, transposed: boolean) => (transposed ? [S * H, D, 1, H] : [S * H, D, H, 1]);
const scoreStrides = (N: number, S: number, transposed: boolean) => (transposed ? [N * S * S, S * S, 1, S] : [N * S * S, S * S, S, 1]);

function run(form: Form, lhs: tf.Tensor, rhs: tf.Tensor, B: number, S: number, N: number, H: number): tf.Tensor {
  const D = H / N;
  // scores: heads · headsᵀ -> scores (M = S, N' = S, K = D); apply: scores · heads -> heads (M = S, N' = D, K = S);
  // applyT: scoresᵀ · heads -> heads.
  const [M, Nn, K] = form === 'scores' ? [S, S, D] : [S, D, S];
  const a = form === 'scores' ? headsStrides(S, H, D, false) : scoreStrides(N, S, form === 'applyT');
  const b = form === 'scores' ? headsStrides(S, H, D, true) : headsStrides(S, H, D, false);
  const c = form === 'scores' ? scoreStrides(N, S, false) : headsStrides(S, H, D, false);
  const u: UniformData[] = [M, Nn, K, N, ...a, ...b, ...c].map((v) => ({ type: 'int32', data: [v] }));
  const shape = form === 'scores' ? [B, N, S, S] : [B * S, H];
  return runProgram(program(form, shape, B * N, M, Nn), [lhs, rhs], u);
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
  if (!useModelKernels()) return headScoresComposed(q, k, B, S, N, composedMatmul);
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
  if (!useModelKernels()) return headContextComposed(p, v, B, S, N, composedMatmul);
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
