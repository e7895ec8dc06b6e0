/**
 * Browser harness for the model-side WGSL kernels (src/core/kernels), driven by
 * e2e/kernels-model.spec.ts through `window.tabtuneKernels`:
 *
 *   init()                 -> { backend, adapter }
 *   parity()               -> KernelDiff[]: every kernel, forward and gradient, against its
 *                             composed-ops version on the same WebGPU backend, on random inputs
 *                             of several shapes (rows and widths that are not multiples of the
 *                             64-thread workgroup), with and without dropout
 *   maskCheck()            -> the dropout mask drawn in WGSL against the host Philox, bit for bit
 *   countDispatches(B, S)  -> GPU dispatches and queue submits of one BERT-Tiny forward+backward
 *                             (random weights, classification loss, dropout on), kernels on and off
 *   leakCheck()            -> tf.memory().numTensors before and after repeated kernel calls
 *   dropoutDispatches()    -> dispatches of one forward dropout: tf.dropout, composed, kernel
 *   seededAgreement()      -> one seeded training forward+backward (dropout on) on WebGPU with
 *                             the kernels and on WASM with the composed ops: loss and gradients
 *
 * Comparisons run in the page; only the largest differences travel back to the test.
 */
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/core/backend';
import { viteWasmFiles } from '../../src/platform/browser/wasm-files';
import {
  addLayerNorm,
  addLayerNormComposed,
  attentionProbs,
  attentionProbsComposed,
  biasGelu,
  biasGeluComposed,
  dropout,
  dropoutComposed,
  dropoutMask,
  headContext,
  headContextComposed,
  headScores,
  headScoresComposed,
  setModelKernels,
  softmaxCrossEntropy,
  softmaxCrossEntropyComposed,
  useModelKernels,
  type AddLayerNormOptions,
  type DropoutKey,
  type GeluForm,
} from '../../src/core/kernels';
import { createBertModel, disposeBatch, PRESETS, toDeviceBatch } from '../../src/core/model';
import { randomBatch, randomWeights } from '../../bench/common/random-model';

export interface KernelDiff {
  /** kernel / case / tensor, e.g. "layerNorm residual+dropout [77,200] dx". */
  name: string;
  count: number;
  maxAbsDiff: number;
  /** Largest |composed value| of that tensor (the scale the bound is relative to). */
  maxAbs: number;
}

export interface DispatchCount {
  kernels: boolean;
  dispatches: number;
  submits: number;
  /** Dispatches by program (tfjs program class, or the kernel's shaderKey), most first. */
  byProgram: [string, number][];
}

let rngState = 12345;
/** Seeded uniform(−scale, scale) host data (xorshift32): every run sees the same inputs. */
function randomTensor(shape: number[], scale = 1): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    rngState ^= rngState << 13;
    rngState >>>= 0;
    rngState ^= rngState >>> 17;
    rngState ^= rngState << 5;
    rngState >>>= 0;
    data[i] = ((rngState / 4294967296) * 2 - 1) * scale;
  }
  return tf.tensor(data, shape, 'float32');
}

async function diff(name: string, got: tf.Tensor, want: tf.Tensor): Promise<KernelDiff> {
  if (got.shape.join(',') !== want.shape.join(',')) throw new Error(`${name}: shape ${got.shape} vs ${want.shape}`);
  const [g, w] = (await Promise.all([got.data(), want.data()])) as Float32Array[];
  let maxAbsDiff = 0;
  let maxAbs = 0;
  for (let i = 0; i < w.length; i++) {
    const d = Math.abs(g[i] - w[i]);
    maxAbsDiff = Number.isNaN(d) ? Infinity : Math.max(maxAbsDiff, d);
    maxAbs = Math.max(maxAbs, Math.abs(w[i]));
  }
  return { name, count: w.length, maxAbsDiff, maxAbs };
}

/**
 * Forward value and the gradients of Σ(y·w) (w a fixed random weight, so every output element
 * matters) for `kernel` and `composed` on the same inputs.
 */
