/**
 * LayerNorm kernel with the residual add and the dropout before it fused in:
 *
 *   h = dropout(x) + residual        (either part optional)
 *   y = (h − mean(h)) / √(var(h) + eps) · γ + β     (biased variance over the last axis)
 *
 * as torch.nn.LayerNorm and Google's layer_norm compute it, and as BertSelfOutput / BertOutput
 * use it (dense → dropout → + input → LayerNorm).
 *
 *   addLayerNorm(x, residual | null, gamma, beta, eps, key | null)          -> y [M, H]
 *   addLayerNormComposed(...)  the same with tfjs ops (WASM/CPU, and the parity reference)
 *
 * WGSL, one row per workgroup of 64 threads (a thread holds ≤ 32 values of its row in
 * registers, so H ≤ 2048; wider rows run composed):
 *   forward   1 dispatch: y (h recomputed from x, residual and the dropout key)
 *   backward  4 dispatches (+1 with dropout): row stats [M, 2]; dh = rstd·(g − mean(g) − x̂·mean(g·x̂))
 *             with g = dy·γ, one row per workgroup; dγ = Σ_rows dy·x̂ and dβ = Σ_rows dy, 64 columns
 *             × 4 row lanes per workgroup; dx = dropout(dh) under the same key, d(residual) = dh.
 * Glossary: M rows (B·S), H hidden size.
 */
import * as tf from '@tensorflow/tfjs-core';
import { dropout as dropoutKernel, dropoutComposed } from './dropout';
import { DROPOUT_UNIFORMS, PHILOX_WGSL, dropoutUniforms, type DropoutKey } from './philox';
import { WORKGROUP_INDEX, runProgram, useModelKernels, workgroupSumWgsl, type KernelProgram, type UniformData } from './run-program';

const WG = 64;
const MAX_PER_THREAD = 32;
const PARAM_LANES = 4;

export function addLayerNormComposed(x: tf.Tensor2D, residual: tf.Tensor2D | null, gamma: tf.Tensor, beta: tf.Tensor, eps: number, key: DropoutKey | null): tf.Tensor2D {
  return tf.tidy(() => {
    const dropped = key ? dropoutComposed(x, key) : x; // [M, H]
    const h = residual ? tf.add(dropped, residual) : dropped; // [M, H]
    const mean = tf.mean(h, -1, true); // [M, 1]
    const centered = tf.sub(h, mean); // [M, H]
    const variance = tf.mean(tf.square(centered), -1, true); // [M, 1]
    const normed = tf.mul(centered, tf.rsqrt(tf.add(variance, eps))); // [M, H]
    return tf.add(tf.mul(normed, gamma), beta) as tf.Tensor2D; // [M, H]
  });
}

interface Variant {
  residual: boolean;
  drop: boolean;
}

const variantKey = (v: Variant) => `${v.residual ? 'R' : ''}${v.drop ? 'D' : ''}`;

/** WGSL of h at flat index i (x, optional dropout, optional residual). */
function hSnippet(v: Variant): string {
  return `
  fn hAt(i : i32) -> f32 {
    var v = x[i];
    ${v.drop ? 'v = select(0.0, v * uniforms.dropScale, dropKeep(u32(i)));' : ''}
    ${v.residual ? 'v = v + residual[i];' : ''}
    return v;
  }`;
}

const rowUniforms = `rows : i32, cols : i32, eps : f32, ${DROPOUT_UNIFORMS}`;

function rowProgram(name: string, v: Variant, inputs: string[], outputShape: number[], rows: number, body: string): KernelProgram {
  return {
    variableNames: inputs,
    outputShape,
    shaderKey: `tabtuneLayerNorm${name}${variantKey(v)}`,
    dispatchLayout: { x: [0] },
    dispatch: [rows, 1, 1],
    workgroupSize: [WG, 1, 1],
    uniforms: rowUniforms,
    getUserCode: () => `
  ${PHILOX_WGSL}
  ${workgroupSumWgsl(WG)}
  ${hSnippet(v)}
  fn main(index : i32) {
    let row = ${WORKGROUP_INDEX};
    let tid = localIndex;
    let cols = uniforms.cols;
    let valid = row < uniforms.rows;
    let base = select(0, row * cols, valid);
    var hv : array<f32, ${MAX_PER_THREAD}>;
    var s = 0.0;
    var k = 0;
    for (var c = i32(tid); c < cols; c = c + ${WG}) {
      let hval = hAt(base + c);
      hv[k] = hval;
      s = s + hval;
      k = k + 1;
    }
    let mean = workgroupSum2(vec2<f32>(s, 0.0), tid).x / f32(cols);
    var q = 0.0;
    k = 0;
    for (var c = i32(tid); c < cols; c = c + ${WG}) {
      let d = hv[k] - mean;
      q = q + d * d;
      k = k + 1;
    }
    let variance = workgroupSum2(vec2<f32>(q, 0.0), tid).x / f32(cols);
    let rstd = 1.0 / sqrt(variance + uniforms.eps);
    ${body}
  }`,
  };
}

