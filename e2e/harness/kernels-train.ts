/**
 * Browser harness for the training kernels (src/core/kernels: scatter-add, column-sum, the
 * optimizer's global-norm + Adam kernels), driven by e2e/kernels-train.spec.ts through
 * `window.tabtuneTrainKernels`:
 *
 *   init()              -> backend, limits, which tfjs kernels were replaced
 *   parity()            -> per kernel: largest |kernel − composed fallback| (and the scale)
 *   curve(steps)        -> the losses of the same seeded run (dropout off) on WebGPU and on WASM
 *   resume(cut)         -> a WebGPU run straight vs cancelled at `cut`, checkpointed, resumed
 *
 * The composed references run on the same WebGPU backend from other tfjs ops: oneHot(ids)ᵀ·x
 * for the scatter-add, ones·x for the column sums, the optimizer's composed path (kernels:
 * false) for the update kernels. Inputs come from a fixed xorshift stream (no Math.random).
 */
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, type GpuLimits } from '../../src/core/backend';
import { viteWasmFiles } from '../../src/platform/browser/wasm-files';
import { createBertModel } from '../../src/core/model';
import { disposeBatch, toDeviceBatch } from '../../src/core/model';
import { makeConfig } from '../../src/core/model';
import { encoderParamShapes, poolerParamShapes } from '../../src/core/model';
import type { HostBatch, WeightMap } from '../../src/core/model';
import { createOptimizer } from '../../src/core/train';
import { checkpointName, createMemoryCheckpointStore, deserializeCheckpoint, resolveTrainingConfig, runTraining, type TrainSet } from '../../src/core/train';
import { createTrainer } from '../../src/core/train';
import { DEFAULT_OPTIMIZER, type OptimizerName } from '../../src/core/train';
import { dispatchStats } from '../../src/core/kernels';
import { installedWebGPUKernels } from '../../src/core/kernels';

export interface KernelDiff {
  name: string;
  maxAbsDiff: number;
  /** Largest |reference| (to judge the difference). */
  scale: number;
  count: number;
}

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
}

function randn(shape: number[], seed: number, scale = 1): tf.Tensor {
  const u = rng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Float32Array.from({ length: n }, () => (u() * 2 - 1) * scale), shape);
}

async function diff(name: string, got: tf.Tensor, want: tf.Tensor): Promise<KernelDiff> {
  const [g, w] = [await got.data(), await want.data()];
  if (g.length !== w.length) throw new Error(`${name}: ${g.length} values, reference has ${w.length}`);
  let maxAbsDiff = 0;
  let scale = 0;
  for (let i = 0; i < g.length; i++) {
    if (!Number.isFinite(w[i]) || !Number.isFinite(g[i])) {
      if (!Object.is(g[i], w[i])) maxAbsDiff = Infinity; // NaN only where the reference has NaN, same infinities
      continue;
    }
    maxAbsDiff = Math.max(maxAbsDiff, Math.abs(g[i] - w[i]));
    scale = Math.max(scale, Math.abs(w[i]));
  }
  return { name, maxAbsDiff, scale, count: g.length };
}

interface InitReport {
  backend: string;
  limits?: GpuLimits;
  replaced: string[];
}

async function init(): Promise<InitReport> {
  const info = await initBackend('webgpu', { wasmPaths: await viteWasmFiles() });
  return { backend: info.name, limits: info.limits, replaced: installedWebGPUKernels() };
}

