/**
 * A recorded WebGPU training step (old-build/run.mjs -> JSON) and what old-build-estimate.ts
 * reads from it:
 *
 *   checkRecord(r)        -> problems: [] when the record is self-consistent
 *   splitProfile(r)       -> tf.profile's list as { kernels (the recorded calls), wrappers, missing }
 *   compareCalls(a, b)    -> the first kernel call (or tf.profile entry) where two records of one step differ, or null
 *   dispatchesByKernel(r) -> [name, calls, dispatches][] by descending dispatches
 *   rooflineByKernel(ks)  -> [name, calls, roofline ms] by descending ms: where the estimate's time goes
 *   stepEstimate(r)       -> the reference-GPU roofline of the step (roofline.ts, as bench.ts's --profile)
 *
 * A record holds, for one step after a warm-up step: every tfjs kernel call in call order (name,
 * input / output shapes, the compute dispatches counted at GPUComputePassEncoder while it and no
 * nested call ran), the step's dispatch and submit totals, and tf.profile's kernel list of a
 * further step (which also lists tf.customGrad's wrappers around the kernels they run: the
 * roofline reads that list as bench.ts does, and stepEstimate also gives it without them).
 */
import { REFERENCE_GPU } from './reference-gpu';
import { kernelCost, roofline, type ProfiledKernel, type RooflineEstimate } from './roofline';

export interface StepKernelCall {
  name: string;
  inputShapes: (number[] | null)[];
  outputShapes: number[][];
  /** Compute dispatches recorded while this call (and not a nested one) ran. */
  dispatches: number;
  /** Nesting depth: 0 called by the model / trainer, 1+ called from inside another kernel. */
  depth: number;
}

export interface StepRecord {
  /** The tree the step ran from and its build: 'old' (stock tfjs kernels) or 'current' (WGSL training kernels). */
  tree: string;
  build: 'old' | 'current';
  preset: string;
  batch: number;
  seq: number;
  /** True when the dispatches were counted but not run (no GPU work; see old-build/page.ts). */
  noop: boolean;
  warmupDispatches: number;
  /** The warm-up step's kernel calls (records written before they were kept have none). */
  warmupCalls?: StepKernelCall[];
  dispatches: number;
  submits: number;
  calls: StepKernelCall[];
  loss: number;
  stepS: number;
  profile: ProfiledKernel[];
}

const shapeKey = (s: (number[] | null | undefined)[]) => s.map((x) => (x ? `[${x.join(',')}]` : '-')).join(' ');
const callKey = (c: { name: string; inputShapes: (number[] | null | undefined)[] }) => `${c.name}(${shapeKey(c.inputShapes)})`;

/**
 * tf.profile's list split into the recorded kernel calls and the entries no kernel call made
 * (tf.customGrad's wrappers: engine.runKernelFunc around a custom-gradient function, named
 * after the scope it ran in, e.g. fusedMatMul__op, and repeating the shapes of what it wraps).
 * tf.profile lists a kernel when it finishes (a nested call before its parent), so the two
 * lists are matched as multisets of name + input shapes. `missing`: calls absent from the profile.
 */
export function splitProfile(r: StepRecord): { kernels: ProfiledKernel[]; wrappers: ProfiledKernel[]; missing: string[] } {
  const left = new Map<string, number>();
  for (const c of r.calls) left.set(callKey(c), (left.get(callKey(c)) ?? 0) + 1);
  const kernels: ProfiledKernel[] = [];
  const wrappers: ProfiledKernel[] = [];
  for (const k of r.profile) {
    const n = left.get(callKey(k)) ?? 0;
    if (n > 0) {
      left.set(callKey(k), n - 1);
      kernels.push(k);
    } else wrappers.push(k);
  }
  return { kernels, wrappers, missing: [...left].filter(([, n]) => n > 0).map(([k, n]) => `${k} ${n}×`) };
}

/**
 * What is inconsistent in a record: dispatches outside kernel calls, or recorded calls missing
 * from tf.profile's list. (The warm-up step's count may differ from the recorded one's: the
 * first step can create state or find host-resident scalars that later steps find on the GPU.)
 */
