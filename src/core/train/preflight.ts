/**
 * Pre-flight memory check: does a training run (model config, batch, sequence length) fit the
 * device, with the numbers.
 *
 *   const limits = (await initBackend()).limits;                 // WebGPU device limits
 *   const measured = await measureStepMemory(model, makeBatch);  // one real forward+backward at B = 1 and 2
 *   const r = preflight({ config, numLabels, batchSize, seqLength, limits, measured, budgetBytes });
 *   r.fits, r.peakBytes, r.problems  ->  the form shows them and refuses a run that cannot fit
 *
 * Peak memory of a step = what lives before it (weights, Adam's m and v, the optimizer's own
 * buffers) + the step's own peak (activations kept for the backward pass, gradients,
 * temporaries). The step's peak is measured, not guessed: tf.profile's peakBytes (tf.memory()
 * after every kernel) of a real forward + backward of the model at batch 1 and batch 2 at the
 * run's sequence length gives fixed + per-example bytes, extrapolated linearly in B (every
 * activation of BERT is linear in B at a fixed S). Without a measurement (no model yet) the
 * step is estimated from the tensor shapes BERT keeps for its backward pass, and the result
 * says so (basis 'estimated').
 *
 * Hard limits, from the adapter (WebGPU; tfjs never splits a tensor across buffers):
 *   every tensor ≤ maxStorageBufferBindingSize and ≤ maxBufferSize. The largest tensors are
 *   named with their shapes: the word embeddings [V, H] (and their gradient, m and v), the
 *   attention scores [B·N, S, S], the intermediate activations [B·S, I].
 * Budget (optional): the device memory the run may use; WebGPU does not report it, so the
 * caller passes what it knows (e.g. a user setting); without it only the hard limits decide.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { GpuLimits } from '../backend/init';
import type { BertConfig } from '../model/config';
import type { BertBatch, BertModel } from '../model/types';
import { NORM_PARTIALS, SCALARS_SIZE, STATE_SIZE } from '../kernels/global-norm';
import type { MemoryCheck, MemoryLimit } from '../settings/validate';

const F32 = 4;

export interface MeasuredStep {
  seqLength: number;
  /** Bytes alive before the step (tf.memory().numBytes: weights and anything else held). */
  baseBytes: number;
  /** Step peak above baseBytes at batch 1 and at batch 2 (forward + backward, gradients alive). */
  stepPeakBytes: [number, number];
}

export interface PreflightRequest {
  config: BertConfig;
  /** Head outputs: labels for classification, 1 for regression, 2 for spans. */
  numLabels: number;
  batchSize: number;
  seqLength: number;
  /** WebGPU device limits (initBackend().limits); absent on WASM / CPU. */
  limits?: GpuLimits;
  /** A real step's memory at this sequence length (measureStepMemory). */
  measured?: MeasuredStep;
  /** Device memory the run may use, when known. */
  budgetBytes?: number;
  /** Optimizer update path: 'kernels' needs no temporaries, 'composed' up to 3 copies of the largest tensor. */
  optimizerPath?: 'kernels' | 'composed';
}

export interface TensorSize {
  name: string;
  shape: number[];
  bytes: number;
}

export interface PreflightResult {
  fits: boolean;
  /** 'measured' when the step's peak comes from measureStepMemory, else 'estimated'. */
  basis: 'measured' | 'estimated';
  /** Predicted peak bytes of one training step at the requested batch. */
  peakBytes: number;
  parts: {
    /** Model weights (all variables). */
    weightsBytes: number;
    /** Adam's m and v plus the optimizer's device buffers. */
    optimizerBytes: number;
    /** The step's own peak: activations, gradients, temporaries. */
    stepBytes: number;
  };
  /** The largest single tensors of the run, largest first. */
  largest: TensorSize[];
  limits?: GpuLimits;
  budgetBytes?: number;
  /** One sentence per problem, with the numbers; empty when it fits. */
  problems: string[];
  /** One line for the form. */
  summary: string;
}

/** Parameter count of the model (encoder, pooler, head). */
export function parameterCount(c: BertConfig, numLabels: number): number {
  const H = c.hiddenSize;
  const I = c.intermediateSize;
  const emb = (c.vocabSize + c.maxPositionEmbeddings + c.typeVocabSize) * H + 2 * H;
  const layer = 4 * (H * H + H) + 2 * H + (I * H + I) + (H * I + H) + 2 * H;
  return emb + c.numHiddenLayers * layer + (H * H + H) + (numLabels * H + numLabels);
}