async function parity(): Promise<KernelDiff[]> {
  const out: KernelDiff[] = [];
  // Scatter-add: large tables (chain path) and a 2-row table (owner path); repeated ids, and one
  // id taking 90% of 4096 rows (where atomic adds would race). Each also bit for bit against the
  // host's in-order sum, and run twice (the same bits: deterministic).
  for (const [V, N, C] of [[500, 300, 40], [2, 300, 40], [30522, 64, 16], [500, 4096, 8]] as const) {
    const u = rng(V + N);
    const idsArr = Int32Array.from({ length: N }, (_, i) => (N > 1000 ? (i % 10 ? 7 : Math.floor(u() * V)) : i % 7 === 0 ? 3 % V : Math.floor(u() * V)));
    const x = randn([N, C], 11 + V);
    const ids = tf.tensor1d(idsArr, 'int32');
    const got = tf.unsortedSegmentSum(x, ids, V);
    const want = tf.matMul(tf.oneHot(ids, V), x, true, false); // [V, C]
    out.push(await diff(`scatter-add V=${V} N=${N} C=${C}`, got, want));
    const xs = await x.data();
    const host = new Float32Array(V * C); // rows of one id added in position order, from 0
    idsArr.forEach((v, i) => {
      for (let c = 0; c < C; c++) host[v * C + c] = Math.fround(host[v * C + c] + xs[i * C + c]);
    });
    const hostT = tf.tensor2d(host, [V, C]);
    out.push(await diff(`scatter-add V=${V} N=${N} C=${C} exact: in-order host sum`, got, hostT));
    const again = tf.unsortedSegmentSum(x, ids, V);
    out.push(await diff(`scatter-add V=${V} N=${N} C=${C} exact: run twice`, again, got));
    tf.dispose([hostT, again]);
    // Through autodiff: the gradient of an embedding lookup.
    const table = tf.variable(randn([V, C], 5));
    const dy = randn([N, C], 6);
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.gather(t, ids), dy)))(table);
    out.push(await diff(`gather gradient V=${V}`, g, tf.matMul(tf.oneHot(ids, V), dy, true, false)));
    tf.dispose([x, ids, got, want, table, dy, g]);
  }
  // Weight gradients dYᵀ·X with K = B·S ≥ 2000 and few output tiles: tfjs would run them split-K
  // (atomic adds); matmul-no-split-k.ts runs them in a fixed order: [2, 96] (Reduce program),
  // [8, 256] (small-output program). Against the host's float64 sum, and run twice (same bits).
  for (const [M, N, K] of [[2, 96, 2048], [8, 256, 2048]] as const) {
    const dy = randn([K, M], 40 + M);
    const x = randn([K, N], 41 + N);
    const got = tf.matMul(dy, x, true, false); // [M, N]
    const [ds, xs] = [await dy.data(), await x.data()];
    const host = new Float32Array(M * N);
    for (let m = 0; m < M; m++) for (let n = 0; n < N; n++) {
      let acc = 0;
      for (let k = 0; k < K; k++) acc += ds[k * M + m] * xs[k * N + n];
      host[m * N + n] = acc;
    }
    const hostT = tf.tensor2d(host, [M, N]);
    out.push(await diff(`matmul dYᵀ·X [${M}, ${N}] K=${K} (no split-K)`, got, hostT));
    const again = tf.matMul(dy, x, true, false);
    out.push(await diff(`matmul dYᵀ·X [${M}, ${N}] K=${K} exact: run twice`, again, got));
    tf.dispose([dy, x, got, hostT, again]);
  }
  // Tabtune's tiled matmul (matmul-tiled.ts, run for every product tfjs would run on its packed
  // program): the four transpose layouts, read in place (x·Wᵀ, dYᵀ·X, ... without copies), plain,
  // batched, broadcast and fused with a bias, on the vec4 variant and on the scalar one (a
  // contiguous extent not a multiple of 4), on 64×64 and 32×32 tiles, sizes not multiples of the
  // tile or of the 16-wide K slice; against the host's float64 products.
  // [batchA, batchB, M, N, K, transposeA, transposeB, bias]
  const cases: [number, number, number, number, number, boolean, boolean, boolean][] = [
    [0, 0, 256, 96, 64, false, true, false], // x·Wᵀ, vec4, 32-tiles
    [0, 0, 130, 132, 68, false, true, true], // x·Wᵀ + b, edges
    [0, 0, 1024, 128, 128, false, true, true], // tiny's dense forward: 64-tiles
    [0, 0, 1024, 128, 128, false, false, false], // dY·W: 64-tiles
    [0, 0, 200, 100, 300, true, false, false], // dYᵀ·X, vec4, edges
    [0, 0, 198, 101, 67, true, false, false], // dYᵀ·X, scalar
    [0, 0, 101, 198, 67, false, true, true], // x·Wᵀ + b, scalar
    [0, 0, 90, 77, 45, true, true, false], // Aᵀ·Bᵀ, scalar
    [0, 0, 92, 76, 44, true, true, false], // Aᵀ·Bᵀ, vec4
    [1, 1, 1030, 132, 36, false, false, false], // rank 3, 64-tiles with edges
    [3, 3, 70, 90, 44, false, true, false], // batched x·Wᵀ
    [3, 1, 70, 90, 45, false, false, false], // b broadcast over the batch, scalar
    [1, 5, 40, 66, 20, true, false, false], // a broadcast over the batch
  ];
  for (const [bA, bB, M, N, K, tA, tB, withBias] of cases) {
    const aShape = tA ? [K, M] : [M, K];
    const bShape = tB ? [N, K] : [K, N];
    const a = randn(bA ? [bA, ...aShape] : aShape, 50 + M + K);
    const b = randn(bB ? [bB, ...bShape] : bShape, 51 + N + K);
    const bias = randn([N], 52 + N);
    const [as, bs, cs] = [await a.data(), await b.data(), await bias.data()];
    const G = Math.max(bA, bB, 1);
    const host = new Float32Array(G * M * N);
    for (let g = 0; g < G; g++) {
      const ao = bA > 1 ? g * M * K : 0;
      const bo = bB > 1 ? g * K * N : 0;
      for (let m = 0; m < M; m++) for (let n = 0; n < N; n++) {
        let acc = withBias ? cs[n] : 0;
        for (let k = 0; k < K; k++) acc += as[ao + (tA ? k * M + m : m * K + k)] * bs[bo + (tB ? n * K + k : k * N + n)];
        host[(g * M + m) * N + n] = acc;
      }
    }
    const got = withBias ? tf.fused.matMul({ a, b, transposeA: tA, transposeB: tB, bias }) : tf.matMul(a, b, tA, tB);
    const want = tf.tensor(host, bA || bB ? [G, M, N] : [M, N]);
    if (got.shape.join() !== want.shape.join()) throw new Error(`tiled matmul: shape [${got.shape}], expected [${want.shape}]`);
    const label = `${bA || bB ? `[${bA}|${bB}] ` : ''}${tA ? 'aᵀ' : 'a'}·${tB ? 'bᵀ' : 'b'}${withBias ? ' + bias' : ''}`;
    out.push(await diff(`tiled matmul ${label} [${M}, ${N}] K=${K}`, got, want));
    tf.dispose([a, b, bias, got, want]);
  }
  {
    const w = randn([96, 64], 53);
    const same = tf.transpose(w, [0, 1]);
    out.push(await diff('transpose by the identity [96, 64] exact: a view', same, w));
    tf.dispose([w, same]);
  }
  // Column sums over leading axes.
  for (const [shape, axes] of [[[3, 37, 50], [0]], [[3, 37, 50], [0, 1]], [[1024, 128], [0]], [[8, 2], [0]]] as [number[], number[]][]) {
    const x = randn(shape, shape[0] * 31 + axes.length);
    const j = axes.length;
    const R = shape.slice(0, j).reduce((a, b) => a * b, 1);
    const rest = shape.slice(j);
    const got = tf.sum(x, axes);
    const want = tf.reshape(tf.matMul(tf.ones([1, R]), tf.reshape(x, [R, -1])), rest);
    out.push(await diff(`column-sum [${shape}] over [${axes}]`, got, want));
    const kept = tf.sum(x, axes, true);
    out.push(await diff(`column-sum keepDims [${shape}] over [${axes}]`, kept, tf.reshape(want, kept.shape)));
    tf.dispose([x, got, want, kept]);
  }
  // Optimizer: kernel path vs composed path, same start, 3 steps + a non-finite step + one more;
  // the kernel path with its moments in one slab, and in several (a slab limit below one tensor's
  // m + v: a tensor's m and v in different slabs, dispatches binding two slabs). 'a.odd.weight'
  // (9 values) and 'a.odd.bias' (3) are not multiples of 4: their p and g load value by value.
  for (const [name, slabLimit] of [['bert-adam'], ['adamw'], ['bert-adam', 20500], ['adamw', 20500]] as [OptimizerName, number?][]) {
    const label = slabLimit ? `${name} (slabs of ${slabLimit})` : name;
    const shapes: Record<string, number[]> = { 'a.weight': [300, 40], 'a.bias': [40], 'LayerNorm.weight': [40], 'big.weight': [20000], 'a.odd.weight': [3, 3], 'a.odd.bias': [3] };
    const make = () => new Map(Object.entries(shapes).map(([n, s], i) => [n, tf.variable(randn(s, 100 + i, 0.5), true, `${name}-${n}-${Math.random()}`)]));
    const vk = make();
    const vc = make();
    const cfg = { ...DEFAULT_OPTIMIZER, name, learningRate: 1e-2, maxGradNorm: 1.0, weightDecay: 0.01, numWarmupSteps: 0 };
    const ok = createOptimizer(cfg, vk, { kernels: true, slabLimit });
    const oc = createOptimizer(cfg, vc, { kernels: false, groupLimit: 0 });
    if (ok.path !== 'kernels' || oc.path !== 'composed') throw new Error(`optimizer paths ${ok.path} / ${oc.path}`);
    const reports: [number, tf.Tensor, tf.Tensor][] = [];
    for (let s = 1; s <= 5; s++) {
      const grads = new Map(Object.entries(shapes).map(([n, sh], i) => [n, randn(sh, 1000 * s + i, s === 1 ? 3 : 0.1)]));
      if (s === 4) grads.set('a.bias', tf.fill([40], NaN)); // a non-finite step: nothing may change
      if (s === 5) {
        ok.clearHalt();
        oc.clearHalt();
      }
      const loss = tf.scalar(0.5 + s);
      reports.push([s, ok.step(grads, loss, 1e-2 / s), oc.step(grads, loss, 1e-2 / s)]);
      tf.dispose([...grads.values(), loss]);
      for (const n of Object.keys(shapes)) out.push(await diff(`${label} step ${s} ${n}`, vk.get(n)!, vc.get(n)!));
    }
    for (const [s, rk, rc] of reports) out.push(await diff(`${label} step ${s} report [loss, norm, applied, Σg²]`, rk, rc));
    const [sk, sc] = [await ok.getState(), await oc.getState()];
    out.push({ name: `${label} applied steps`, maxAbsDiff: Math.abs(Number(sk.meta.appliedSteps) - Number(sc.meta.appliedSteps)) + Math.abs(Number(sk.meta.appliedSteps) - 4), scale: 4, count: 1 });
    for (const key of sk.tensors.keys()) {
      const a = tf.tensor(sk.tensors.get(key)!.data);
      const b = tf.tensor(sc.tensors.get(key)!.data);
      out.push(await diff(`${label} slot ${key}`, a, b));
      tf.dispose([a, b]);
    }
    tf.dispose(reports.flatMap(([, a, b]) => [a, b]));
    ok.dispose();
    oc.dispose();
    tf.dispose([...vk.values(), ...vc.values()]);
  }
  return out;
}