function inputNames(v: Variant, extra: string[]): string[] {
  return ['x', ...(v.residual ? ['residual'] : []), ...extra];
}

function uniformsFor(rows: number, cols: number, eps: number, key: DropoutKey | null): UniformData[] {
  return [
    { type: 'int32', data: [rows] },
    { type: 'int32', data: [cols] },
    { type: 'float32', data: [eps] },
    ...dropoutUniforms(key),
  ];
}

function forwardProgram(v: Variant, rows: number, cols: number): KernelProgram {
  return rowProgram('Forward', v, inputNames(v, ['gamma', 'beta']), [rows, cols], rows, `
    if (valid) {
      k = 0;
      for (var c = i32(tid); c < cols; c = c + ${WG}) {
        result[base + c] = (hv[k] - mean) * rstd * gamma[c] + beta[c];
        k = k + 1;
      }
    }`);
}

function statsProgram(v: Variant, rows: number): KernelProgram {
  return rowProgram('Stats', v, inputNames(v, []), [rows, 2], rows, `
    if (valid && tid == 0u) {
      result[row * 2] = mean;
      result[row * 2 + 1] = rstd;
    }`);
}

/** dh from dy, h's inputs, γ and the saved stats: one row per workgroup. */
function gradInputProgram(v: Variant, rows: number, cols: number): KernelProgram {
  return {
    variableNames: inputNames(v, ['gamma', 'stats', 'dy']),
    outputShape: [rows, cols],
    shaderKey: `tabtuneLayerNormGradInput${variantKey(v)}`,
    dispatchLayout: { x: [0] },
    dispatch: [rows, 1, 1],
    workgroupSize: [WG, 1, 1],
    uniforms: rowUniforms,
    getUserCode: () => `
  ${PHILOX_WGSL}
  ${workgroupSumWgsl(WG)}
  ${hSnippet(v)}
  fn main(index : i32) {
    let row = ${WORKGROUP_INDEX};
    let tid = localIndex;
    let cols = uniforms.cols;
    let valid = row < uniforms.rows;
    let r = select(0, row, valid);
    let base = r * cols;
    let mean = stats[r * 2];
    let rstd = stats[r * 2 + 1];
    var gv : array<f32, ${MAX_PER_THREAD}>;
    var xh : array<f32, ${MAX_PER_THREAD}>;
    var acc = vec2<f32>(0.0, 0.0);
    var k = 0;
    for (var c = i32(tid); c < cols; c = c + ${WG}) {
      let g = dy[base + c] * gamma[c];
      let xhat = (hAt(base + c) - mean) * rstd;
      gv[k] = g;
      xh[k] = xhat;
      acc = acc + vec2<f32>(g, g * xhat);
      k = k + 1;
    }
    let sums = workgroupSum2(acc, tid) / f32(cols);
    if (valid) {
      k = 0;
      for (var c = i32(tid); c < cols; c = c + ${WG}) {
        result[base + c] = rstd * (gv[k] - sums.x - xh[k] * sums.y);
        k = k + 1;
      }
    }
  }`,
  };
}

