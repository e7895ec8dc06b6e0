/**
 * Kernels the WASM backend (tfjs 4.22) lacks but BERT training needs, registered for 'wasm'
 * so training never falls back to the slow CPU backend.
 *
 * - UnsortedSegmentSum: the gradient of GatherV2 (embedding lookups). Implemented on the
 *   WASM heap directly: the inputs are typed-array views of the module's memory and the
 *   output is written into a fresh heap tensor (no copies through the CPU backend).
 *
 * - BatchMatMul (replaced): the WASM kernel hands a product to XNNPACK only when both batch
 *   sizes are 1 and nothing is transposed; batched products (attention: [B·N, S, D]) take a
 *   naive loop. The replacement copies each batch slice into its own heap tensor (memcpy) and
 *   runs the original kernel on it, so every slice takes the XNNPACK path; transposed or
 *   broadcast products still go to the original kernel.
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
  disposeData(dataId: unknown): boolean;
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

/** Wraps the original BatchMatMul: one XNNPACK product per batch slice. */
function slicedBatchMatMul(original: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { inputs, backend, attrs } = args;
    const { a, b } = inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const { transposeA, transposeB } = attrs as unknown as { transposeA: boolean; transposeB: boolean };
    const G = a.shape[0];
    if (transposeA || transposeB || a.shape.length !== 3 || b.shape.length !== 3 || G <= 1 || b.shape[0] !== G || a.dtype !== 'float32' || b.dtype !== 'float32') {
      return original(args);
    }
    const w = backend as unknown as WasmBackendLike;
    const [, M, K] = a.shape;
    const N = b.shape[2];
    const out = w.makeOutput([G, M, N], 'float32');
    for (let g = 0; g < G; g++) {
      const ai = w.makeOutput([1, M, K], 'float32');
      const bi = w.makeOutput([1, K, N], 'float32');
      // Heap views are re-read after every allocation: growing WASM memory detaches old views.
      w.typedArrayFromHeap(ai).set(w.typedArrayFromHeap(a).subarray(g * M * K, (g + 1) * M * K));
      w.typedArrayFromHeap(bi).set(w.typedArrayFromHeap(b).subarray(g * K * N, (g + 1) * K * N));
      const oi = original({ inputs: { a: ai, b: bi }, backend, attrs }) as tf.TensorInfo;
      w.typedArrayFromHeap(out).set(w.typedArrayFromHeap(oi), g * M * N);
      w.disposeData(ai.dataId);
      w.disposeData(bi.dataId);
      w.disposeData(oi.dataId);
    }
    return out;
  };
}

const WASM_KERNELS: tf.KernelConfig[] = [
  { kernelName: tf.UnsortedSegmentSum, backendName: 'wasm', kernelFunc: unsortedSegmentSum },
];

let batchMatMulReplaced = false;

/** Registers the missing kernels and the sliced BatchMatMul once (idempotent). */
export function registerWasmTrainingKernels(): string[] {
  const added: string[] = [];
  for (const k of WASM_KERNELS) {
    if (tf.getKernel(k.kernelName, 'wasm') === undefined) {
      tf.registerKernel(k);
      added.push(k.kernelName);
    }
  }
  const bmm = tf.getKernel(tf.BatchMatMul, 'wasm');
  if (bmm && !batchMatMulReplaced) {
    tf.unregisterKernel(tf.BatchMatMul, 'wasm');
    tf.registerKernel({ ...bmm, kernelFunc: slicedBatchMatMul(bmm.kernelFunc) });
    batchMatMulReplaced = true;
    added.push(`${tf.BatchMatMul} (sliced)`);
  }
  return added;
}
