/**
 * Keeps tfjs-backend-webgpu's matmuls deterministic: 4.22 runs a matmul as MatMulSplitKProgram,
 * which adds partial sums into the output with atomics (the order varies run to run), when
 * (kernels/BatchMatMul_impl.js, WEBGPU_MATMUL_PROGRAM_TYPE unset, i.e. -1):
 *   batch = 1, inner K ≥ 2000, output M·N > 128, and few 32×32 tiles:
 *   ⌈M/32⌉·⌈N/32⌉ ≤ T, or M ≤ 8 and ⌈M/32⌉·⌈N/32⌉ ≤ 2T,
 *   T = WEBGPU_THRESHOLD_TO_INCREASE_WORKGROUPS_FOR_MATMUL if > 0, else the backend's
 *   thresholdToIncreaseWorkgroups (16 on Intel GPUs of generation ≥ 12, else 8; 8 on SwiftShader).
 * In training, K = B·S is the inner dimension of every weight gradient of a dense layer on tokens
 * (dW = dYᵀ·X, [out, in]); once B·S ≥ 2000 this hits
 *   qa_outputs [2, H] (span head) for H ≤ 512 (M = 2 ≤ 8: up to 16 tiles),
 *   LoRA A [r, in] (r ≤ 8) and B [out, r] for out ≤ 256,
 *   [H, H] layers for H ≤ 128 on Intel gen ≥ 12 (16 tiles);
 * not the classifier on the pooled output (K = B), the MLM decoder ([V, H]: many tiles), nor
 * any forward matmul or input gradient of the model (N or M is B·S: many tiles).
 * Those matmuls (and only those) run with the flag set, for that call only, to the program tfjs
 * itself uses in that regime when batch > 1, both with a fixed summation order:
 *   M·N ≤ 1024: MatMulReduceProgram (one workgroup of 256 per output, strided partial sums and a
 *     tree; e.g. qa_outputs of BERT-Tiny: 256 workgroups, 2·M·N·K reads);
 *   larger: MatMulSmallOutputSizeProgram (16×8 outputs per workgroup, K in 16-wide tiles).
 * Every other matmul keeps tfjs's choice.
 */
import * as tf from '@tensorflow/tfjs-core';
import { fewMatMulWorkgroups, matMulDims, matMulProgramForced, PROGRAM_FLAG, workgroupThreshold, type MatMulArgs } from './matmul-selection';

/** tfjs-backend-webgpu's MatMulProgramType (webgpu_util.js). */
const REDUCE = 0;
const SMALL_OUTPUT = 2;

/**
 * The program tfjs 4.22 would run this matmul with if it would be split-K, else undefined.
 * `threshold` is T of the few-workgroups test (matmul-selection.ts workgroupThreshold).
 */
export function deterministicProgramFor(args: MatMulArgs, threshold: number): number | undefined {
  if (matMulProgramForced()) return undefined; // a program forced by the user: tfjs's own choice
  const [batch, M, N, K] = matMulDims(args);
  const splitK = fewMatMulWorkgroups(batch, M, N, threshold) && batch * M * N > 128 && batch === 1 && K >= 2000;
  if (!splitK) return undefined;
  return M * N <= 1024 ? REDUCE : SMALL_OUTPUT;
}

/** Runs `run` with tfjs's matmul program flag set to `program` (restored afterwards). */
export function withMatMulProgram<T>(program: number, run: () => T): T {
  const env = tf.env();
  const before = env.getNumber(PROGRAM_FLAG);
  env.set(PROGRAM_FLAG, program);
  try {
    return run();
  } finally {
    env.set(PROGRAM_FLAG, before);
  }
}

/** `kernel` (BatchMatMul or _FusedMatMul of webgpu) with its split-K cases rerouted as above. */
export function withoutSplitK(kernel: tf.KernelConfig): tf.KernelConfig {
  return {
    ...kernel,
    kernelFunc: (args) => {
      const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
      const { transposeA, transposeB } = args.attrs as unknown as { transposeA: boolean; transposeB: boolean };
      const program = deterministicProgramFor({ a, b, transposeA, transposeB }, workgroupThreshold(args.backend));
      return program === undefined ? kernel.kernelFunc(args) : withMatMulProgram(program, () => kernel.kernelFunc(args));
    },
  };
}