export function checkRecord(r: StepRecord, file = 'record'): string[] {
  const problems: string[] = [];
  const inCalls = r.calls.reduce((a, c) => a + c.dispatches, 0);
  if (inCalls !== r.dispatches) problems.push(`${file}: ${r.dispatches} dispatches in the step, ${inCalls} inside kernel calls (expected equal)`);
  const { missing } = splitProfile(r);
  if (missing.length) problems.push(`${file}: ${missing.length} recorded kernel call(s) not in tf.profile's list, e.g. ${missing[0]} (expected every call there)`);
  return problems;
}

/**
 * The first place where two records of the same step differ: a kernel call (name, input and
 * output shapes, nesting depth, dispatches) or, when the calls agree, tf.profile's list (name,
 * input and output shapes). Null when both agree entry by entry.
 */
export function compareCalls(a: StepRecord, b: StepRecord): { index: number; a: string; b: string } | null {
  const showCall = (c: StepKernelCall | undefined) => (c ? `${callKey(c)} -> ${shapeKey(c.outputShapes)} depth ${c.depth}, ${c.dispatches} dispatches` : 'end');
  const showKernel = (k: ProfiledKernel | undefined) => (k ? `profile: ${callKey(k)} -> ${shapeKey(k.outputShapes)}` : 'profile: end');
  const first = <T>(xs: T[], ys: T[], show: (x: T | undefined) => string) => {
    for (let i = 0; i < Math.max(xs.length, ys.length); i++) if (show(xs[i]) !== show(ys[i])) return { index: i, a: show(xs[i]), b: show(ys[i]) };
    return null;
  };
  return first(a.calls, b.calls, showCall) ?? first(a.profile, b.profile, showKernel);
}

export function dispatchesByKernel(r: StepRecord): [string, number, number][] {
  const by = new Map<string, [number, number]>();
  for (const c of r.calls) {
    const e = by.get(c.name) ?? [0, 0];
    by.set(c.name, [e[0] + 1, e[1] + c.dispatches]);
  }
  return [...by].map(([n, [calls, d]]) => [n, calls, d] as [string, number, number]).sort((x, y) => y[2] - x[2] || x[0].localeCompare(y[0]));
}

export interface StepEstimate {
  /** roofline.ts over tf.profile's list as bench.ts reads it. */
  asProfiled: RooflineEstimate;
  /** The same without tf.customGrad's wrapper entries (splitProfile: each repeats the kernel it wraps). */
  withoutWrappers: RooflineEstimate;
  /**
   * Only the calls that dispatched GPU work themselves: no wrappers, and none of the kernels
   * WebGPU runs without a program (Reshape, Identity, same-dtype Cast share the buffer; small
   * host-resident inputs run on the CPU), which the profiled roofline charges their bytes.
   */
  dispatching: RooflineEstimate;
  dispatches: number;
}

export function stepEstimate(r: StepRecord): StepEstimate {
  return {
    asProfiled: roofline(r.profile, r.dispatches, r.batch),
    withoutWrappers: roofline(splitProfile(r).kernels, r.dispatches, r.batch),
    dispatching: roofline(r.calls.filter((c) => c.dispatches > 0), r.dispatches, r.batch),
    dispatches: r.dispatches,
  };
}

/** Each kernel name's share of the roofline: Σ max(F/peak, B/bandwidth) over its calls, in ms. */
export function rooflineByKernel(kernels: ProfiledKernel[]): [string, number, number][] {
  const by = new Map<string, [number, number]>();
  for (const k of kernels) {
    const c = kernelCost(k);
    const e = by.get(k.name) ?? [0, 0];
    by.set(k.name, [e[0] + 1, e[1] + 1000 * Math.max(c.flops / REFERENCE_GPU.flops, c.bytes / REFERENCE_GPU.bytesPerS)]);
  }
  return [...by].map(([n, [calls, ms]]) => [n, calls, ms] as [string, number, number]).sort((x, y) => y[2] - x[2] || x[0].localeCompare(y[0]));
}
