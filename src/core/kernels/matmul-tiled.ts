/**
 * Tabtune's tiled matmul program: a batched product whose operands are read where they are
 * stored, with any of the four transpose layouts, and large output tiles per workgroup.
 *
 *   C[g][m, n] = Σ_k A[g][m, k] · B[g][k, n]  (+ bias[n])
 *   A[g][m, k] at aOff(g) + m·aSm + k·aSk, with aSk = 1 ("A along k": x, dY, scores)
 *                                          or aSm = 1 ("A along m": a transposed operand, Xᵀ, Pᵀ)
 *   B[g][k, n] at bOff(g) + k·bSk + n·bSn, with bSn = 1 ("B along n": W as [in, out], V)
 *                                          or bSk = 1 ("B along k": W as [out, in] for x·Wᵀ, Kᵀ)
 *   C[g][m, n] at cOff(g) + m·cSm + n
 *   off(g) = (g / G2)·s1 + (g % G2)·s2   (two batch levels: [B, N] heads, or one batch, or a
 *                                         broadcast operand with stride 0)
 *
 * Glossary: M, N output rows / columns, K inner size, g batch index (z of the dispatch), G2 the
 * inner batch level, BM × BN the output tile of a workgroup, BK the K slice staged at a time,
 * TM × TN the outputs of one thread.
 *
 * Shapes: any M, N, K ≥ 1 and any batch (one z per product, ≤ 65535). Two variants of the same
 * source: "vec4" when every stored row starts at a multiple of 4 and the contiguous extent of
 * each operand is a multiple of 4 (inputs, output and bias bound as vec4 arrays: one 16-byte
 * load or store per 4 values), else "scalar" (the same tiles, values loaded one by one with
 * their bounds checked).
 *
 * Design. A workgroup of 8 × 8 threads computes a BM × BN = 64 × 64 tile (TM × TN = 8 × 8 per
 * thread, as four 4 × 4 blocks at rows ty·4 and 32 + ty·4, columns tx·4 and 32 + tx·4), or a
 * 32 × 32 tile (4 × 4 per thread) when 64-tiles would leave fewer than TILE64_MIN_WORKGROUPS
 * workgroups (small weight gradients with a long K: a real GPU needs the workgroups more than the
 * reuse). Per K slice of BK = 16 (32 with 32-tiles: 8 KB of workgroup memory either way) both
 * operand tiles are staged in workgroup memory k-major (As[k][m], Bs[k][n], as vec4 of 4 rows /
 * 4 columns), so the inner loop reads one vec4 of A
 * and one of B per 4 × 4 block and issues 16 vec4 fma for 4 vec4 loads (64 multiply-adds per
 * 16 values read; tfjs 4.22's packed program does 16 per 8 with its 4 × 4 per thread and 32 × 32
 * tiles). An operand stored along k (x·Wᵀ's W, Q·Kᵀ's K) is loaded as 4 × 4 blocks of 4 vec4
 * loads and transposed in registers on the way into workgroup memory, so no transposed copy is
 * ever written (tfjs runs such products on its scalar program, or we copied Wᵀ first).
 * Why this is good on a real GPU too: it is the standard register-blocked shared-memory GEMM
 * (larger tiles per workgroup, more outputs per thread, vec4 global and shared loads,
 * conflict-free shared reads: consecutive threads read consecutive vec4s): twice the arithmetic
 * per shared-memory value read and half the barriers per multiply-add of tfjs's 32 × 32
 * program, 8 KB of workgroup memory (room for several workgroups per core), and no extra pass
 * over the weights for x·Wᵀ. Why it matters on SwiftShader (Chromium's CPU WebGPU, where the
 * bench runs): each workgroup runs on one CPU thread, values read from workgroup memory at
 * per-thread addresses cost a load per lane, and barriers switch between the workgroup's
 * invocations; loads and barriers per multiply-add are what this design cuts.
 *
 * The sum over k runs in increasing k for every output (one accumulator), so results are
 * deterministic and equal to a float32 dot product in order, up to fma contraction.
 */
import * as tf from '@tensorflow/tfjs-core';
import { runProgramOn, type KernelProgram, type UniformData } from './run-program';
import { tiledBatches, tiledMatMulApplies, workgroupThreshold } from './matmul-selection';

