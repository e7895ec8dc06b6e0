/**
 * tfjs's Transpose by the identity permutation returned as a view of its input (same data, one
 * more reference), as tfjs's Identity kernel does, instead of a copy. tfjs's gather gradient
 * transposes by the identity for axis 0: the whole [V, H] word-embedding gradient and its
 * [B·S, H] values, every step (149 ms of a tiny step at load ~10 on SwiftShader, 4 dispatches).
 * Any other permutation goes to tfjs's Transpose unchanged. No program of our own; on WASM/CPU
 * nothing is wrapped. Parity: e2e/kernels-train.spec.ts (the identity transpose bit for bit).
 */
import type * as tf from '@tensorflow/tfjs-core';

/** The parts of tfjs-backend-webgpu's backend used here (reference counts of shared data). */
interface RefCounting {
  incRef(dataId: unknown): void;
}

/** tfjs's Transpose with the identity permutation returned as a view (no copy); any other permutation unchanged. */
export function withoutIdentityTranspose(transpose: tf.KernelConfig): tf.KernelConfig {
  return {
    ...transpose,
    kernelFunc: (args) => {
      const { x } = args.inputs as { x: tf.TensorInfo };
      const { perm } = args.attrs as unknown as { perm: number[] };
      if (!perm.every((p, i) => p === i)) return transpose.kernelFunc(args);
      (args.backend as unknown as RefCounting).incRef(x.dataId);
      return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
    },
  };
}
