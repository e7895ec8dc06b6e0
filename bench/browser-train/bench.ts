/**
 * bench/browser-train page: the real training step (createTrainer: forward, backward, global-norm
 * clipping, fused bert-adam update) on this page's backend (WebGPU first), for BERT-Tiny / Mini
 * shapes (PRESETS, random weights, classification head), next to the same backend's large-matmul
 * GFLOP/s measured in the same page. Driven by run.mjs through `window.tabtuneBench.run(options)`.
 * FLOP count: see trainingFlops() in bench/common/random-model.ts.
 *
 * With `profile: [presets]` those presets also report, after the timed steps: the wall time of a
 * forward and of a forward+backward, WebGPU dispatches and queue submits of one step (counted by
 * wrapping the backend's recordAndSubmit / submitQueue), and tf.profile of one step (kernels by
 * name with their GPU time when the adapter has timestamp queries).
 */
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, type BackendName } from '../../src/core/backend';
import { viteWasmFiles } from '../../src/platform/browser/wasm-files';
import { measureMatmulGflops, type MatmulMeasure } from '../../src/core/backend';
import { createBertModel } from '../../src/core/model';
import { disposeBatch, toDeviceBatch } from '../../src/core/model';
import { PRESETS, type PresetName } from '../../src/core/model';
import type { BertBatch, BertModel } from '../../src/core/model';
import { createTrainer, type Trainer } from '../../src/core/train';
import { DEFAULT_OPTIMIZER } from '../../src/core/train';
import { matmulParams, randomBatch, randomWeights, trainingFlops } from '../common/random-model';
import { useWebGPUTrainingKernels } from '../../src/core/kernels';
import { REFERENCE_GPU } from './reference-gpu';
import { MATMULS, roofline, type RooflineEstimate } from './roofline';

export interface BenchOptions {
  backend?: BackendName;
  presets?: PresetName[];
  /** Batch size per preset (default 8). */
  batch?: Partial<Record<PresetName, number>>;
  seq?: number;
  /** Timed steps per preset after the warm-up step (default 3). */
  steps?: number;
  matmulSize?: number;
  matmulRepeats?: number;
  /** Presets whose step is profiled after the timed steps. */
  profile?: PresetName[];
  /**
   * 'kernels' (default): this build (WGSL kernels, a step in flight while the previous loss is
   * read). 'baseline': the same page with tfjs's own kernels, the composed optimizer and one
   * step at a time (today's build before issue 8), for alternate before/after measurements.
   */
  variant?: 'kernels' | 'baseline';
  /** Presets whose one dropout-off step is also run on WASM, losses compared (BERT-base must fit and agree within 1e-3). */
  check?: PresetName[];
}

/**
 * The reference laptop GPU of the estimate: Apple M1, 8-core GPU (Apple's figures: 2.6 TFLOP/s
 * fp32, 68.25 GB/s LPDDR4X), and the per-dispatch overhead WebGPU pays on real GPUs
 * (published measurements: about 25-70 us per dispatch on Vulkan/Metal).
 */
export { REFERENCE_GPU };
export type { RooflineEstimate };

export interface StepProfile {
  kernels: number;
  /** [kernel name, count, summed kernel ms] by descending time, then count. */
  topKernels: [string, number, number][];
  /** The same by kernel name and input shapes: the costliest calls. */
  topCalls: [string, number, number][];
  /** GPU dispatches and queue submits of one unprofiled step. */
  dispatches: number | null;
  /** [kernel name, calls, dispatches] of that step, by descending dispatches: where the dispatches come from. */
  dispatchesByKernel: [string, number, number][];
  submits: number | null;
  forwardS: number;
  forwardBackwardS: number;
  /** Share of summed kernel time in BatchMatMul / _FusedMatMul. */
  matmulShare: number;
  reference: RooflineEstimate;
  /** Wall time of the profiled step and the sum of its kernels' GPU times. */
  profiledStepS: number;
  kernelMs: number;
}