/** K slice per tile edge: 8 KB of workgroup memory for both operand tiles either way. */
const SLICE = { 64: 16, 32: 32 } as const;
/**
 * Fewer workgroups than this with 64 × 64 tiles: 32 × 32 tiles instead (two workgroups per core
 * of an 8-core laptop GPU; below it only the small weight gradients of BERT-Tiny, where a step
 * on a real GPU is bound by its dispatches anyway).
 */
export const TILE64_MIN_WORKGROUPS = 16;

/** Where an operand's consecutive values run: A along k or m, B along k or n. */
export interface TiledLayout {
  /** A[g][m, k] contiguous along k (else along m). */
  aAlongK: boolean;
  /** B[g][k, n] contiguous along k (else along n). */
  bAlongK: boolean;
}

/** Sizes and strides (in values) of one tiled product; see the header. */
export interface TiledDims {
  batch: number;
  /** Inner batch level (g % G2 selects s2, g / G2 selects s1). */
  G2: number;
  M: number;
  N: number;
  K: number;
  /** [s1, s2, stride of A's non-contiguous axis]. */
  a: [number, number, number];
  b: [number, number, number];
  /** [s1, s2, row stride of C]. */
  c: [number, number, number];
}

/** True when the vec4 variant applies (every row start and contiguous extent a multiple of 4). */
export function tiledVec4(d: TiledDims, layout: TiledLayout): boolean {
  const m4 = (...xs: number[]) => xs.every((x) => x % 4 === 0);
  return m4(...d.a, ...d.b, ...d.c, d.N) && m4(layout.aAlongK ? d.K : d.M) && m4(layout.bAlongK ? d.K : d.N);
}

/** Output tile edge (64 or 32) for these dimensions. */
export function tiledTile(d: Pick<TiledDims, 'batch' | 'M' | 'N'>): 64 | 32 {
  return d.batch * Math.ceil(d.M / 64) * Math.ceil(d.N / 64) >= TILE64_MIN_WORKGROUPS ? 64 : 32;
}

const UNIFORMS = 'M : i32, N : i32, K : i32, G2 : i32, aS1 : i32, aS2 : i32, aSr : i32, bS1 : i32, bS2 : i32, bSr : i32, cS1 : i32, cS2 : i32, cSm : i32,';

/**
 * WGSL of one variant. `v4` binds A, B, bias and the output as vec4 arrays; tile = BM = BN;
 * names of the accumulators: c{r}_{j} = rows r (0..TM−1) of the thread, column block j.
 */
