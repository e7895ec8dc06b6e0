/**
 * Kernels the WASM backend (tfjs 4.22) lacks but BERT training needs, registered for 'wasm'
 * so training never falls back to the slow CPU backend.
 *
 * - UnsortedSegmentSum: the gradient of GatherV2 (embedding lookups). Implemented on the
 *   WASM heap directly: the inputs are typed-array views of the module's memory and the
 *   output is written into a fresh heap tensor (no copies through the CPU backend).
 *
 * Every other kernel the model and its gradients use (BatchMatMul, _FusedMatMul, Softmax,
 * Erf, Tanh, GatherV2, OneHot, Select, Step, PadV2, Tile, Transpose, …) is native to the
 * WASM backend; the parity tests run the full forward + backward + optimizer on it.
 */
import * as tf from '@tensorflow/tfjs-core';

interface WasmBackendLike {
  readSync(dataId: unknown): ArrayLike<number>;
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array | Int32Array;
}

const unsortedSegmentSum: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, segmentIds } = inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
  const { numSegments } = attrs as unknown as { numSegments: number };
  const b = backend as unknown as WasmBackendLike;
  const ids = b.readSync(segmentIds.dataId);
  const values = b.readSync(x.dataId);
  const idCount = segmentIds.shape.reduce((p, d) => p * d, 1);
  const inner = x.shape.slice(segmentIds.shape.length).reduce((p, d) => p * d, 1);
  const outShape = [numSegments, ...x.shape.slice(segmentIds.shape.length)];
  const out = b.makeOutput(outShape, x.dtype);
  const o = b.typedArrayFromHeap(out);
  o.fill(0);
  for (let i = 0; i < idCount; i++) {
    const s = ids[i];
    if (s < 0 || s >= numSegments) continue; // TensorFlow drops out-of-range segment ids
    const src = i * inner;
    const dst = s * inner;
    for (let j = 0; j < inner; j++) o[dst + j] += values[src + j];
  }
  return out;
};

const WASM_KERNELS: tf.KernelConfig[] = [
  { kernelName: tf.UnsortedSegmentSum, backendName: 'wasm', kernelFunc: unsortedSegmentSum },
];

/** Registers the missing kernels once (idempotent). */
export function registerWasmTrainingKernels(): string[] {
  const added: string[] = [];
  for (const k of WASM_KERNELS) {
    if (tf.getKernel(k.kernelName, 'wasm') === undefined) {
      tf.registerKernel(k);
      added.push(k.kernelName);
    }
  }
  return added;
}