export interface BenchRow {
  preset: PresetName;
  shape: string;
  batch: number;
  seq: number;
  paramsM: number;
  gflopPerStep: number;
  firstStepS: number;
  stepTimesS: number[];
  stepS: number;
  seqPerS: number;
  gflops: number;
  numTensorsFlat: boolean;
  /** Compute dispatches and queue submits per timed step (all kernels, counted at the WebGPU API). */
  dispatchesPerStep: number | null;
  submitsPerStep: number | null;
  profile?: StepProfile;
  /** With `check`: the dropout-off loss of one step on this backend and on WASM. */
  check?: { loss: number; wasmLoss: number; absDiff: number; webgpuS: number; dispatches: number | null; submits: number | null };
}

export interface BenchReport {
  variant: 'kernels' | 'baseline';
  reference: typeof REFERENCE_GPU;
  backend: string;
  fallbacks: { name: string; reason: string }[];
  adapter: string;
  matmul: MatmulMeasure;
  /**
   * The same 1024×1024 matmul on tfjs's own program (Tabtune's kernels switched off for that one
   * measurement; variant kernels on WebGPU only): the page's reference before BatchMatMul ran on
   * Tabtune's tiled program (src/core/kernels/matmul-tiled.ts).
   */
  tfjsMatmul: MatmulMeasure | null;
  rows: BenchRow[];
}

/** Progress on the page and on the console (run.mjs streams it to stderr). */
const log = (line: string) => {
  document.getElementById('log')!.textContent += line + '\n';
  console.log(line);
};

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** Counts every compute dispatch and queue submit of the page (tfjs's and Tabtune's own kernels) while `f` runs. */
async function countingGpu<T>(f: () => Promise<T>): Promise<{ value: T; dispatches: number | null; submits: number | null }> {
  const g = globalThis as unknown as { GPUComputePassEncoder?: { prototype: Record<string, unknown> }; GPUQueue?: { prototype: Record<string, unknown> } };
  if (!g.GPUComputePassEncoder || !g.GPUQueue) return { value: await f(), dispatches: null, submits: null };
  const enc = g.GPUComputePassEncoder.prototype;
  const q = g.GPUQueue.prototype;
  const [d0, s0] = [enc.dispatchWorkgroups as (...a: unknown[]) => unknown, q.submit as (...a: unknown[]) => unknown];
  let dispatches = 0;
  let submits = 0;
  enc.dispatchWorkgroups = function (this: unknown, ...a: unknown[]) {
    dispatches++;
    return d0.apply(this, a);
  };
  q.submit = function (this: unknown, ...a: unknown[]) {
    submits++;
    return s0.apply(this, a);
  };
  try {
    return { value: await f(), dispatches, submits };
  } finally {
    enc.dispatchWorkgroups = d0;
    q.submit = s0;
  }
}

/**
 * Attributes the page's compute dispatches to the tfjs kernel running when they are recorded
 * (the engine's runKernelFunc wraps every kernel, ours included): name -> calls, dispatches.
 * Dispatches outside any kernel (none in a step) go to '(outside kernels)'.
 */
async function attributingKernels<T>(into: Map<string, { calls: number; dispatches: number }>, f: () => Promise<T>): Promise<T> {
  const g = globalThis as unknown as { GPUComputePassEncoder?: { prototype: Record<string, unknown> } };
  const engine = tf.engine() as unknown as { runKernel: (name: string, ...rest: unknown[]) => unknown };
  if (!g.GPUComputePassEncoder) return f();
  const enc = g.GPUComputePassEncoder.prototype;
  const d0 = enc.dispatchWorkgroups as (...a: unknown[]) => unknown;
  const rk0 = engine.runKernel;
  const stack: string[] = [];
  const entry = (n: string) => {
    let e = into.get(n);
    if (!e) into.set(n, (e = { calls: 0, dispatches: 0 }));
    return e;
  };
  enc.dispatchWorkgroups = function (this: unknown, ...a: unknown[]) {
    entry(stack[stack.length - 1] ?? '(outside kernels)').dispatches++;
    return d0.apply(this, a);
  };
  engine.runKernel = function (this: unknown, name: string, ...rest: unknown[]) {
    entry(name).calls++;
    stack.push(name);
    try {
      return rk0.call(this, name, ...rest);
    } finally {
      stack.pop();
    }
  };
  try {
    return await f();
  } finally {
    enc.dispatchWorkgroups = d0;
    engine.runKernel = rk0;
  }
}