function source(layout: TiledLayout, v4: boolean, tile: 64 | 32, bias: boolean): string {
  const T = tile;
  const BK = SLICE[tile];
  const TQ = T / 4; // vec4 columns of a tile row
  const RB = T / 32; // 4 × 4 blocks per thread in each direction
  const blocks = (T / 4) * (BK / 4); // 4 × 4 blocks of an operand tile
  // One vec4 of 4 consecutive values starting at element `i` (a multiple of 4 in the vec4
  // variant); `inb` the bounds test of the vector, `inbE(e)` of its element e (scalar variant).
  // Out-of-range lanes read a clamped in-range index and are replaced by 0 (no branch). Values
  // are converted to f32: an int32 tensor cast to float32 keeps its int32 buffer in tfjs.
  const load4 = (buf: string, i: string, inb: string, inbE: (e: number) => string) =>
    v4
      ? `select(vec4<f32>(0.0), vec4<f32>(${buf}[min((${i}) >> 2u, ${buf}Last)]), ${inb})`
      : `vec4<f32>(${[0, 1, 2, 3].map((e) => `select(0.0, f32(${buf}[min(${i} + ${e}, ${buf}Last)]), ${inbE(e)})`).join(', ')})`;
  // An operand tile into workgroup memory k-major: A (T rows m × BK k) into As[k][m/4], B (BK k ×
  // T columns n) into Bs[k][n/4]. `x` names the operand's own axis (m for A, n for B), X its size.
  const loadTile = (op: 'A' | 'B', alongK: boolean) => {
    const [x, X, base, sr, dst] = op === 'A' ? ['m', 'M', 'aBase', 'aSr', 'As'] : ['n', 'N', 'bBase', 'bSr', 'Bs'];
    const x0 = `${x}0`;
    return alongK
      ? `
    for (var blk = t; blk < ${blocks}; blk = blk + 64) {
      let xq = blk / ${BK / 4};
      let kq = blk % ${BK / 4};
      let k = k0 + kq * 4;
      var v : array<vec4<f32>, 4>;
      for (var i = 0; i < 4; i = i + 1) {
        let x = ${x0} + xq * 4 + i;
        let at = ${base} + x * uniforms.${sr} + k;
        v[i] = ${load4(op, 'at', `x < uniforms.${X} && k < uniforms.K`, (e) => `x < uniforms.${X} && k + ${e} < uniforms.K`)};
      }
      for (var c = 0; c < 4; c = c + 1) {
        ${dst}[(kq * 4 + c) * ${TQ} + xq] = vec4<f32>(v[0][c], v[1][c], v[2][c], v[3][c]);
      }
    }`
      : `
    for (var q = t; q < ${blocks * 4}; q = q + 64) {
      let xq = q % ${TQ};
      let kk = q / ${TQ};
      let x = ${x0} + xq * 4;
      let k = k0 + kk;
      let at = ${base} + k * uniforms.${sr} + x;
      ${dst}[kk * ${TQ} + xq] = ${load4(op, 'at', `x < uniforms.${X} && k < uniforms.K`, (e) => `x + ${e} < uniforms.${X} && k < uniforms.K`)};
    }`;
  };
  const loadA = loadTile('A', layout.aAlongK);
  const loadB = loadTile('B', layout.bAlongK);
  const acc: string[] = [];
  const fmas: string[] = [];
  const reads: string[] = [];
  for (let i = 0; i < RB; i++) reads.push(`let a${i} = As[kk * ${TQ} + ${i * 8} + ty];`);
  for (let j = 0; j < RB; j++) reads.push(`let b${j} = Bs[kk * ${TQ} + ${j * 8} + tx];`);
  for (let i = 0; i < RB; i++)
    for (let r = 0; r < 4; r++)
      for (let j = 0; j < RB; j++) {
        const name = `c${i * 4 + r}_${j}`;
        acc.push(`var ${name} = vec4<f32>(0.0);`);
        fmas.push(`${name} = fma(vec4<f32>(a${i}.${'xyzw'[r]}), b${j}, ${name});`);
      }
  const writes: string[] = [];
  for (let i = 0; i < RB; i++)
    for (let r = 0; r < 4; r++) {
      writes.push(`{ let m = m0 + ${i * 32} + ty * 4 + ${r};`);
      for (let j = 0; j < RB; j++) writes.push(`  store(m, n0 + ${j * 32} + tx * 4, c${i * 4 + r}_${j});`);
      writes.push('}');
    }
  const storeFn = v4
    ? `
  fn store(m : i32, n : i32, v : vec4<f32>) {
    if (m < uniforms.M && n < uniforms.N) {
      result[(cBase + m * uniforms.cSm + n) >> 2u] = v${bias ? ' + vec4<f32>(bias[n >> 2u])' : ''};
    }
  }`
    : `
  fn store(m : i32, n : i32, v : vec4<f32>) {
    if (m < uniforms.M) {
      for (var e = 0; e < 4; e = e + 1) {
        if (n + e < uniforms.N) { result[cBase + m * uniforms.cSm + n + e] = v[e]${bias ? ' + f32(bias[n + e])' : ''}; }
      }
    }
  }`;
  return `
  var<workgroup> As : array<vec4<f32>, ${BK * TQ}>;
  var<workgroup> Bs : array<vec4<f32>, ${BK * TQ}>;
  var<private> cBase : i32;${storeFn}
  fn main(index : i32) {
    let ALast = i32(arrayLength(&A)) - 1;
    let BLast = i32(arrayLength(&B)) - 1;
    let g = i32(workgroupId.z);
    let g1 = g / uniforms.G2;
    let g2 = g - g1 * uniforms.G2;
    let aBase = g1 * uniforms.aS1 + g2 * uniforms.aS2;
    let bBase = g1 * uniforms.bS1 + g2 * uniforms.bS2;
    cBase = g1 * uniforms.cS1 + g2 * uniforms.cS2;
    let m0 = i32(workgroupId.y) * ${T};
    let n0 = i32(workgroupId.x) * ${T};
    let tx = i32(localId.x);
    let ty = i32(localId.y);
    let t = i32(localIndex);
    ${acc.join('\n    ')}
    for (var k0 = 0; k0 < uniforms.K; k0 = k0 + ${BK}) {${loadA}${loadB}
      workgroupBarrier();
      for (var kk = 0; kk < ${BK}; kk = kk + 1) {
        ${reads.join('\n        ')}
        ${fmas.join('\n        ')}
      }
      workgroupBarrier();
    }
    ${writes.join('\n    ')}
  }`;
}

