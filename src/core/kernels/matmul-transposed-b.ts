/**
 * Steers tfjs-backend-webgpu 4.22's matmul onto its vec4 program when B is transposed, and
 * drops the copy of an identity Transpose: two choices of tfjs's program, no WGSL of our own.
 *
 * The dense layers keep their weights as Hugging Face stores them, W [out, in], so every forward
 * product is x·Wᵀ: a BatchMatMul / _FusedMatMul with transposeB. tfjs runs a matmul on its vec4
 * program (MatMulPackedProgram with isVec4: 4 consecutive values per load, fma on vec4) only
 * when B is not transposed (matmul_packed_webgpu.js: `isVec4 = ... && !transposeB`, with the
 * inner size K and the output width N multiples of 4); with transposeB it reads B value by
 * value in the scalar program. Measured on SwiftShader (scratch page, load ~10, per product):
 *   [1024,128]·[512,128]ᵀ   scalar 1325 ms   Wᵀ copied + vec4 1088 ms
 *   [1024,512]·[128,512]ᵀ   scalar 1688 ms   Wᵀ copied + vec4  451 ms
 *   [1024,128]·[128,128]ᵀ   scalar  410 ms   Wᵀ copied + vec4  369 ms
 * So when tfjs would run the packed program (not one of its few-workgroup programs) with
 * transposeB, K and N multiples of 4 and no transposeA, the wrapped kernel first writes Bᵀ
 * ([.., N, K] -> [.., K, N], the weight: N·K values against the product's 2·M·N·K FLOPs) and
 * runs the untransposed product. The copy uses tfjs's generic TransposeProgram (B viewed as
 * [batch, N, K], permutation [0, 2, 1]): tfjs's 2-D [1, 0] transpose is a tiled program whose
 * workgroups synchronise, measured at 68 ms for a [512, 128] weight on SwiftShader against
 * 3.7 ms for the generic one. Gradients are tfjs's own (they are recorded for the op, with
 * transposeB); only the forward kernel changes. The product's value is the same sum in a
 * different program: equal to the scalar program's within float rounding (fma), and
 * deterministic.
 *
 * Transpose with the identity permutation (tfjs's gather gradient transposes by the identity
 * for axis 0: the whole [V, H] word-embedding gradient and its [B·S, H] values each step) is
 * returned as a view of its input, as tfjs's Identity kernel does, instead of a copy.
 *
 * Fallback: none needed (both run tfjs's own programs; on WASM/CPU nothing is wrapped).
 * Parity: e2e/kernels-train.spec.ts (x·Wᵀ against the host's float64 products) and every
 * model test on WebGPU (they run through these kernels).
 */
import * as tf from '@tensorflow/tfjs-core';
import { fewMatMulWorkgroups, matMulDims, matMulProgramForced, workgroupThreshold } from './matmul-selection';

/** The parts of tfjs-backend-webgpu's backend these wrappers use (reference counts of shared data). */
interface RefCounting {
  incRef(dataId: unknown): void;
  disposeData(dataId: unknown): boolean;
}

const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

/** A view of x with another shape (same data, one more reference), as tfjs's Reshape kernel returns. */
function view(backend: RefCounting, x: tf.TensorInfo, shape: number[]): tf.TensorInfo {
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape, dtype: x.dtype };
}

/**
 * True when tfjs 4.22 would run a × bᵀ (transposeB, not transposeA) with its scalar packed
 * program and a × b would be vec4: a program not forced by the user, enough 32×32 tiles (not
 * its reduce / split-K / small-output programs), K and N multiples of 4.
 */
export function transposedBGoesVec4(a: tf.TensorInfo, b: tf.TensorInfo, transposeA: boolean, transposeB: boolean, threshold: number): boolean {
  if (!transposeB || transposeA || a.shape.length < 2 || b.shape.length < 2 || matMulProgramForced()) return false;
  const [batch, M, N, K] = matMulDims({ a, b, transposeA, transposeB });
  return !fewMatMulWorkgroups(batch, M, N, threshold) && K % 4 === 0 && N % 4 === 0;
}

/** `matmul` (BatchMatMul or _FusedMatMul of webgpu) with x·Bᵀ run as Bᵀ copied, then x·(Bᵀ) on the vec4 program. */
export function withVec4TransposedB(matmul: tf.KernelConfig, transpose: tf.KernelConfig): tf.KernelConfig {
  return {
    ...matmul,
    kernelFunc: (args) => {
      const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
      const attrs = args.attrs as unknown as { transposeA: boolean; transposeB: boolean };
      if (!transposedBGoesVec4(a, b, attrs.transposeA, attrs.transposeB, workgroupThreshold(args.backend))) return matmul.kernelFunc(args);
      const backend = args.backend as unknown as RefCounting;
      const outer = b.shape.slice(0, -2);
      const [N, K] = b.shape.slice(-2);
      const b3 = view(backend, b, [size(outer), N, K]); // [batch, N, K]
      const bt3 = transpose.kernelFunc({ inputs: { x: b3 }, backend: args.backend, attrs: { perm: [0, 2, 1] } as unknown as tf.NamedAttrMap }) as tf.TensorInfo; // [batch, K, N]
      const bt = view(backend, bt3, [...outer, K, N]); // [.., K, N]
      try {
        return matmul.kernelFunc({ ...args, inputs: { ...args.inputs, b: bt }, attrs: { ...args.attrs, transposeB: false } as unknown as tf.NamedAttrMap });
      } finally {
        for (const t of [b3, bt3, bt]) backend.disposeData(t.dataId);
      }
    },
  };
}

/** tfjs's Transpose with the identity permutation returned as a view (no copy); any other permutation unchanged. */
export function withoutIdentityTranspose(transpose: tf.KernelConfig): tf.KernelConfig {
  return {
    ...transpose,
    kernelFunc: (args) => {
      const { x } = args.inputs as { x: tf.TensorInfo };
      const { perm } = args.attrs as unknown as { perm: number[] };
      if (!perm.every((p, i) => p === i)) return transpose.kernelFunc(args);
      return view(args.backend as unknown as RefCounting, x, [...x.shape]);
    },
  };
}
