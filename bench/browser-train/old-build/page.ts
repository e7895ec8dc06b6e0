/**
 * Page that runs a build's training step on WebGPU, as that build's own bench.ts drives it, and
 * records, for one step after a warm-up step: every tfjs kernel call (name, input and output
 * shapes) with the compute dispatches recorded while it ran, the queue submits, and tf.profile's
 * kernel list of a third step. Built for the OLD build (a checkout of an earlier commit, e.g.
 * 9951189, the engine before any WGSL kernels); `?build=current` drives a tree with
 * src/core/kernels (WGSL training kernels on) the same way. Driven by old-build/run.mjs, which
 * serves the tree's sources through Vite (`/@fs/<tree>/...`, `?tree=<tree>` in this page's URL).
 *
 * `noop: true` skips the GPU work: GPUComputePassEncoder.dispatchWorkgroups is counted but not
 * called (the pass is encoded and submitted without it), so a BERT-base step at batch 8, which
 * SwiftShader would take over an hour to compute, runs in minutes. Which programs are
 * dispatched is decided on the host from shapes and dtypes (neither build reads a GPU result
 * back before the step's final read), so the counts equal a computed step's; the README's tiny
 * check compares a noop step with a computed one call by call.
 *
 * No bare imports here: tfjs is the tree's own (its engine is reached through the global
 * `_tfengine` tfjs-core keeps), so this file type-checks here without loading the other tree.
 */

import type { StepKernelCall, StepRecord } from '../step-record';

interface Engine {
  profile(f: () => Promise<unknown>): Promise<{ kernels: { name: string; inputShapes: (number[] | null)[]; outputShapes: (number[] | null)[] }[] }>;
  runKernel(name: string, inputs: Record<string, { shape: number[] } | null | undefined>, attrs?: unknown): unknown;
}

/** A module of the other tree, typed loosely: its exports are reached by name (its types are not visible from here). */
type AnyModule = Record<string, any>;

const log = (line: string) => {
  document.getElementById('log')!.textContent += line + '\n';
  console.log(line);
};

const tree = (): string => {
  const t = new URL(location.href).searchParams.get('tree');
  if (!t) throw new Error('old-build/page.ts: the page URL needs ?tree=<absolute path of the old checkout>');
  return t;
};

/** The tree's build: 'old' (stock tfjs kernels, e.g. 9951189) or 'current' (src/core/kernels, WGSL training kernels). */
const build = (): 'old' | 'current' => (new URL(location.href).searchParams.get('build') === 'current' ? 'current' : 'old');

/**
 * The engine of the tree as its own bench.ts drives it: initBackend, createBertModel,
 * toDeviceBatch / disposeBatch, PRESETS, createTrainer + DEFAULT_OPTIMIZER, the bench's random
 * weights and batch. Vite may answer the first load with "outdated optimize dep": run.mjs
 * reloads the page and retries.
 */
async function modules(): Promise<AnyModule> {
  const load = (p: string): Promise<AnyModule> => import(/* @vite-ignore */ `/@fs${tree()}/${p}`);
  const random = await load('bench/common/random-model.ts');
  if (build() === 'old') {
    const [init, bert, batch, config, step, types] = await Promise.all(
      ['backend/init', 'model/bert-model', 'model/batch', 'model/config', 'train/step', 'train/types'].map((m) => load(`src/core/${m}.ts`)),
    );
    return { ...init, ...bert, ...batch, ...config, ...step, ...types, ...random, trainerOptions: { seed: 3 } };
  }
  const [backend, model, train, kernels, wasm] = await Promise.all(
    ['src/core/backend/index.ts', 'src/core/model/index.ts', 'src/core/train/index.ts', 'src/core/kernels/index.ts', 'src/platform/browser/wasm-files.ts'].map(load),
  );
  const wasmPaths = await wasm.viteWasmFiles();
  return {
    ...backend, ...model, ...train, ...random,
    initBackend: async (name: string) => {
      const info = await backend.initBackend(name, { wasmPaths });
      kernels.useWebGPUTrainingKernels(true);
      return info;
    },
    trainerOptions: { seed: 3, kernels: true },
  };
}