/** The program for one product (outputShape: the output tensor's shape, any rank, batch·M·N values). */
export function tiledMatMulProgram(outputShape: number[], d: TiledDims, layout: TiledLayout, bias: boolean): KernelProgram {
  const v4 = tiledVec4(d, layout);
  const tile = tiledTile(d);
  const comp = v4 ? 4 : 1;
  return {
    variableNames: bias ? ['A', 'B', 'bias'] : ['A', 'B'],
    variableComponents: bias ? [comp, comp, comp] : [comp, comp],
    outputComponent: comp,
    outputShape,
    shaderKey: `tabtuneMatMulTiled_${layout.aAlongK ? 'ak' : 'am'}${layout.bAlongK ? 'bk' : 'bn'}_${v4 ? 'v4' : 's'}_${tile}${bias ? '_bias' : ''}`,
    dispatchLayout: { x: [0] },
    dispatch: [Math.ceil(d.N / tile), Math.ceil(d.M / tile), d.batch],
    workgroupSize: [8, 8, 1],
    uniforms: UNIFORMS,
    getUserCode: () => source(layout, v4, tile, bias),
  };
}

/** The uniforms of tiledMatMulProgram, in UNIFORMS order. */
export function tiledMatMulUniforms(d: TiledDims): UniformData[] {
  return [d.M, d.N, d.K, d.G2, ...d.a, ...d.b, ...d.c].map((v) => ({ type: 'int32', data: [v] }));
}

/**
 * Dimensions of a [.., M, K] or [.., K, M] (transposeA) times [.., K, N] or [.., N, K]
 * (transposeB) product as tfjs's BatchMatMul takes it: batch = the larger operand batch, the
 * other broadcast when its batch is 1 (stride 0). Undefined when the batches differ otherwise.
 */
export function batchMatMulDims(a: tf.TensorInfo, b: tf.TensorInfo, transposeA: boolean, transposeB: boolean): { dims: TiledDims; layout: TiledLayout } | undefined {
  const ra = a.shape.length;
  const rb = b.shape.length;
  const [a0, a1] = a.shape.slice(ra - 2);
  const [b0, b1] = b.shape.slice(rb - 2);
  const M = transposeA ? a1 : a0;
  const K = transposeA ? a0 : a1;
  const N = transposeB ? b0 : b1;
  const batches = tiledBatches(a, b);
  if (!batches) return undefined;
  const [batchA, batchB] = batches;
  const batch = Math.max(batchA, batchB);
  return {
    layout: { aAlongK: !transposeA, bAlongK: transposeB },
    dims: {
      batch,
      G2: batch,
      M,
      N,
      K,
      a: [0, batchA === 1 ? 0 : M * K, a1],
      b: [0, batchB === 1 ? 0 : K * N, b1],
      c: [0, M * N, N],
    },
  };
}

/**
 * `matmul` (tfjs's BatchMatMul or _FusedMatMul for webgpu) with the products that
 * tiledMatMulApplies selects (matmul-selection.ts) run on the tiled program: the same kernel
 * name, inputs and attributes, so tfjs's gradients (recorded for the op) still apply and
 * tf.profile still reports BatchMatMul / _FusedMatMul. Everything else goes to `matmul`.
 */
export function withTiledMatMul(matmul: tf.KernelConfig): tf.KernelConfig {
  return {
    ...matmul,
    kernelFunc: (args) => {
      const { a, b, bias, preluActivationWeights } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo; bias?: tf.TensorInfo; preluActivationWeights?: tf.TensorInfo };
      const { transposeA, transposeB, activation } = args.attrs as unknown as { transposeA: boolean; transposeB: boolean; activation?: string };
      const call = { a, b, transposeA, transposeB, bias, preluActivationWeights, activation };
      const shaped = tiledMatMulApplies(call, workgroupThreshold(args.backend)) ? batchMatMulDims(a, b, transposeA, transposeB) : undefined;
      if (!shaped) return matmul.kernelFunc(args);
      const { dims, layout } = shaped;
      const outer = tf.broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
      const program = tiledMatMulProgram([...outer, dims.M, dims.N], dims, layout, !!bias);
      return runProgramOn(args.backend, program, bias ? [a, b, bias] : [a, b], tiledMatMulUniforms(dims));
    },
  };
}