/** The largest tensors a step holds, by shape (exact: these shapes are the model's). */
export function largestTensors(c: BertConfig, B: number, S: number): TensorSize[] {
  const N = c.numAttentionHeads;
  const t = (name: string, shape: number[]): TensorSize => ({ name, shape, bytes: shape.reduce((a, b) => a * b, 1) * F32 });
  return [
    t('word embeddings (and their gradient, Adam m and v)', [c.vocabSize, c.hiddenSize]),
    t('attention scores / probabilities', [B * N, S, S]),
    t('intermediate activations', [B * S, c.intermediateSize]),
    t('hidden states', [B * S, c.hiddenSize]),
  ].sort((a, b) => b.bytes - a.bytes);
}

/**
 * Step bytes from the shapes BERT keeps for its backward pass (used only without a
 * measurement): per layer Q, K, V, context, attention output, two LayerNorm inputs and
 * outputs, three dropout masks ≈ 11·B·S·H; GELU input and output 2·B·S·I; scores,
 * probabilities and their dropout mask 3·B·N·S²; plus the gradients (one per weight) and the
 * embedding gradient's dense [V, H].
 */
export function estimateStepBytes(c: BertConfig, numLabels: number, B: number, S: number): number {
  const H = c.hiddenSize;
  const perLayer = 11 * B * S * H + 2 * B * S * c.intermediateSize + 3 * B * c.numAttentionHeads * S * S;
  return (c.numHiddenLayers * perLayer + 4 * B * S * H) * F32 + parameterCount(c, numLabels) * F32;
}

/** Bytes the optimizer holds: m and v per weight, plus the kernel path's norm partials and scalars. */
export function optimizerBytes(c: BertConfig, numLabels: number): number {
  const numTensors = 5 + 16 * c.numHiddenLayers + 4;
  return 2 * parameterCount(c, numLabels) * F32 + (numTensors * NORM_PARTIALS + STATE_SIZE + SCALARS_SIZE + 1) * F32;
}

/**
 * Measures one real forward + backward of `model` (no update: the weights do not change) at
 * batch 1 and 2: tf.profile's peakBytes above what was alive before. `makeBatch(B)` returns a
 * device batch of the run's sequence length (disposed here).
 */
export async function measureStepMemory(model: BertModel, makeBatch: (batchSize: number) => BertBatch): Promise<MeasuredStep> {
  const vars = [...model.variables.values()];
  const peaks: number[] = [];
  let seqLength = 0;
  const baseBytes = tf.memory().numBytes;
  for (const B of [1, 2]) {
    const batch = makeBatch(B);
    seqLength = batch.inputIds.shape[1];
    const before = tf.memory().numBytes;
    try {
      const info = await tf.profile(async () => {
        const { value, grads } = tf.variableGrads(() => model.loss(batch, { training: true, seed: 0 }), vars);
        await value.data();
        tf.dispose([value, ...Object.values(grads)]);
      });
      peaks.push(Math.max(0, info.peakBytes - before));
    } finally {
      for (const t of Object.values(batch)) (t as tf.Tensor | undefined)?.dispose();
    }
  }
  return { seqLength, baseBytes, stepPeakBytes: [peaks[0], peaks[1]] };
}

const MB = (b: number) => `${(b / 2 ** 20).toFixed(0)} MiB`;

