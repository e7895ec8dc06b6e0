/**
 * Bias + GELU kernel: y = gelu(x + b), the intermediate activation of BertIntermediate.
 *
 *   erf form:   gelu(u) = 0.5·u·(1 + erf(u/√2))                        (Hugging Face "gelu")
 *               gelu'(u) = 0.5·(1 + erf(u/√2)) + u·exp(−u²/2)/√(2π)
 *   tanh form:  gelu(u) = 0.5·u·(1 + tanh(√(2/π)·(u + 0.044715·u³)))  (Google "gelu", HF "gelu_new")
 *               gelu'(u) = 0.5·(1 + t) + 0.5·u·(1 − t²)·√(2/π)·(1 + 3·0.044715·u²), t = tanh(...)
 *
 *   biasGelu(x, bias | null, form)          -> y [M, I]
 *   biasGeluComposed(x, bias | null, form)  the same with tfjs ops (WASM/CPU, parity reference)
 *
 * WGSL: elementwise, 64 threads per workgroup. Forward 1 dispatch; backward 1 dispatch for
 * dx = dy·gelu'(x + b) plus the bias gradient Σ_rows dx. erf uses the same Abramowitz–Stegun
 * 7.1.26 formula as tfjs's Erf kernels, tanh the same exp form as tfjs's WebGPU Tanh.
 * Glossary: M rows (B·S), I intermediate size.
 */
import * as tf from '@tensorflow/tfjs-core';
import { flatDispatch, runProgram, useModelKernels, type KernelProgram } from './run-program';

export type GeluForm = 'gelu_erf' | 'gelu_tanh';

const SQRT_HALF = Math.SQRT1_2;
const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
const WG = 64;

/** The GELU of x (+ bias) with tfjs ops, exactly as the model composed it before the kernel. */
export function biasGeluComposed(x: tf.Tensor2D, bias: tf.Tensor | null, form: GeluForm): tf.Tensor2D {
  return tf.tidy(() => {
    const u = bias ? (tf.add(x, bias) as tf.Tensor2D) : x; // [M, I]
    if (form === 'gelu_erf') return tf.mul(tf.mul(u, 0.5), tf.add(1, tf.erf(tf.mul(u, SQRT_HALF)))) as tf.Tensor2D;
    const inner = tf.mul(tf.add(u, tf.mul(tf.mul(tf.mul(u, u), u), 0.044715)), SQRT_2_OVER_PI);
    return tf.mul(tf.mul(u, 0.5), tf.add(1, tf.tanh(inner))) as tf.Tensor2D;
  });
}

const f32 = (v: number) => {
  const s = Math.fround(v).toPrecision(9);
  return s.includes('.') || s.includes('e') ? s : `${s}.0`;
};

const GELU_WGSL = `
  fn erfApprox(a : f32) -> f32 {
    let v = abs(a);
    let t = 1.0 / (1.0 + ${f32(0.3275911)} * v);
    return sign(a) * (1.0 - (((((${f32(1.061405429)} * t + ${f32(-1.453152027)}) * t) + ${f32(1.421413741)}) * t + ${f32(-0.284496736)}) * t + ${f32(0.254829592)}) * t * exp(-v * v));
  }
  fn tanhApprox(a : f32) -> f32 {
    let e2x = exp(-2.0 * abs(a));
    return sign(a) * (1.0 - e2x) / (1.0 + e2x);
  }
  fn geluErf(u : f32) -> f32 { return u * 0.5 * (1.0 + erfApprox(u * ${f32(SQRT_HALF)})); }
  fn geluErfGrad(u : f32) -> f32 {
    return 0.5 * (1.0 + erfApprox(u * ${f32(SQRT_HALF)})) + u * exp(-0.5 * u * u) * ${f32(INV_SQRT_2PI)};
  }
  fn geluTanh(u : f32) -> f32 {
    let inner = (u + u * u * u * ${f32(0.044715)}) * ${f32(SQRT_2_OVER_PI)};
    return u * 0.5 * (1.0 + tanhApprox(inner));
  }
  fn geluTanhGrad(u : f32) -> f32 {
    let t = tanhApprox((u + u * u * u * ${f32(0.044715)}) * ${f32(SQRT_2_OVER_PI)});
    return 0.5 * (1.0 + t) + 0.5 * u * (1.0 - t * t) * ${f32(SQRT_2_OVER_PI)} * (1.0 + ${f32(3 * 0.044715)} * u * u);
  }
`;

function geluProgram(rows: number, cols: number, form: GeluForm, hasBias: boolean, backward: boolean): KernelProgram {
  const fn = form === 'gelu_erf' ? 'geluErf' : 'geluTanh';
  return {
    variableNames: [...(backward ? ['dy'] : []), 'x', ...(hasBias ? ['bias'] : [])],
    outputShape: [rows, cols],
    shaderKey: `tabtuneBiasGelu${backward ? 'Grad' : ''}_${form}${hasBias ? '_bias' : ''}`,
    dispatchLayout: { x: [0, 1] },
    dispatch: flatDispatch(rows * cols, WG),
    workgroupSize: [WG, 1, 1],
    uniforms: 'n : i32, cols : i32,',
    getUserCode: () => `
  ${GELU_WGSL}
  fn main(index : i32) {
    if (index >= uniforms.n) { return; }
    let u = x[index]${hasBias ? ' + bias[index % uniforms.cols]' : ''};
    result[index] = ${backward ? `dy[index] * ${fn}Grad(u)` : `${fn}(u)`};
  }`,
  };
}

/** The WebGPU programs, exported for the parity test. */
export const biasGeluWebGPU = {
  forward(x: tf.Tensor2D, bias: tf.Tensor | null, form: GeluForm): tf.Tensor2D {
    const [rows, cols] = x.shape;
    const u = [{ type: 'int32' as const, data: [rows * cols] }, { type: 'int32' as const, data: [cols] }];
    return runProgram(geluProgram(rows, cols, form, !!bias, false), bias ? [x, bias] : [x], u) as tf.Tensor2D;
  },
  /** dy·gelu'(x + b) [M, I]. */
  backward(dy: tf.Tensor2D, x: tf.Tensor2D, bias: tf.Tensor | null, form: GeluForm): tf.Tensor2D {
    const [rows, cols] = x.shape;
    const u = [{ type: 'int32' as const, data: [rows * cols] }, { type: 'int32' as const, data: [cols] }];
    return runProgram(geluProgram(rows, cols, form, !!bias, true), bias ? [dy, x, bias] : [dy, x], u) as tf.Tensor2D;
  },
};

/** gelu(x + bias): the WGSL kernel on WebGPU, composed ops elsewhere. */
export function biasGelu(x: tf.Tensor2D, bias: tf.Tensor | null, form: GeluForm): tf.Tensor2D {
  if (!useModelKernels()) return biasGeluComposed(x, bias, form);
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const save = args[args.length - 1] as tf.GradSaveFunc;
    const xt = args[0] as tf.Tensor2D;
    const bt = bias ? (args[1] as tf.Tensor) : null;
    save(bt ? [xt, bt] : [xt]);
    return {
      value: biasGeluWebGPU.forward(xt, bt, form),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const dx = biasGeluWebGPU.backward(dy as tf.Tensor2D, saved[0] as tf.Tensor2D, bt ? saved[1] : null, form); // [M, I]
        return bt ? [dx, tf.sum(dx, 0)] : [dx];
      },
    };
  });
  return (bias ? f(x, bias) : f(x)) as tf.Tensor2D;
}
