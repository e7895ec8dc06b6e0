/**
 * Running a WGSL program on tfjs's WebGPU backend (shared by the model-side kernels).
 *
 * A kernel here is a `WebGPUProgram` as tfjs-backend-webgpu 4.22 defines it: `getUserCode()`
 * returns the WGSL body (a `fn main(index : i32)` for a flat dispatch layout), the backend
 * prepends the bindings (`result` = binding 0, then one read-only storage array per entry of
 * `variableNames`), the `uniforms` struct (shapes first, then the program's own fields) and the
 * entry point, compiles once per `shaderKey` (+ input ranks and dtypes) and records the dispatch
 * on its own command encoder and queue. Programs read sizes from their uniforms, never from the
 * source, so one pipeline serves every shape.
 *
 *   useModelKernels()                 -> true on WebGPU unless switched off (setModelKernels)
 *   runProgram(program, inputs, u[, name]) -> the output tensor (float32, program.outputShape), run as a
 *                                        tfjs kernel named after the program (visible to tf.profile)
 *   runProgramOn(backend, program, inputs, u) -> the same from inside a wrapped tfjs kernel
 *                                        (TensorInfos; profiled under the wrapped kernel's name)
 *   flatDispatch(n, workgroup)        -> [ceil(n / workgroup), 1, 1] (the backend reshapes past 65535)
 *   WORKGROUP_INDEX                   -> WGSL expression of the linear workgroup index
 */
import * as tf from '@tensorflow/tfjs-core';

export type UniformData = { type: 'int32' | 'uint32' | 'float32'; data: number[] };

export interface KernelProgram {
  variableNames: string[];
  outputShape: number[];
  shaderKey: string;
  dispatchLayout: { x: number[]; y?: number[]; z?: number[] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number];
  uniforms?: string;
  size?: boolean;
  /** Values per element of each input binding (4: declared array<vec4<f32>>), default outputComponent. */
  variableComponents?: number[];
  /** Values per element of the output binding (default 1). */
  outputComponent?: number;
  getUserCode: () => string;
}

interface WebGPUBackendLike {
  runWebGPUProgram(program: KernelProgram, inputs: tf.TensorInfo[], outputDtype: tf.DataType, uniforms?: UniformData[]): tf.TensorInfo;
}

let enabled = true;

/** Switches the model's WGSL kernels off (composed tfjs ops everywhere), e.g. to count the difference. */
export function setModelKernels(on: boolean): void {
  enabled = on;
}

/** True when the model's blocks should run their WGSL kernels (WebGPU backend, kernels on). */
export function useModelKernels(): boolean {
  return enabled && tf.getBackend() === 'webgpu';
}

const registered = new Set<string>();

/**
 * Runs `program` as a tfjs kernel named after its shaderKey (e.g. TabtuneLayerNormForwardRD), or
 * `name` when given (one kernel name for several program variants, each compiled under its own
 * shaderKey), registered for the webgpu backend on first use: tf.profile and the engine's kernel
 * bookkeeping then see it like any tfjs kernel.
 */
export function runProgram(program: KernelProgram, inputs: tf.Tensor[], uniforms: UniformData[], name?: string): tf.Tensor {
  const kernelName = name ?? program.shaderKey.charAt(0).toUpperCase() + program.shaderKey.slice(1);
  if (!registered.has(kernelName)) {
    tf.registerKernel({
      kernelName,
      backendName: 'webgpu',
      kernelFunc: ({ inputs: named, backend, attrs }) => {
        const run = attrs as unknown as { program: KernelProgram; uniforms: UniformData[] };
        const b = backend as unknown as WebGPUBackendLike;
        if (typeof b.runWebGPUProgram !== 'function') throw new Error(`${kernelName}: the backend cannot run WebGPU programs`);
        return b.runWebGPUProgram(run.program, run.program.variableNames.map((n) => named[n] as tf.TensorInfo), 'float32', run.uniforms);
      },
    });
    registered.add(kernelName);
  }
  const named: tf.NamedTensorMap = {};
  program.variableNames.forEach((n, i) => (named[n] = inputs[i]));
  return tf.engine().runKernel(kernelName, named, { program, uniforms } as unknown as tf.NamedAttrMap) as tf.Tensor;
}