const CURVE_CONFIG = makeConfig({ vocabSize: 512, hiddenSize: 32, numHiddenLayers: 2, numAttentionHeads: 2, intermediateSize: 64, maxPositionEmbeddings: 64 }, 'tiny');

/** resume('span'): H = 96 so that qa_outputs' gradient [2, H] has more than 128 values (tfjs's split-K range). */
const SPAN_CONFIG = makeConfig({ vocabSize: 512, hiddenSize: 96, numHiddenLayers: 1, numAttentionHeads: 2, intermediateSize: 96, maxPositionEmbeddings: 128 }, 'tiny');

function curveWeights(c = CURVE_CONFIG, head = 'classifier'): WeightMap {
  const u = rng(2024);
  const w: WeightMap = new Map();
  const shapes = [...encoderParamShapes(c), ...poolerParamShapes(c), [`${head}.weight`, [2, c.hiddenSize]], [`${head}.bias`, [2]]] as [string, number[]][];
  for (const [name, shape] of shapes) {
    const n = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    if (name.includes('LayerNorm') && name.endsWith('.weight')) data.fill(1);
    else if (!name.endsWith('.bias')) for (let i = 0; i < n; i++) data[i] = (u() * 2 - 1) * 0.1;
    w.set(name, { dtype: 'float32', shape, data });
  }
  return w;
}