export function preflight(req: PreflightRequest): PreflightResult {
  const { config: c, numLabels, batchSize: B, seqLength: S } = req;
  const weightsBytes = parameterCount(c, numLabels) * F32;
  const optBytes = optimizerBytes(c, numLabels);
  const largest = largestTensors(c, B, S);
  let stepBytes: number;
  let basis: PreflightResult['basis'] = 'estimated';
  const problems: string[] = [];
  if (req.measured && req.measured.seqLength === S) {
    const [p1, p2] = req.measured.stepPeakBytes;
    const perExample = Math.max(0, p2 - p1);
    stepBytes = p1 + (B - 1) * perExample;
    basis = 'measured';
  } else {
    stepBytes = estimateStepBytes(c, numLabels, B, S);
  }
  // The composed update keeps a few temporaries of one group (the word embeddings at most).
  if (req.optimizerPath === 'composed') stepBytes += 3 * c.vocabSize * c.hiddenSize * F32;
  const peakBytes = weightsBytes + optBytes + stepBytes;
  const L = req.limits;
  if (L) {
    for (const t of largest) {
      if (t.bytes > L.maxStorageBufferBindingSize) {
        problems.push(`${t.name} [${t.shape.join(', ')}] need ${MB(t.bytes)} in one buffer; this GPU binds at most ${MB(L.maxStorageBufferBindingSize)} (maxStorageBufferBindingSize)${t.name.startsWith('attention') || t.name.startsWith('intermediate') || t.name.startsWith('hidden') ? ': lower the batch size or the sequence length' : ''}`);
      } else if (t.bytes > L.maxBufferSize) {
        problems.push(`${t.name} [${t.shape.join(', ')}] need ${MB(t.bytes)}; this GPU's largest buffer is ${MB(L.maxBufferSize)} (maxBufferSize)`);
      }
    }
  }
  if (req.budgetBytes !== undefined && peakBytes > req.budgetBytes) {
    problems.push(`a step needs about ${MB(peakBytes)} (weights ${MB(weightsBytes)}, optimizer ${MB(optBytes)}, step ${MB(stepBytes)}, ${basis}) but ${MB(req.budgetBytes)} are available: lower the batch size or the sequence length`);
  }
  const fits = problems.length === 0;
  const summary = `${fits ? 'fits' : 'does not fit'}: about ${MB(peakBytes)} per step at batch ${B}, sequence ${S} (weights ${MB(weightsBytes)}, optimizer ${MB(optBytes)}, step ${MB(stepBytes)}, ${basis}); largest tensor ${largest[0].name} ${MB(largest[0].bytes)}${L ? ` of ${MB(L.maxStorageBufferBindingSize)} per binding` : ''}`;
  return { fits, basis, peakBytes, parts: { weightsBytes, optimizerBytes: optBytes, stepBytes }, largest, limits: L, budgetBytes: req.budgetBytes, problems, summary };
}

/** tfjs-backend-wasm's heap maximum (its emscripten getHeapMax(): 4 GiB less one 64 KiB page). */
export const WASM_HEAP_MAX_BYTES = 4294901760;

export interface MemoryCheckRequest {
  config: BertConfig;
  numLabels: number;
  measured: MeasuredStep;
  backend: 'webgpu' | 'webgl' | 'wasm' | 'cpu';
  /** WebGPU device limits (initBackend().limits). */
  limits?: GpuLimits;
  /** Device memory the run may use, when known. */
  budgetBytes?: number;
}

/**
 * The measured step as settings validation takes it (SettingsContext.memory): fixed bytes +
 * bytes per example, and the device's limits: on WebGPU every batch-scaled tensor against one
 * binding (the attention scores [B·N, S, S] and the intermediate activations [B·S, I]); on WASM
 * the step's peak against the WebAssembly heap; a known budget against the peak everywhere.
 */
export function memoryCheck(req: MemoryCheckRequest): MemoryCheck {
  const { config: c, measured: m } = req;
  const S = m.seqLength;
  const [p1, p2] = m.stepPeakBytes;
  const bytesPerExample = Math.max(0, p2 - p1);
  const fixedBytes = parameterCount(c, req.numLabels) * F32 + optimizerBytes(c, req.numLabels) + p1 - bytesPerExample;
  const limits: MemoryLimit[] = [];
  if (req.limits) {
    const per = largestTensors(c, 1, S).filter((t) => !t.name.startsWith('word embeddings'));
    for (const t of per) limits.push({ name: 'this GPU\'s largest storage binding (maxStorageBufferBindingSize)', bytes: req.limits.maxStorageBufferBindingSize, tensor: { name: t.name, bytesPerExample: t.bytes } });
  }
  if (req.backend === 'wasm') limits.push({ name: "the WebAssembly heap's maximum (tfjs-backend-wasm)", bytes: WASM_HEAP_MAX_BYTES });
  if (req.budgetBytes !== undefined) limits.push({ name: 'the memory available', bytes: req.budgetBytes });
  return { seqLength: S, fixedBytes, bytesPerExample, limits };
}