/**
 * Runs `program` on `backend` from inside another kernel's kernelFunc (a wrapped tfjs kernel,
 * e.g. BatchMatMul): inputs and output are the backend's TensorInfos, and the dispatch is
 * attributed to the wrapped kernel in tf.profile.
 */
export function runProgramOn(backend: unknown, program: KernelProgram, inputs: tf.TensorInfo[], uniforms: UniformData[]): tf.TensorInfo {
  const b = backend as WebGPUBackendLike;
  if (typeof b.runWebGPUProgram !== 'function') throw new Error(`${program.shaderKey}: the backend cannot run WebGPU programs`);
  return b.runWebGPUProgram(program, inputs, 'float32', uniforms);
}

export function flatDispatch(n: number, workgroup: number): [number, number, number] {
  return [Math.max(1, Math.ceil(n / workgroup)), 1, 1];
}

/** Linear index of this workgroup (the backend turns a long x dispatch into x·y·z past 65535). */
export const WORKGROUP_INDEX = 'i32(workgroupId.z * numWorkgroups.x * numWorkgroups.y + workgroupId.y * numWorkgroups.x + workgroupId.x)';

/**
 * WGSL reductions over a workgroup of `size` threads (a power of two), through `red`; each is a
 * tree of log2(size) barrier steps, called from uniform control flow by every thread, and
 * returns the total to all of them:
 *   workgroupSum2(v)            Σ of a vec2 per thread
 *   workgroupMax(v)             max of one f32 per thread
 *   workgroupStats(n, mean, m2) count, mean and Σ(x − mean)² of the whole row from each thread's
 *                               own (count, mean, Σ(x − own mean)²): Chan et al.'s pairwise
 *                               merge, so mean and variance take one reduction instead of two
 *                               (and stay as exact as the two-pass formula)
 *   workgroupMaxSum(m, s)       the row's max M and Σ exp(x − M) from each thread's own max m and
 *                               Σ exp(x − m) (the "online softmax" merge): one reduction, not two
 */
export function workgroupSumWgsl(size: number): string {
  const tree = (merge: string, ret = 'total') => `
    red[tid] = v;
    workgroupBarrier();
    for (var s = ${size / 2}u; s > 0u; s = s >> 1u) {
      if (tid < s) { ${merge} }
      workgroupBarrier();
    }
    let total = red[0];
    workgroupBarrier();
    return ${ret};`;
  return `
  var<workgroup> red : array<vec4<f32>, ${size}>;
  fn workgroupSum2(v2 : vec2<f32>, tid : u32) -> vec2<f32> {
    let v = vec4<f32>(v2, 0.0, 0.0);${tree('red[tid] = red[tid] + red[tid + s];', 'total.xy')}
  }
  fn workgroupMax(v1 : f32, tid : u32) -> f32 {
    let v = vec4<f32>(v1, 0.0, 0.0, 0.0);${tree('red[tid].x = max(red[tid].x, red[tid + s].x);', 'total.x')}
  }
  ${mergeStatsWgsl('mergeStats')}
  fn workgroupStats(n : f32, mean : f32, m2 : f32, tid : u32) -> vec4<f32> {
    let v = vec4<f32>(n, mean, m2, 0.0);${tree('red[tid] = mergeStats(red[tid], red[tid + s]);')}
  }
  fn mergeMaxSum(a : vec4<f32>, b : vec4<f32>) -> vec4<f32> {
    let m = max(a.x, b.x);
    return vec4<f32>(m, a.y * exp(a.x - m) + b.y * exp(b.x - m), 0.0, 0.0);
  }
  fn workgroupMaxSum(m : f32, e : f32, tid : u32) -> vec2<f32> {
    let v = vec4<f32>(m, e, 0.0, 0.0);${tree('red[tid] = mergeMaxSum(red[tid], red[tid + s]);', 'total.xy')}
  }`;
}

/**
 * Chan et al.'s merge of two partial (count, mean, M2) triples held as vec4 (x n, y mean, z M2):
 * the WGSL function `name`, shared by the one-row (workgroupStats) and the row-group (rowStats)
 * reductions.
 */