async function profileStep(model: BertModel, trainer: Trainer, batch: BertBatch): Promise<StepProfile> {
  const time = async (f: () => Promise<unknown>) => {
    const t = performance.now();
    await f();
    return (performance.now() - t) / 1000;
  };
  const vars = [...model.variables.values()];
  const forwardS = await time(async () => {
    const loss = tf.tidy(() => model.loss(batch, { training: true, seed: 1 }));
    await loss.data();
    loss.dispose();
  });
  const forwardBackwardS = await time(async () => {
    const loss = tf.tidy(() => tf.variableGrads(() => model.loss(batch, { training: true, seed: 1 }), vars).value);
    await loss.data();
    loss.dispose();
  });
  // A plain step, counting what reaches the GPU (tf.profile below times every kernel, which
  // submits each dispatch on its own).
  const attributed = new Map<string, { calls: number; dispatches: number }>();
  const counted = await countingGpu(() => attributingKernels(attributed, () => trainer.step(batch)));
  const dispatchesByKernel = [...attributed].filter(([, v]) => v.dispatches > 0).sort((a, b) => b[1].dispatches - a[1].dispatches).map(([n, v]) => [n, v.calls, v.dispatches] as [string, number, number]);
  // A profiled step: kernels by name, with the backend's kernel time (0 without timestamp queries).
  const t = performance.now();
  const info = await tf.profile(async () => {
    await trainer.step(batch);
  });
  const profiledStepS = (performance.now() - t) / 1000;
  const byName = new Map<string, { count: number; ms: number }>();
  let kernelMs = 0;
  for (const k of info.kernels) {
    const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
    kernelMs += ms;
    const cur = byName.get(k.name) ?? { count: 0, ms: 0 };
    cur.count += 1;
    cur.ms += ms;
    byName.set(k.name, cur);
  }
  const topKernels = [...byName].sort((a, b) => b[1].ms - a[1].ms || b[1].count - a[1].count).slice(0, 14).map(([n, v]) => [n, v.count, v.ms] as [string, number, number]);
  const byShape = new Map<string, { count: number; ms: number }>();
  for (const k of info.kernels) {
    const key = `${k.name}(${k.inputShapes.map((s) => (s ? `[${s.join(',')}]` : '-')).join(' ')})`;
    const cur = byShape.get(key) ?? { count: 0, ms: 0 };
    cur.count += 1;
    cur.ms += typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
    byShape.set(key, cur);
  }
  const topCalls = [...byShape].sort((a, b) => b[1].ms - a[1].ms).slice(0, 16).map(([n, v]) => [n, v.count, v.ms] as [string, number, number]);
  const matmulMs = [...byName].filter(([n]) => MATMULS.has(n)).reduce((a, [, v]) => a + v.ms, 0);
  const reference = roofline(info.kernels as never, counted.dispatches ?? info.kernels.length, batch.inputIds.shape[0]);
  return { kernels: info.kernels.length, topKernels, topCalls, dispatches: counted.dispatches, dispatchesByKernel, submits: counted.submits, forwardS, forwardBackwardS, profiledStepS, kernelMs, matmulShare: kernelMs > 0 ? matmulMs / kernelMs : 0, reference };
}