/** dγ (withXhat) or dβ: column sums over the rows, 64 columns × 4 row lanes per workgroup. */
function gradParamProgram(v: Variant, withXhat: boolean, rows: number, cols: number): KernelProgram {
  return {
    variableNames: withXhat ? inputNames(v, ['stats', 'dy']) : ['dy'],
    outputShape: [cols],
    shaderKey: withXhat ? `tabtuneLayerNormGradGamma${variantKey(v)}` : 'tabtuneLayerNormGradBeta',
    dispatchLayout: { x: [0] },
    dispatch: [Math.ceil(cols / WG), 1, 1],
    workgroupSize: [WG, PARAM_LANES, 1],
    uniforms: rowUniforms,
    getUserCode: () => `
  ${withXhat ? PHILOX_WGSL + hSnippet(v) : ''}
  var<workgroup> lanes : array<f32, ${WG * PARAM_LANES}>;
  fn main(index : i32) {
    let c = i32(workgroupId.x) * ${WG} + i32(localId.x);
    let lane = i32(localId.y);
    let cols = uniforms.cols;
    var acc = 0.0;
    if (c < cols) {
      for (var r = lane; r < uniforms.rows; r = r + ${PARAM_LANES}) {
        let i = r * cols + c;
        ${withXhat ? 'acc = acc + dy[i] * (hAt(i) - stats[r * 2]) * stats[r * 2 + 1];' : 'acc = acc + dy[i];'}
      }
    }
    lanes[localIndex] = acc;
    workgroupBarrier();
    if (lane == 0 && c < cols) {
      var total = 0.0;
      for (var l = 0; l < ${PARAM_LANES}; l = l + 1) { total = total + lanes[l * ${WG} + i32(localId.x)]; }
      result[c] = total;
    }
  }`,
  };
}

/** The four WebGPU pieces, exported for the parity test. */
export const layerNormWebGPU = {
  forward(x: tf.Tensor2D, residual: tf.Tensor2D | null, gamma: tf.Tensor, beta: tf.Tensor, eps: number, key: DropoutKey | null): tf.Tensor2D {
    const [rows, cols] = x.shape;
    const v = { residual: !!residual, drop: !!key };
    const ins = [x, ...(residual ? [residual] : []), gamma, beta];
    return runProgram(forwardProgram(v, rows, cols), ins, uniformsFor(rows, cols, eps, key)) as tf.Tensor2D;
  },
  /** [dx, d(residual) | null, dγ, dβ] for upstream dy. */
  backward(dy: tf.Tensor2D, x: tf.Tensor2D, residual: tf.Tensor2D | null, gamma: tf.Tensor, eps: number, key: DropoutKey | null): [tf.Tensor, tf.Tensor | null, tf.Tensor, tf.Tensor] {
    const [rows, cols] = x.shape;
    const v = { residual: !!residual, drop: !!key };
    const u = uniformsFor(rows, cols, eps, key);
    const h = [x, ...(residual ? [residual] : [])];
    const stats = runProgram(statsProgram(v, rows), h, u); // [M, 2]
    const dh = runProgram(gradInputProgram(v, rows, cols), [...h, gamma, stats, dy], u); // [M, H]
    const dGamma = runProgram(gradParamProgram(v, true, rows, cols), [...h, stats, dy], u); // [H]
    const dBeta = runProgram(gradParamProgram(v, false, rows, cols), [dy], u); // [H]
    stats.dispose();
    const dx = key ? dropoutKernel(dh, key) : dh; // [M, H]
    return [dx, residual ? dh : null, tf.reshape(dGamma, gamma.shape), tf.reshape(dBeta, gamma.shape)];
  },
};

/** LayerNorm(dropout(x) + residual): the WGSL kernel on WebGPU, composed ops elsewhere. */
export function addLayerNorm(x: tf.Tensor2D, residual: tf.Tensor2D | null, gamma: tf.Tensor, beta: tf.Tensor, eps: number, key: DropoutKey | null): tf.Tensor2D {
  if (!useModelKernels() || x.shape[1] > WG * MAX_PER_THREAD) return addLayerNormComposed(x, residual, gamma, beta, eps, key);
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const save = args[args.length - 1] as tf.GradSaveFunc;
    const ts = args.slice(0, -1) as tf.Tensor[];
    const [xt, rt] = [ts[0] as tf.Tensor2D, residual ? (ts[1] as tf.Tensor2D) : null];
    const [g, b] = ts.slice(residual ? 2 : 1) as [tf.Tensor, tf.Tensor];
    save(ts);
    return {
      value: layerNormWebGPU.forward(xt, rt, g, b, eps, key),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const sx = saved[0] as tf.Tensor2D;
        const sr = residual ? (saved[1] as tf.Tensor2D) : null;
        const sg = saved[residual ? 2 : 1];
        const [dx, dr, dg, db] = layerNormWebGPU.backward(dy as tf.Tensor2D, sx, sr, sg, eps, key);
        return dr ? [dx, dr, dg, db] : [dx, dg, db];
      },
    };
  });
  return (residual ? f(x, residual, gamma, beta) : f(x, gamma, beta)) as tf.Tensor2D;
}