function curveBatch(step: number): HostBatch {
  const B = 4;
  const S = 16;
  const u = rng(77 + (step % 2)); // two batches, alternating: a curve that must go down
  const inputIds = Int32Array.from({ length: B * S }, (_, i) => (i % S === 0 ? 101 : 1 + Math.floor(u() * 500)));
  const attentionMask = Int32Array.from({ length: B * S }, (_, i) => (i % S < S - (i / S >= 2 ? 4 : 0) ? 1 : 0));
  const tokenTypeIds = Int32Array.from({ length: B * S }, (_, i) => (i % S >= S / 2 ? 1 : 0));
  return { batchSize: B, seqLength: S, inputIds, tokenTypeIds, attentionMask, labels: Int32Array.from({ length: B }, (_, i) => (i + (step % 2)) % 2) };
}

interface CurveReport {
  webgpu: number[];
  wasm: number[];
  /** Dispatches of one WebGPU step through this folder's kernels (gpu-dispatch.ts). */
  kernelDispatches: number;
  numTensorsFlat: boolean;
}

/** The same 20 seeded steps (dropout off, adamw with clipping) on WebGPU, then on WASM. */
async function curve(steps = 20): Promise<CurveReport> {
  const run = async (backend: 'webgpu' | 'wasm') => {
    const info = await initBackend(backend, { wasmPaths: await viteWasmFiles() });
    if (info.name !== backend) throw new Error(`wanted ${backend}, got ${info.name}`);
    const model = createBertModel(CURVE_CONFIG, curveWeights(), { kind: 'classification', numLabels: 2, labels: ['0', '1'] }, { seed: 1 });
    const trainer = createTrainer(model, { ...DEFAULT_OPTIMIZER, name: 'adamw', learningRate: 3e-3, numWarmupSteps: 2, numTrainSteps: steps, maxGradNorm: 1, schedule: 'linear' }, { dropout: false, seed: 9 });
    const losses: number[] = [];
    let dispatches = 0;
    let before = 0;
    for (let s = 0; s < steps; s++) {
      if (s === 2) before = tf.memory().numTensors;
      const batch = toDeviceBatch(curveBatch(s));
      const d0 = dispatchStats.count;
      const r = await trainer.step(batch);
      if (s === 1) dispatches = dispatchStats.count - d0;
      disposeBatch(batch);
      if (!r.applied) throw new Error(`${backend} step ${s + 1} not applied`);
      losses.push(r.loss);
    }
    const flat = tf.memory().numTensors === before;
    trainer.dispose();
    model.dispose();
    return { losses, dispatches, flat };
  };
  const gpu = await run('webgpu');
  const cpu = await run('wasm');
  await initBackend('webgpu', { wasmPaths: await viteWasmFiles() });
  return { webgpu: gpu.losses, wasm: cpu.losses, kernelDispatches: gpu.dispatches, numTensorsFlat: gpu.flat && cpu.flat };
}