async function adapterDescription(): Promise<string> {
  const a = await (navigator as Partial<Navigator>).gpu?.requestAdapter();
  return a?.info ? [a.info.vendor, a.info.architecture, a.info.device, a.info.description].filter(Boolean).join(' / ') : '';
}

async function run(options: BenchOptions = {}): Promise<BenchReport> {
  const info = await initBackend(options.backend ?? 'webgpu', { wasmPaths: await viteWasmFiles() });
  const adapter = info.name === 'webgpu' ? await adapterDescription() : '';
  const variant = options.variant ?? 'kernels';
  const kernels = variant === 'kernels';
  useWebGPUTrainingKernels(kernels);
  log(`backend ${info.name} ${adapter}; variant ${variant}`);
  const S = options.seq ?? 128;
  const steps = options.steps ?? 3;
  const matmul = await measureMatmulGflops(options.matmulSize ?? 1024, options.matmulRepeats ?? 3);
  log(`matmul ${matmul.size}: best ${matmul.bestGflops.toFixed(2)} GFLOP/s`);
  let tfjsMatmul: MatmulMeasure | null = null;
  if (kernels && info.name === 'webgpu') {
    useWebGPUTrainingKernels(false);
    try {
      tfjsMatmul = await measureMatmulGflops(options.matmulSize ?? 1024, options.matmulRepeats ?? 3);
    } finally {
      useWebGPUTrainingKernels(true);
    }
    log(`matmul ${tfjsMatmul.size} on tfjs's program: best ${tfjsMatmul.bestGflops.toFixed(2)} GFLOP/s`);
  }
  const rows: BenchRow[] = [];
  for (const name of options.presets ?? ['tiny', 'mini']) {
    const c = PRESETS[name];
    if (!c) throw new Error(`unknown preset ${String(name)}`);
    const B = options.batch?.[name] ?? 8;
    const model = createBertModel(c, randomWeights(c, 17), { kind: 'classification', numLabels: 2, labels: ['0', '1'] }, { seed: 1 });
    const trainer = createTrainer(model, { ...DEFAULT_OPTIMIZER, numWarmupSteps: 0, numTrainSteps: 1000 }, { seed: 3, kernels });
    const batch = toDeviceBatch(randomBatch(c, B, S, 5));
    if (steps === 0) {
      // Only the WASM check (BERT-base on SwiftShader: each step takes minutes): its WebGPU step is the row's step.
      disposeBatch(batch);
      trainer.dispose();
      model.dispose();
      if (!options.check?.includes(name)) throw new Error(`${name}: --steps 0 needs --check ${name}`);
      const t0 = performance.now();
      const check = await checkAgainstWasm(name, B, S, kernels);
      const stepS = check.webgpuS;
      const flops = trainingFlops(c, 2, B, S);
      rows.push({
        preset: name, shape: `${c.numHiddenLayers}/${c.hiddenSize}/${c.intermediateSize}`, batch: B, seq: S,
        paramsM: matmulParams(c, 2) / 1e6, gflopPerStep: flops / 1e9, firstStepS: stepS, stepTimesS: [stepS], stepS,
        seqPerS: B / stepS, gflops: flops / stepS / 1e9, numTensorsFlat: true, dispatchesPerStep: check.dispatches, submitsPerStep: check.submits, check,
      });
      log(`${name}: check done in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
      continue;
    }
    try {
      let t = performance.now();
      await trainer.step(batch); // warm-up: shader compilation, allocation (excluded)
      const firstStepS = (performance.now() - t) / 1000;
      log(`${name}: first step ${firstStepS.toFixed(1)} s`);
      const before = tf.memory().numTensors;
      const stepTimesS: number[] = [];
      // kernels: step k+1 is enqueued before step k's result is awaited (as runTraining does);
      // baseline: one step at a time (today's loop). Step time = interval between results.
      const counted = await countingGpu(async () => {
      let pending = trainer.step(batch);
      t = performance.now();
      for (let i = 0; i < steps; i++) {
        const next = kernels && i + 1 < steps ? trainer.step(batch) : undefined;
        const r = await pending;
        const t1 = performance.now();
        stepTimesS.push((t1 - t) / 1000);
        t = t1;
        if (!r.applied) throw new Error(`${name}: step ${r.step} not applied: ${JSON.stringify(r.skipped)}`);
        log(`${name}: step ${i + 1} ${stepTimesS[i].toFixed(2)} s, loss ${r.loss.toFixed(4)}`);
        pending = next ?? (i + 1 < steps ? trainer.step(batch) : pending);
      }
      });
      const numTensorsFlat = tf.memory().numTensors === before;
      const stepS = median(stepTimesS);
      const flops = trainingFlops(c, 2, B, S);
      const row: BenchRow = {
        preset: name, shape: `${c.numHiddenLayers}/${c.hiddenSize}/${c.intermediateSize}`, batch: B, seq: S,
        paramsM: matmulParams(c, 2) / 1e6, gflopPerStep: flops / 1e9, firstStepS, stepTimesS, stepS,
        seqPerS: B / stepS, gflops: flops / stepS / 1e9, numTensorsFlat,
        dispatchesPerStep: counted.dispatches === null ? null : counted.dispatches / steps,
        submitsPerStep: counted.submits === null ? null : counted.submits / steps,
      };
      if (options.profile?.includes(name)) row.profile = await profileStep(model, trainer, batch);
      if (options.check?.includes(name)) row.check = await checkAgainstWasm(name, B, S, kernels);
      rows.push(row);
    } finally {
      disposeBatch(batch);
      trainer.dispose();
      model.dispose();
    }
  }
  return { variant, reference: REFERENCE_GPU, backend: info.name, fallbacks: info.fallbacks, adapter, matmul, tfjsMatmul, rows };
}

/** One dropout-off step of a fresh model on this page's backend and on WASM: both losses. */
async function checkAgainstWasm(name: PresetName, B: number, S: number, kernels: boolean): Promise<{ loss: number; wasmLoss: number; absDiff: number; webgpuS: number; dispatches: number | null; submits: number | null }> {
  const c = PRESETS[name];
  const weights = randomWeights(c, 23);
  const host = randomBatch(c, B, S, 29);
  const once = async () => {
    const model = createBertModel(c, weights, { kind: 'classification', numLabels: 2, labels: ['0', '1'] }, { seed: 1 });
    const trainer = createTrainer(model, { ...DEFAULT_OPTIMIZER, numWarmupSteps: 0, numTrainSteps: 10 }, { dropout: false, kernels });
    const batch = toDeviceBatch(host);
    try {
      const r = await trainer.step(batch);
      if (!r.applied) throw new Error(`${name}: check step not applied on ${tf.getBackend()}`);
      return r.loss;
    } finally {
      disposeBatch(batch);
      trainer.dispose();
      model.dispose();
    }
  };
  const backend = tf.getBackend() as BackendName;
  const t0 = performance.now();
  const counted = await countingGpu(once); // a first step: includes shader compilation
  const loss = counted.value;
  const webgpuS = (performance.now() - t0) / 1000;
  log(`${name}: check step on ${backend}: loss ${loss.toFixed(6)} (${webgpuS.toFixed(0)} s, ${counted.dispatches} dispatches)`);
  await initBackend('wasm', { wasmPaths: await viteWasmFiles() });
  const wasmLoss = await once();
  log(`${name}: check step on wasm: loss ${wasmLoss.toFixed(6)}`);
  await initBackend(backend, { wasmPaths: await viteWasmFiles() });
  return { loss, wasmLoss, absDiff: Math.abs(loss - wasmLoss), webgpuS, dispatches: counted.dispatches, submits: counted.submits };
}

declare global {
  interface Window {
    tabtuneBench?: { run: typeof run };
  }
}

window.tabtuneBench = { run };
document.getElementById('status')!.textContent = 'ready';
