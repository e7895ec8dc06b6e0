/**
 * Dropout kernel: y = x · mask / (1 − rate), the mask drawn by Philox4x32-10 from the call's
 * key (philox.ts): on WebGPU inside the shader (no host RNG, no upload), on WASM/CPU on the
 * host from the same key, so both give the same mask bit for bit. Its gradient is the same
 * dropout of dy (the mask is regenerated from the key, never stored).
 *
 *   dropout(x, key)          -> y   (WGSL on WebGPU, composed elsewhere)
 *   dropoutComposed(x, key)  -> y   (x · host mask: the fallback and the parity reference)
 *
 * WGSL: one thread per 4 consecutive elements (one Philox block), 64 threads per workgroup.
 */
import * as tf from '@tensorflow/tfjs-core';
import { DROPOUT_UNIFORMS, PHILOX_WGSL, dropoutMask, dropoutUniforms, type DropoutKey } from './philox';
import { flatDispatch, runProgram, useModelKernels, type KernelProgram } from './run-program';

const WG = 64;

function dropoutProgram(n: number, shape: number[]): KernelProgram {
  return {
    variableNames: ['x'],
    outputShape: shape,
    shaderKey: 'tabtuneDropout',
    dispatchLayout: { x: shape.map((_, i) => i) },
    dispatch: flatDispatch(Math.ceil(n / 4), WG),
    workgroupSize: [WG, 1, 1],
    uniforms: `n : i32, ${DROPOUT_UNIFORMS}`,
    getUserCode: () => `
  ${PHILOX_WGSL}
  fn main(index : i32) {
    let block = u32(index);
    let base = index * 4;
    if (base >= uniforms.n) { return; }
    let words = dropBlock(block);
    for (var w = 0; w < 4; w = w + 1) {
      let i = base + w;
      if (i < uniforms.n) {
        result[i] = select(0.0, x[i] * uniforms.dropScale, words[w] >= uniforms.dropThreshold);
      }
    }
  }`,
  };
}

function dropoutWebGPU(x: tf.Tensor, key: DropoutKey): tf.Tensor {
  const n = x.size;
  return runProgram(dropoutProgram(n, x.shape), [x], [{ type: 'int32', data: [n] }, ...dropoutUniforms(key)]);
}

export function dropoutComposed<T extends tf.Tensor>(x: T, key: DropoutKey): T {
  return tf.tidy(() => tf.mul(x, tf.tensor(dropoutMask(x.size, key), x.shape, 'float32'))) as T;
}

/** Inverted dropout of x under `key` (forward and gradient on the GPU when on WebGPU). */
export function dropout<T extends tf.Tensor>(x: T, key: DropoutKey): T {
  if (!useModelKernels()) return dropoutComposed(x, key);
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const xt = args[0] as tf.Tensor;
    return { value: dropoutWebGPU(xt, key), gradFunc: (dy: tf.Tensor) => dropoutWebGPU(dy, key) };
  });
  return f(x) as T;
}

/** Exported for the WebGPU parity test: the raw program without the gradient wrapper. */
export { dropoutWebGPU };