interface ResumeReport {
  total: number;
  /** Step the first run was cancelled at (its checkpoint). */
  cut: number;
  straight: number[];
  resumed: number[];
  /** Weights whose bits differ between the straight and the resumed run (names). */
  differingWeights: string[];
  weightCount: number;
  numTensorsFlat: boolean;
  /** Shader keys of tfjs's split-K matmul compiled in this page (atomic adds: must stay empty). */
  splitKPrograms: string[];
}

/** One row's token views (subarrays of the batch's buffers, length S). */
interface RowViews {
  inputIds: Int32Array;
  attentionMask: Int32Array;
  tokenTypeIds: Int32Array;
}

/**
 * `rows` features of length S: `fill` writes row r's tokens into its views and returns its
 * per-row targets by name (labels, or start and end positions), gathered into the batch.
 */
function syntheticTrainSet(rows: number, S: number, fill: (r: number, row: RowViews) => Record<string, number>): TrainSet {
  return {
    numExamples: rows,
    numFeatures: rows,
    batch(indices) {
      const B = indices.length;
      const inputIds = new Int32Array(B * S);
      const attentionMask = new Int32Array(B * S);
      const tokenTypeIds = new Int32Array(B * S);
      const targets: Record<string, Int32Array> = {};
      indices.forEach((r, b) => {
        const view = (x: Int32Array) => x.subarray(b * S, (b + 1) * S);
        for (const [name, value] of Object.entries(fill(r, { inputIds: view(inputIds), attentionMask: view(attentionMask), tokenTypeIds: view(tokenTypeIds) }))) {
          (targets[name] ??= new Int32Array(B))[b] = value;
        }
      });
      return { batchSize: B, seqLength: S, inputIds, tokenTypeIds, attentionMask, ...targets };
    },
  };
}

