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
import { measureMatmulGflops, type MatmulMeasure } from '../../src/core/backend';
import { createBertModel } from '../../src/core/model';
import { disposeBatch, toDeviceBatch } from '../../src/core/model';
import { PRESETS, type PresetName } from '../../src/core/model';
import type { BertBatch, BertModel } from '../../src/core/model';
import { createTrainer, type Trainer } from '../../src/core/train';
import { DEFAULT_OPTIMIZER } from '../../src/core/train';
import { matmulParams, randomBatch, randomWeights, trainingFlops } from '../common/random-model';

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
}

export interface StepProfile {
  kernels: number;
  /** [kernel name, count, summed kernel ms] by descending time, then count. */
  topKernels: [string, number, number][];
  /** The same by kernel name and input shapes: the costliest calls. */
  topCalls: [string, number, number][];
  /** GPU dispatches and queue submits of one unprofiled step. */
  dispatches: number | null;
  submits: number | null;
  forwardS: number;
  forwardBackwardS: number;
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
  profile?: StepProfile;
}

export interface BenchReport {
  backend: string;
  fallbacks: { name: string; reason: string }[];
  adapter: string;
  matmul: MatmulMeasure;
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

/** Counts calls of a backend method for the duration of `f` (null when the backend has no such method). */
async function counting<T>(names: string[], f: () => Promise<T>): Promise<{ value: T; counts: (number | null)[] }> {
  const backend = tf.backend() as unknown as Record<string, unknown>;
  const counts: (number | null)[] = names.map(() => null);
  const originals = names.map((n) => backend[n]);
  names.forEach((n, i) => {
    const orig = originals[i];
    if (typeof orig !== 'function') return;
    counts[i] = 0;
    backend[n] = function (this: unknown, ...args: unknown[]) {
      counts[i]! += 1;
      return (orig as (...a: unknown[]) => unknown).apply(this, args);
    };
  });
  try {
    return { value: await f(), counts };
  } finally {
    names.forEach((n, i) => {
      if (typeof originals[i] === 'function') backend[n] = originals[i];
    });
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
  const { counts } = await counting(['recordAndSubmit', 'submitQueue'], () => trainer.step(batch));
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
  return { kernels: info.kernels.length, topKernels, topCalls, dispatches: counts[0], submits: counts[1], forwardS, forwardBackwardS, profiledStepS, kernelMs };
}

async function adapterDescription(): Promise<string> {
  const a = await (navigator as Partial<Navigator>).gpu?.requestAdapter();
  return a?.info ? [a.info.vendor, a.info.architecture, a.info.device, a.info.description].filter(Boolean).join(' / ') : '';
}

async function run(options: BenchOptions = {}): Promise<BenchReport> {
  const info = await initBackend(options.backend ?? 'webgpu');
  const adapter = info.name === 'webgpu' ? await adapterDescription() : '';
  log(`backend ${info.name} ${adapter}`);
  const S = options.seq ?? 128;
  const steps = options.steps ?? 3;
  const matmul = await measureMatmulGflops(options.matmulSize ?? 1024, options.matmulRepeats ?? 3);
  log(`matmul ${matmul.size}: best ${matmul.bestGflops.toFixed(2)} GFLOP/s`);
  const rows: BenchRow[] = [];
  for (const name of options.presets ?? ['tiny', 'mini']) {
    const c = PRESETS[name];
    if (!c) throw new Error(`unknown preset ${String(name)}`);
    const B = options.batch?.[name] ?? 8;
    const model = createBertModel(c, randomWeights(c, 17), { kind: 'classification', numLabels: 2, labels: ['0', '1'] }, { seed: 1 });
    const trainer = createTrainer(model, { ...DEFAULT_OPTIMIZER, numWarmupSteps: 0, numTrainSteps: 1000 }, { seed: 3 });
    const batch = toDeviceBatch(randomBatch(c, B, S, 5));
    try {
      let t = performance.now();
      await trainer.step(batch); // warm-up: shader compilation, allocation (excluded)
      const firstStepS = (performance.now() - t) / 1000;
      log(`${name}: first step ${firstStepS.toFixed(1)} s`);
      const before = tf.memory().numTensors;
      const stepTimesS: number[] = [];
      for (let i = 0; i < steps; i++) {
        t = performance.now();
        const r = await trainer.step(batch);
        stepTimesS.push((performance.now() - t) / 1000);
        if (!r.applied) throw new Error(`${name}: step ${r.step} not applied: ${JSON.stringify(r.skipped)}`);
        log(`${name}: step ${i + 1} ${stepTimesS[i].toFixed(2)} s, loss ${r.loss.toFixed(4)}`);
      }
      const numTensorsFlat = tf.memory().numTensors === before;
      const stepS = median(stepTimesS);
      const flops = trainingFlops(c, 2, B, S);
      const row: BenchRow = {
        preset: name, shape: `${c.numHiddenLayers}/${c.hiddenSize}/${c.intermediateSize}`, batch: B, seq: S,
        paramsM: matmulParams(c, 2) / 1e6, gflopPerStep: flops / 1e9, firstStepS, stepTimesS, stepS,
        seqPerS: B / stepS, gflops: flops / stepS / 1e9, numTensorsFlat,
      };
      if (options.profile?.includes(name)) row.profile = await profileStep(model, trainer, batch);
      rows.push(row);
    } finally {
      disposeBatch(batch);
      trainer.dispose();
      model.dispose();
    }
  }
  return { backend: info.name, fallbacks: info.fallbacks, adapter, matmul, rows };
}

declare global {
  interface Window {
    tabtuneBench?: { run: typeof run };
  }
}

window.tabtuneBench = { run };
document.getElementById('status')!.textContent = 'ready';