function mergeStatsWgsl(name: string): string {
  return `fn ${name}(a : vec4<f32>, b : vec4<f32>) -> vec4<f32> {
    let n = a.x + b.x;
    if (n == 0.0) { return a; }
    let d = b.y - a.y;
    let f = b.x / n;
    return vec4<f32>(n, a.y + d * f, a.z + b.z + d * d * a.x * f, 0.0);
  }`;
}

/**
 * Rows of a workgroup split among groups of `perRow` threads (a power of two ≤ 64): thread
 * `lane` = localIndex mod perRow of slot `slot` = localIndex / perRow. Each reduction writes one
 * vec4 per thread to workgroup memory, waits at one barrier, and every thread then folds its
 * row's perRow values itself in lane order (broadcast reads: every thread of a row reads the same
 * address), so all threads of a row get the same bits; a second barrier guards the slots before
 * the next reduction. Two barriers per reduction whatever the row width, against log2(size) + 2
 * for workgroupSumWgsl's tree over one row per workgroup. Call from uniform control flow.
 *   rowSum2(v, lane, slot)        Σ of a vec2 over the row's threads
 *   rowStats(n, mean, m2, ...)    Chan's merge as workgroupStats
 *   rowMaxSum(m, s, ...)          the online-softmax merge as workgroupMaxSum
 */
export function rowGroupWgsl(perRow: number, slots: number): string {
  const fold = (first: string, merge: string) => `
    rowRed[slot * ${perRow}u + lane] = v;
    workgroupBarrier();
    var total = rowRed[slot * ${perRow}u];
    for (var k = 1u; k < ${perRow}u; k = k + 1u) { let o = rowRed[slot * ${perRow}u + k]; ${merge} }
    workgroupBarrier();
    return ${first};`;
  return `
  var<workgroup> rowRed : array<vec4<f32>, ${perRow * slots}>;
  fn rowSum2(v2 : vec2<f32>, lane : u32, slot : u32) -> vec2<f32> {
    let v = vec4<f32>(v2, 0.0, 0.0);${fold('total.xy', 'total = total + o;')}
  }
  ${mergeStatsWgsl('rowMergeStats')}
  fn rowStats(n : f32, mean : f32, m2 : f32, lane : u32, slot : u32) -> vec4<f32> {
    let v = vec4<f32>(n, mean, m2, 0.0);${fold('total', 'total = rowMergeStats(total, o);')}
  }
  fn rowMaxSum(m : f32, e : f32, lane : u32, slot : u32) -> vec2<f32> {
    let v = vec4<f32>(m, e, 0.0, 0.0);${fold('total.xy', 'let mm = max(total.x, o.x); total = vec4<f32>(mm, total.y * exp(total.x - mm) + o.y * exp(o.x - mm), 0.0, 0.0);')}
  }`;
}

/**
 * Threads per row for the row kernels (LayerNorm, attention softmax): enough that a thread holds
 * ≤ 16 values of a row (four 4-column Philox blocks), at least 4, at most 64 (then up to 32 values
 * each, rows ≤ 2048). H = 128: 8 threads, 8 rows per 64-thread workgroup. Measured on tiny (bench
 * README, fifth round): 16 threads per 128-wide row 0.58 s of these kernels per step, 8 threads
 * 0.37 s, 4 threads 0.34 s (within noise of 8); 8 rather than 4 keeps the LayerNorm backward's six
 * per-thread arrays at 16 values each (96 registers), which a real GPU holds without spilling.
 */
export function rowThreads(cols: number): number {
  let t = 4;
  while (t < 64 && t * 16 < cols) t *= 2;
  return t;
}

/**
 * WGSL loop over this thread's columns of a row: 4 consecutive columns per thread (one Philox
 * block when the row is 4-aligned), 4·perRow columns per round, `rounds` rounds (a constant of
 * the shader: the loop has a fixed trip count); slot `s` indexes the thread's register arrays and
 * is the same in every loop of a kernel.
 */
export function rowLoop(body: string, perRow: number, rounds: number): string {
  return `for (var s = 0; s < ${4 * rounds}; s = s + 1) {
      let c = (s >> 2) * ${4 * perRow} + i32(lane) * 4 + (s & 3);
      if (c < cols) {
        ${body}
      }
    }`;
}