/**
 * resume('span'): SQuAD-shaped features, B·S = 16·128 = 2048 ≥ 2000 (the inner dimension of
 * qa_outputs' weight gradient), 10 + r % 7 question tokens, answers inside the rest.
 */
function spanTrainSet(rows: number): TrainSet {
  const S = 128;
  return syntheticTrainSet(rows, S, (r, row) => {
    const u = rng(900 + r);
    const len = S - 3 * (r % 9);
    const question = 10 + (r % 7);
    for (let t = 0; t < S; t++) {
      row.inputIds[t] = t === 0 ? 101 : t === question || t === len - 1 ? 102 : t < len ? 1 + Math.floor(u() * 500) : 0;
      row.attentionMask[t] = t < len ? 1 : 0;
      row.tokenTypeIds[t] = t > question && t < len ? 1 : 0;
    }
    const start = question + 1 + Math.floor(u() * (len - question - 6));
    return { startPositions: start, endPositions: start + (r % 4) };
  });
}

/** Training features for resume(): rows like curveBatch's, ids repeating within a batch. */
function resumeTrainSet(rows: number): TrainSet {
  const S = 16;
  return syntheticTrainSet(rows, S, (r, row) => {
    const u = rng(500 + r);
    const len = S - (r % 5);
    for (let t = 0; t < S; t++) {
      // [CLS] = 101 in every row, a small vocabulary of 40 ids: the embedding gradient adds many rows per id
      row.inputIds[t] = t === 0 ? 101 : t < len ? 1 + Math.floor(u() * 40) : 0;
      row.attentionMask[t] = t < len ? 1 : 0;
      row.tokenTypeIds[t] = t >= S / 2 && t < len ? 1 : 0;
    }
    return { labels: r % 2 };
  });
}

/**
 * The training loop on WebGPU (dropout on, bert-adam with clipping): `total` steps straight,
 * against a run cancelled after `cut` steps, checkpointed through serialised bytes and resumed
 * in a new model for the rest. Losses and final weights are returned for a bit-for-bit check.
 */