async function run(o: { preset: string; batch: number; seq: number; noop: boolean }): Promise<StepRecord> {
  const m = await modules();
  const info = await m.initBackend('webgpu');
  if (info.name !== 'webgpu') throw new Error(`old-build/page.ts: expected the webgpu backend, got ${info.name}`);
  const engine = (globalThis as unknown as { _tfengine?: Engine })._tfengine;
  if (!engine) throw new Error("old-build/page.ts: tfjs-core's global engine (_tfengine) is missing");
  const g = globalThis as unknown as { GPUComputePassEncoder: { prototype: Record<string, unknown> }; GPUQueue: { prototype: Record<string, unknown> } };
  const enc = g.GPUComputePassEncoder.prototype;
  const queue = g.GPUQueue.prototype;
  const c = m.PRESETS[o.preset];
  if (!c) throw new Error(`old-build/page.ts: unknown preset ${o.preset}`);
  // As the old bench (bench/browser-train/bench.ts at 9951189): random weights, classification, dropout on.
  const model = m.createBertModel(c, m.randomWeights(c, 17), { kind: 'classification', numLabels: 2, labels: ['0', '1'] }, { seed: 1 });
  const trainer = m.createTrainer(model, { ...m.DEFAULT_OPTIMIZER, numWarmupSteps: 0, numTrainSteps: 1000 }, m.trainerOptions);
  const batch = m.toDeviceBatch(m.randomBatch(c, o.batch, o.seq, 5));

  let dispatches = 0;
  let submits = 0;
  const calls: StepKernelCall[] = [];
  const stack: StepKernelCall[] = [];
  let recording = false;
  const dispatch0 = enc.dispatchWorkgroups as (...a: unknown[]) => unknown;
  const submit0 = queue.submit as (...a: unknown[]) => unknown;
  const runKernel0 = engine.runKernel;
  enc.dispatchWorkgroups = function (this: unknown, ...a: unknown[]) {
    dispatches++;
    if (recording && stack.length) stack[stack.length - 1].dispatches++;
    return o.noop ? undefined : dispatch0.apply(this, a);
  };
  queue.submit = function (this: unknown, ...a: unknown[]) {
    submits++;
    return submit0.apply(this, a);
  };
  engine.runKernel = function (this: unknown, name, inputs, attrs) {
    if (!recording) return runKernel0.call(this, name, inputs, attrs);
    const call: StepKernelCall = { name, inputShapes: Object.keys(inputs).map((k) => inputs[k]?.shape ?? null), outputShapes: [], dispatches: 0, depth: stack.length };
    calls.push(call);
    stack.push(call);
    try {
      const out = runKernel0.call(this, name, inputs, attrs) as { shape: number[] } | { shape: number[] }[];
      call.outputShapes = (Array.isArray(out) ? out : [out]).map((t) => [...t.shape]);
      return out;
    } finally {
      stack.pop();
    }
  };
  try {
    let t = performance.now();
    recording = true;
    await trainer.step(batch); // warm-up: compiles the shaders, creates the optimizer's state
    recording = false;
    const warmupCalls = calls.splice(0);
    const warmupDispatches = dispatches;
    log(`${o.preset}: warm-up step ${((performance.now() - t) / 1000).toFixed(1)} s, ${warmupDispatches} dispatches`);
    dispatches = 0;
    submits = 0;
    recording = true;
    t = performance.now();
    const r = await trainer.step(batch);
    const stepS = (performance.now() - t) / 1000;
    recording = false;
    const counted = { dispatches, submits };
    log(`${o.preset}: recorded step ${stepS.toFixed(1)} s, ${dispatches} dispatches, ${submits} submits, ${calls.length} kernel calls`);
    const info = await engine.profile(() => trainer.step(batch));
    const profile = info.kernels.map((k) => ({ name: k.name, inputShapes: k.inputShapes, outputShapes: k.outputShapes }));
    log(`${o.preset}: tf.profile of a third step: ${profile.length} kernels`);
    return { tree: tree(), build: build(), preset: o.preset, batch: o.batch, seq: o.seq, noop: o.noop, warmupDispatches, warmupCalls, ...counted, calls, loss: r.loss, stepS, profile };
  } finally {
    enc.dispatchWorkgroups = dispatch0;
    queue.submit = submit0;
    engine.runKernel = runKernel0;
    m.disposeBatch(batch);
    trainer.dispose();
    model.dispose();
  }
}

declare global {
  interface Window {
    oldBuild?: { run: typeof run; load: () => Promise<number> };
  }
}

window.oldBuild = { run, load: async () => Object.keys(await modules()).length };
document.getElementById('status')!.textContent = 'ready';