async function compareWithGrads(name: string, inputs: tf.Tensor[], kernel: (...xs: tf.Tensor[]) => tf.Tensor, composed: (...xs: tf.Tensor[]) => tf.Tensor, gradNames: string[]): Promise<KernelDiff[]> {
  const run = (f: (...xs: tf.Tensor[]) => tf.Tensor, w: tf.Tensor) =>
    tf.tidy(() => {
      const y = f(...inputs);
      const grads = tf.grads((...xs: tf.Tensor[]) => tf.sum(tf.mul(f(...xs), w)))(inputs);
      return [y, ...grads];
    });
  const out: KernelDiff[] = [];
  const probe = tf.tidy(() => kernel(...inputs));
  const w = randomTensor(probe.shape);
  probe.dispose();
  const got = run(kernel, w);
  const want = run(composed, w);
  out.push(await diff(`${name} y`, got[0], want[0]));
  for (let i = 0; i < gradNames.length; i++) out.push(await diff(`${name} ${gradNames[i]}`, got[i + 1], want[i + 1]));
  tf.dispose([...got, ...want, w]);
  return out;
}

const key = (call: number, rate: number): DropoutKey => ({ seed: 0x2545f491, call, rate });

async function parity(): Promise<KernelDiff[]> {
  if (!useModelKernels()) throw new Error(`kernels are not active on backend ${tf.getBackend()}`);
  const diffs: KernelDiff[] = [];

  // Dropout: the kernel with its gradient against x · (host mask).
  for (const shape of [[5, 7], [33, 130], [3, 2, 5, 9]]) {
    const x = randomTensor(shape);
    diffs.push(...(await compareWithGrads(`dropout [${shape}]`, [x], (a) => dropout(a, key(1, 0.1)), (a) => dropoutComposed(a, key(1, 0.1)), ['dx'])));
    x.dispose();
  }

  // LayerNorm: plain, residual, residual + dropout; widths below, at and above 64 threads.
  for (const [M, H] of [[3, 24], [77, 200], [130, 64], [16, 768]]) {
    const x = randomTensor([M, H], 2);
    const res = randomTensor([M, H]);
    const gamma = randomTensor([H]);
    const beta = randomTensor([H]);
    const eps = 1e-12;
    const ln = (o: AddLayerNormOptions) => (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => addLayerNorm(a as tf.Tensor2D, g, b, eps, o);
    const lnC = (o: AddLayerNormOptions) => (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => addLayerNormComposed(a as tf.Tensor2D, g, b, eps, o);
    const lnR = (o: AddLayerNormOptions) => (a: tf.Tensor, r: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => addLayerNorm(a as tf.Tensor2D, g, b, eps, { ...o, residual: r as tf.Tensor2D });
    const lnRC = (o: AddLayerNormOptions) => (a: tf.Tensor, r: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => addLayerNormComposed(a as tf.Tensor2D, g, b, eps, { ...o, residual: r as tf.Tensor2D });
    diffs.push(...(await compareWithGrads(`layerNorm [${M},${H}]`, [x, gamma, beta], ln({}), lnC({}), ['dx', 'dgamma', 'dbeta'])));
    diffs.push(...(await compareWithGrads(`layerNorm residual [${M},${H}]`, [x, res, gamma, beta], lnR({}), lnRC({}), ['dx', 'dresidual', 'dgamma', 'dbeta'])));
    diffs.push(...(await compareWithGrads(`layerNorm residual+dropout [${M},${H}]`, [x, res, gamma, beta], lnR({ dropout: key(2, 0.1) }), lnRC({ dropout: key(2, 0.1) }), ['dx', 'dresidual', 'dgamma', 'dbeta'])));
    // The output form with the dense layer's bias fused in: LayerNorm(dropout(x + bias) + residual).
    const lnB = (f: typeof addLayerNorm) => (a: tf.Tensor, bb: tf.Tensor, r: tf.Tensor, g: tf.Tensor, b: tf.Tensor) =>
      f(a as tf.Tensor2D, g, b, eps, { bias: bb, residual: r as tf.Tensor2D, dropout: key(3, 0.1) });
    const bias = randomTensor([H]);
    diffs.push(...(await compareWithGrads(`layerNorm bias+residual+dropout [${M},${H}]`, [x, bias, res, gamma, beta], lnB(addLayerNorm), lnB(addLayerNormComposed), ['dx', 'dbias', 'dresidual', 'dgamma', 'dbeta'])));
    bias.dispose();
    // The embedding form: dropout(LayerNorm(words + token types + positions[row mod S])).
    let d = 2;
    while (M % d !== 0) d++;
    const S = M / d; // several batches of S rows
    const pos = randomTensor([S, H]);
    const emb = (f: typeof addLayerNorm) => (a: tf.Tensor, r: tf.Tensor, ps: tf.Tensor, g: tf.Tensor, b: tf.Tensor) =>
      f(a as tf.Tensor2D, g, b, eps, { residual: r as tf.Tensor2D, positions: ps as tf.Tensor2D, dropout: key(4, 0.1), dropoutAfter: true });
    diffs.push(...(await compareWithGrads(`layerNorm embeddings+dropout [${M},${H}] S ${S}`, [x, res, pos, gamma, beta], emb(addLayerNorm), emb(addLayerNormComposed), ['dwords', 'dtokenTypes', 'dpositions', 'dgamma', 'dbeta'])));
    // The same with the whole position table passed (3 rows more than S are in use): no slice, zero gradient beyond S.
    const table = randomTensor([S + 3, H]);
    const embT = (f: typeof addLayerNorm) => (a: tf.Tensor, r: tf.Tensor, ps: tf.Tensor, g: tf.Tensor, b: tf.Tensor) =>
      f(a as tf.Tensor2D, g, b, eps, { residual: r as tf.Tensor2D, positions: ps as tf.Tensor2D, seqLen: S, dropout: key(5, 0.1), dropoutAfter: true });
    diffs.push(...(await compareWithGrads(`layerNorm embeddings+dropout [${M},${H}] table ${S + 3} S ${S}`, [x, res, table, gamma, beta], embT(addLayerNorm), embT(addLayerNormComposed), ['dwords', 'dtokenTypes', 'dpositions', 'dgamma', 'dbeta'])));
    table.dispose();
    pos.dispose();
    tf.dispose([x, res, gamma, beta]);
  }

  // Bias + GELU, both forms, with and without the bias.
  for (const [M, I] of [[5, 48], [77, 130], [64, 512]]) {
    const x = randomTensor([M, I], 3);
    const b = randomTensor([I]);
    for (const form of ['gelu_erf', 'gelu_tanh'] as GeluForm[]) {
      diffs.push(...(await compareWithGrads(`biasGelu ${form} [${M},${I}]`, [x, b], (a, c) => biasGelu(a as tf.Tensor2D, c, form), (a, c) => biasGeluComposed(a as tf.Tensor2D, c, form), ['dx', 'dbias'])));
      diffs.push(...(await compareWithGrads(`gelu ${form} [${M},${I}]`, [x], (a) => biasGelu(a as tf.Tensor2D, null, form), (a) => biasGeluComposed(a as tf.Tensor2D, null, form), ['dx'])));
    }
    tf.dispose([x, b]);
  }

  // Attention core: scale, padding mask (−10000), softmax, dropout.
  for (const [B, N, S, D] of [[2, 2, 16, 16], [3, 3, 20, 8], [2, 2, 130, 64]]) {
    const raw = randomTensor([B, N, S, S], 6);
    const keep = new Float32Array(B * S).map((_, i) => (i % S < S - 1 - (Math.floor(i / S) * 3) % S ? 0 : -10000));
    const mask = tf.tensor(keep, [B, 1, 1, S]) as tf.Tensor4D;
    const sqrtD = Math.sqrt(D);
    diffs.push(...(await compareWithGrads(`attention [${B},${N},${S},${S}]`, [raw], (r) => attentionProbs(r as tf.Tensor4D, mask, sqrtD, null), (r) => attentionProbsComposed(r as tf.Tensor4D, mask, sqrtD, null), ['draw'])));
    diffs.push(...(await compareWithGrads(`attention+dropout [${B},${N},${S},${S}]`, [raw], (r) => attentionProbs(r as tf.Tensor4D, mask, sqrtD, key(3, 0.1)), (r) => attentionProbsComposed(r as tf.Tensor4D, mask, sqrtD, key(3, 0.1)), ['draw'])));
    tf.dispose([raw, mask]);
  }
  // The per-head products read in place from [B·S, H] (no transposes): Q·Kᵀ and P·V, both gradients.
  for (const [B, N, S, D] of [[2, 2, 16, 16], [3, 3, 20, 8], [2, 2, 130, 64], [1, 4, 37, 32]]) {
    const q = randomTensor([B * S, N * D]);
    const k = randomTensor([B * S, N * D]);
    const probs = randomTensor([B, N, S, S]);
    diffs.push(...(await compareWithGrads(`headScores [${B * S},${N * D}] N ${N}`, [q, k], (a, b) => headScores(a as tf.Tensor2D, b as tf.Tensor2D, B, S, N), (a, b) => headScoresComposed(a as tf.Tensor2D, b as tf.Tensor2D, B, S, N), ['dq', 'dk'])));
    diffs.push(...(await compareWithGrads(`headContext [${B},${N},${S},${S}]·[${B * S},${N * D}]`, [probs, k], (a, b) => headContext(a as tf.Tensor4D, b as tf.Tensor2D, B, S, N), (a, b) => headContextComposed(a as tf.Tensor4D, b as tf.Tensor2D, B, S, N), ['dprobs', 'dv'])));
    tf.dispose([q, k, probs]);
  }

  // Mean softmax cross-entropy of the classification head (and of the span head's start/end).
  for (const [B, L] of [[8, 2], [5, 3], [70, 130]]) {
    const logits = randomTensor([B, L], 3);
    const labels = tf.tensor1d(Array.from({ length: B }, (_, i) => (i * 7 + 1) % L), 'int32');
    diffs.push(...(await compareWithGrads(`crossEntropy [${B},${L}]`, [logits], (z) => softmaxCrossEntropy(z as tf.Tensor2D, labels), (z) => softmaxCrossEntropyComposed(z as tf.Tensor2D, labels), ['dlogits'])));
    tf.dispose([logits, labels]);
  }

  return diffs;
}

/** The WGSL mask (dropout of ones) against the host Philox mask, element by element. */
async function maskCheck(): Promise<{ n: number; mismatches: number; kept: number; keptExpected: number }> {
  const n = 4 * 1000 + 3;
  const k = key(7, 0.25);
  const ones = tf.ones([n]);
  const y = dropout(ones, k);
  const got = (await y.data()) as Float32Array;
  tf.dispose([ones, y]);
  const want = dropoutMask(n, k);
  let mismatches = 0;
  let kept = 0;
  for (let i = 0; i < n; i++) {
    if (got[i] !== want[i]) mismatches++;
    if (got[i] !== 0) kept++;
  }
  return { n, mismatches, kept, keptExpected: want.filter((v) => v !== 0).length };
}

/** Counts dispatches (by program) and queue submits while `f` runs. */
async function counting(f: () => Promise<void>): Promise<Omit<DispatchCount, 'kernels'>> {
  const backend = tf.backend() as unknown as Record<string, (...a: unknown[]) => unknown>;
  const record = backend.recordAndSubmit;
  const submit = backend.submitQueue;
  let dispatches = 0;
  let submits = 0;
  const byProgram = new Map<string, number>();
  backend.recordAndSubmit = function (this: unknown, ...a: unknown[]) {
    dispatches++;
    const program = a[0] as { constructor: { name: string }; shaderKey: string };
    const name = program.constructor.name === 'Object' ? program.shaderKey.split('_')[0] : program.constructor.name;
    byProgram.set(name, (byProgram.get(name) ?? 0) + 1);
    return record.apply(this, a);
  };
  backend.submitQueue = function (this: unknown, ...a: unknown[]) {
    submits++;
    return submit.apply(this, a);
  };
  try {
    await f();
  } finally {
    backend.recordAndSubmit = record;
    backend.submitQueue = submit;
  }
  return { dispatches, submits, byProgram: [...byProgram].sort((x, y) => y[1] - x[1]) };
}

/** One BERT-Tiny forward+backward (classification loss, dropout on), kernels on then off. */
async function countDispatches(B: number, S: number): Promise<DispatchCount[]> {
  const c = PRESETS.tiny;
  const model = createBertModel(c, randomWeights(c, 1), { kind: 'classification', numLabels: 2, labels: ['0', '1'] });
  const batch = toDeviceBatch(randomBatch(c, B, S, 1));
  const vars = [...model.variables.values()];
  const out: DispatchCount[] = [];
  try {
    for (const kernels of [true, false]) {
      setModelKernels(kernels);
      const pass = async () => {
        const loss = tf.tidy(() => {
          const { value, grads } = tf.variableGrads(() => model.loss(batch, { training: true, seed: 1 }), vars);
          tf.dispose(Object.values(grads));
          return value;
        });
        await loss.data();
        loss.dispose();
      };
      await pass(); // compile
      const n = await counting(pass);
      out.push({ kernels, ...n });
    }
  } finally {
    setModelKernels(true);
    model.dispose();
    disposeBatch(batch);
  }
  return out;
}

/**
 * Dispatches of one forward dropout of a [64, 128] tensor: tfjs's tf.dropout (the model's
 * dropout before these kernels), the composed host-mask version (the kernels-off mode of
 * countDispatches) and the WGSL kernel. With countDispatches this gives the count of the code
 * before the kernels without keeping that code.
 */
async function dropoutDispatches(): Promise<{ tfDropout: number; composed: number; kernel: number }> {
  const x = randomTensor([64, 128]);
  const k = key(1, 0.1);
  const one = async (f: () => tf.Tensor) => {
    const warm = f();
    await warm.data();
    warm.dispose();
    let y: tf.Tensor | undefined;
    const n = await counting(async () => {
      y = f();
      await y.data();
    });
    y?.dispose();
    return n.dispatches;
  };
  const out = {
    tfDropout: await one(() => tf.dropout(x, 0.1, undefined, 1)),
    composed: await one(() => dropoutComposed(x, k)),
    kernel: await one(() => dropout(x, k)),
  };
  x.dispose();
  return out;
}

export interface SeededAgreement {
  /** Loss of the same seeded training forward (dropout on) per backend. */
  loss: Record<'webgpu' | 'wasm', number>;
  /** Largest |Δ| over all gradients, relative to the largest gradient magnitude. */
  gradRelative: number;
  gradients: number;
}

/**
 * The same seeded training forward+backward (dropout on in every block) on WebGPU with the
 * kernels and on WASM with the composed ops and host Philox: a small random BERT (hidden 48,
 * 3 layers, 3 heads, erf GELU), batch 2 of 24 tokens with padding.
 */
async function seededAgreement(): Promise<SeededAgreement> {
  const c = { ...PRESETS.tiny, vocabSize: 1200, hiddenSize: 48, numHiddenLayers: 3, numAttentionHeads: 3, intermediateSize: 96, maxPositionEmbeddings: 32 };
  const weights = randomWeights(c, 3);
  const host = randomBatch(c, 2, 24, 5);
  host.attentionMask = host.attentionMask.map((_, i) => (i % 24 < (i < 24 ? 20 : 13) ? 1 : 0));
  const loss: Record<string, number> = {};
  const grads: Record<string, Float32Array[]> = {};
  for (const name of ['webgpu', 'wasm'] as const) {
    const info = await initBackend(name, { wasmPaths: await viteWasmFiles() });
    if (info.name !== name) throw new Error(`wanted ${name}, got ${info.name}: ${info.fallbacks.map((f) => `${f.name}: ${f.reason}`).join('; ')}`);
    const model = createBertModel(c, weights, { kind: 'classification', numLabels: 2, labels: ['0', '1'] }, { seed: 1 });
    const batch = toDeviceBatch(host);
    const vars = [...model.variables.values()];
    const { value, grads: g } = tf.variableGrads(() => model.loss(batch, { training: true, seed: 11 }), vars);
    loss[name] = (await value.data())[0];
    grads[name] = await Promise.all(vars.map(async (v) => (await g[v.name].data()) as Float32Array));
    tf.dispose([value, ...Object.values(g)]);
    model.dispose();
    disposeBatch(batch);
  }
  await initBackend('webgpu', { wasmPaths: await viteWasmFiles() });
  let maxDiff = 0;
  let maxAbs = 0;
  grads.webgpu.forEach((a, t) => {
    const b = grads.wasm[t];
    for (let i = 0; i < a.length; i++) {
      maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
      maxAbs = Math.max(maxAbs, Math.abs(b[i]));
    }
  });
  return { loss: { webgpu: loss.webgpu, wasm: loss.wasm }, gradRelative: maxDiff / maxAbs, gradients: grads.wasm.length };
}

/** numTensors before and after three rounds of every kernel with its gradient. */
async function leakCheck(): Promise<{ before: number; after: number }> {
  const x = randomTensor([10, 70]);
  const r = randomTensor([10, 70]);
  const g = randomTensor([70]);
  const raw = randomTensor([1, 2, 10, 10]);
  const mask = tf.zeros([1, 1, 1, 10]) as tf.Tensor4D;
  const round = async () => {
    const l = tf.tidy(() => {
      const f = (a: tf.Tensor, rr: tf.Tensor, gg: tf.Tensor, ww: tf.Tensor) =>
        tf.add(
          tf.sum(addLayerNorm(biasGelu(dropout(a, key(1, 0.1)) as tf.Tensor2D, gg, 'gelu_erf'), gg, gg, 1e-12, { residual: rr as tf.Tensor2D, dropout: key(2, 0.1) })),
          tf.sum(attentionProbs(ww as tf.Tensor4D, mask, 2, key(3, 0.1))),
        );
      const gr = tf.grads(f)([x, r, g, raw]);
      return tf.addN(gr.map((t) => tf.sum(t)));
    });
    await l.data();
    l.dispose();
  };
  await round();
  const before = tf.memory().numTensors;
  for (let i = 0; i < 3; i++) await round();
  const after = tf.memory().numTensors;
  tf.dispose([x, r, g, raw, mask]);
  return { before, after };
}

async function init(): Promise<{ backend: string; adapter: string }> {
  const info = await initBackend('webgpu', { wasmPaths: await viteWasmFiles() });
  let adapter = '';
  const a = await (navigator as Partial<Navigator>).gpu?.requestAdapter();
  if (a?.info) adapter = [a.info.vendor, a.info.architecture, a.info.device, a.info.description].join(' / ');
  return { backend: info.name, adapter };
}

export interface KernelsHarness {
  init: typeof init;
  parity: typeof parity;
  maskCheck: typeof maskCheck;
  countDispatches: typeof countDispatches;
  leakCheck: typeof leakCheck;
  dropoutDispatches: typeof dropoutDispatches;
  seededAgreement: typeof seededAgreement;
}

declare global {
  interface Window {
    tabtuneKernels?: KernelsHarness;
  }
}

window.tabtuneKernels = { init, parity, maskCheck, countDispatches, leakCheck, dropoutDispatches, seededAgreement };
document.getElementById('status')!.textContent = 'ready';