async function resume(cut = 3, kind: 'classification' | 'span' = 'classification'): Promise<ResumeReport> {
  const info = await initBackend('webgpu', { wasmPaths: await viteWasmFiles() });
  if (info.name !== 'webgpu') throw new Error(`wanted webgpu, got ${info.name}`);
  const common = { learningRate: 3e-3, optimizer: 'bert-adam' as const, schedule: 'linear' as const, warmupProportion: 0.2, saveCheckpointsSteps: 0, seed: 11 };
  const span = kind === 'span';
  const train = span ? spanTrainSet(80) : resumeTrainSet(20);
  const config = span
    ? resolveTrainingConfig('squad', { ...common, maxSeqLength: 128, trainBatchSize: 16, numTrainEpochs: 1 })
    : resolveTrainingConfig('mrpc', { ...common, maxSeqLength: 16, trainBatchSize: 4, numTrainEpochs: 1.4 });
  const head = span ? { kind: 'span' as const } : { kind: 'classification' as const, numLabels: 2, labels: ['0', '1'] };
  const fresh = () => (span ? createBertModel(SPAN_CONFIG, curveWeights(SPAN_CONFIG, 'qa_outputs'), head, { seed: 4 }) : createBertModel(CURVE_CONFIG, curveWeights(), head, { seed: 4 }));
  const before = tf.memory().numTensors;

  const straightLosses: number[] = [];
  const a = fresh();
  const full = await runTraining({ model: a, config, train }, { onStep: (m) => straightLosses.push(m.loss) });
  if (full.status !== 'completed') throw new Error(`straight run: ${full.status}`);
  const straightWeights = await a.exportWeights();
  a.dispose();

  const store = createMemoryCheckpointStore();
  const b = fresh();
  const controller = new AbortController();
  const r1 = await runTraining({ model: b, config: { ...config, saveCheckpointsSteps: cut }, train, store }, { onStep: (m) => m.step === cut && controller.abort() }, controller.signal);
  b.dispose();
  if (r1.status !== 'cancelled' || r1.state.step !== cut) throw new Error(`first half: ${r1.status} at step ${r1.state.step}`);
  const ckpt = deserializeCheckpoint(await store.load(checkpointName(cut)));

  const resumedLosses: number[] = [];
  const c = fresh();
  const r2 = await runTraining({ model: c, config, train, resume: ckpt }, { onStep: (m) => resumedLosses.push(m.loss) });
  if (r2.status !== 'completed') throw new Error(`resumed run: ${r2.status}`);
  const resumedWeights = await c.exportWeights();
  c.dispose();

  const differingWeights = [...straightWeights].filter(([name, t]) => {
    const u = resumedWeights.get(name);
    return !u || u.data.length !== t.data.length || !t.data.every((x, i) => Object.is(x, u.data[i]));
  }).map(([name]) => name);
  return { total: full.numTrainSteps, cut, straight: straightLosses, resumed: resumedLosses, differingWeights, weightCount: straightWeights.size, numTensorsFlat: tf.memory().numTensors === before, splitKPrograms: compiledSplitK() };
}

/** Keys of tfjs-backend-webgpu's pipeline cache (one per compiled program) starting with `prefix`. */
function compiled(prefix: string): string[] {
  const cache = (tf.backend() as unknown as { pipelineCache?: Record<string, unknown> }).pipelineCache;
  if (!cache) throw new Error('tfjs-backend-webgpu has no pipelineCache: cannot see which matmul programs ran');
  return Object.keys(cache).filter((k) => k.startsWith(prefix));
}

/** tfjs's split-K matmul programs compiled in this page (atomic adds: must stay empty). */
const compiledSplitK = () => compiled('matMulSplitK');

/** The tiled matmul variants compiled in this page (shader key up to its first input rank). */
function tiledPrograms(): string[] {
  return [...new Set(compiled('tabtuneMatMulTiled_').map((k) => k.replace(/_8,8,1.*$/, '')))].sort();
}

export interface KernelsHarness {
  init: typeof init;
  parity: typeof parity;
  tiledPrograms: typeof tiledPrograms;
  curve: typeof curve;
  resume: typeof resume;
}

declare global {
  interface Window {
    tabtuneTrainKernels?: KernelsHarness;
  }
}

window.tabtuneTrainKernels = { init, parity, tiledPrograms, curve, resume };
document.getElementById('status')!.textContent = 'ready';
