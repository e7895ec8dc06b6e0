/**
 * Runs one hand-written WGSL compute shader on tfjs's WebGPU backend: the same device, the same
 * buffers (a tensor's GPUBuffer is bound directly, nothing is copied) and the same command
 * encoder and queue, so the dispatch is ordered with every tfjs kernel around it.
 *
 *   dispatchWgsl(backend, { name, code, bindings: [{ tensor, write? }], uniforms, workgroups })
 *
 * Why not `backend.runWebGPUProgram`: a WebGPUProgram has exactly one writable binding (its
 * output) and declares every input read-only, so a kernel that updates p, m and v in place (the
 * optimizer) or writes many slots of one buffer from many dispatches (the gradient norm) cannot
 * be written as one. Here the shader declares its own bindings: binding i is bindings[i]
 * (`var<storage, read_write>` when `write`, else `var<storage, read>`), then the uniform block
 * (when given) at binding `bindings.length`. Entry point `main`.
 *
 * Bookkeeping mirrors tfjs's recordAndSubmit (tfjs-backend-webgpu 4.22): inputs are uploaded
 * if still on the CPU; every bound tensor is marked as owned by the pending command buffer (so a
 * tensor disposed right after is not recycled before the queue ran); a written tensor's CPU
 * cache (`values`, kept by a previous read) is dropped so the next read sees the new contents;
 * the dispatch counts toward WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE like any tfjs kernel; under
 * tf.profile the dispatch gets its own timestamped pass like tfjs's own kernels.
 *
 * A buffer must not be bound twice in one dispatch when one of the bindings writes (WebGPU
 * forbids writable aliasing): callers pass distinct tensors.
 */
import * as tf from '@tensorflow/tfjs-core';

/** The parts of tfjs-backend-webgpu 4.22's WebGPUBackend this helper uses. */
export interface WebGPUBackendLike {
  device: GPUDevice;
  tensorMap: { get(dataId: unknown): { resource: unknown; values: unknown; shape: number[]; dtype: string } | undefined };
  uploadToGPU(dataId: unknown): void;
  makeUniforms(u: { type: 'float32' | 'int32' | 'uint32'; data: number[] }[]): GPUBufferBinding;
  ensureCommandEncoderReady(): void;
  endComputePassEncoder(): void;
  submitQueue(): void;
  getQueryTime(): Promise<number>;
  commandEncoder: GPUCommandEncoder;
  computePassEncoder: GPUComputePassEncoder | null;
  commandQueueOwnedIds: WeakSet<object>;
  dispatchCountInPass: number;
  activeTimers: { name: string; query: Promise<number> }[] | null;
  supportTimestampQuery: boolean;
  querySet: GPUQuerySet | null;
  querySetCount: number;
}

export interface Binding {
  tensor: tf.TensorInfo;
  /** Bound read_write (the shader writes it in place). */
  write?: boolean;
}

export interface Dispatch {
  /** Kernel name (profiles, pipeline labels). */
  name: string;
  /** Full WGSL: bindings declared by the shader as described above; entry point `main`. */
  code: string;
  bindings: Binding[];
  /** Scalars of the shader's `Uniforms` struct, in declaration order (4 bytes each). */
  uniforms?: { type: 'float32' | 'int32' | 'uint32'; value: number }[];
  workgroups: [number, number?, number?];
}

/** The WebGPU backend when it is the active one, else undefined. */
export function activeWebGPU(): WebGPUBackendLike | undefined {
  if (tf.getBackend() !== 'webgpu') return undefined;
  const b = tf.backend() as unknown as Partial<WebGPUBackendLike>;
  return b.device && b.tensorMap && typeof b.uploadToGPU === 'function' ? (b as WebGPUBackendLike) : undefined;
}

const pipelines = new WeakMap<GPUDevice, Map<string, GPUComputePipeline>>();

function pipelineFor(device: GPUDevice, name: string, code: string): GPUComputePipeline {
  let byCode = pipelines.get(device);
  if (!byCode) pipelines.set(device, (byCode = new Map()));
  let p = byCode.get(code);
  if (!p) {
    p = device.createComputePipeline({ label: name, layout: 'auto', compute: { module: device.createShaderModule({ label: name, code }), entryPoint: 'main' } });
    byCode.set(code, p);
  }
  return p;
}

/** Largest number of storage buffers one shader may bind on this device. */
export function maxStorageBindings(backend: WebGPUBackendLike): number {
  return backend.device.limits.maxStorageBuffersPerShaderStage;
}

/** Workgroup counts for `n` threads of `size` per group, capped per dimension (kernels loop with a grid stride). */
export function gridFor(n: number, size: number, cap = 4096): number {
  return Math.max(1, Math.min(cap, Math.ceil(n / size)));
}

/** Counted dispatches (all tfjs kernels go through recordAndSubmit; these go through here). */
export const dispatchStats = { count: 0 };

export function dispatchWgsl(backend: WebGPUBackendLike, d: Dispatch): void {
  const entries: GPUBindGroupEntry[] = [];
  d.bindings.forEach((b, i) => {
    backend.uploadToGPU(b.tensor.dataId);
    const data = backend.tensorMap.get(b.tensor.dataId);
    if (!data || !(data.resource instanceof GPUBuffer)) throw new Error(`${d.name}: binding ${i} is not a GPU buffer`);
    if (b.write) data.values = null; // the CPU copy a previous read cached is stale from now on
    backend.commandQueueOwnedIds.add(b.tensor.dataId as object);
    entries.push({ binding: i, resource: { buffer: data.resource } });
  });
  if (d.uniforms?.length) {
    // Padded to 16 bytes (a uniform struct's size rounds up to its alignment; 16 is safe everywhere).
    const u = d.uniforms.map((x) => ({ type: x.type, data: [x.value] }));
    while (u.length % 4) u.push({ type: 'uint32', data: [0] });
    entries.push({ binding: d.bindings.length, resource: backend.makeUniforms(u) });
  }
  const pipeline = pipelineFor(backend.device, d.name, d.code);
  const bindGroup = backend.device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries });
  const timed = backend.activeTimers != null;
  backend.ensureCommandEncoderReady();
  if (timed && backend.supportTimestampQuery) {
    backend.endComputePassEncoder();
    backend.querySet ??= backend.device.createQuerySet({ type: 'timestamp', count: backend.querySetCount });
    backend.computePassEncoder = backend.commandEncoder.beginComputePass({ timestampWrites: { querySet: backend.querySet, beginningOfPassWriteIndex: 0, endOfPassWriteIndex: 1 } });
  } else if (!backend.computePassEncoder) {
    backend.computePassEncoder = backend.commandEncoder.beginComputePass({});
  }
  const pass = backend.computePassEncoder!;
  pass.setPipeline(pipeline);
  pass.setBindGroup(0, bindGroup);
  pass.dispatchWorkgroups(d.workgroups[0], d.workgroups[1] ?? 1, d.workgroups[2] ?? 1);
  dispatchStats.count += 1;
  backend.dispatchCountInPass++;
  if (timed || (tf.env().get('WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE') as number) <= backend.dispatchCountInPass) {
    backend.endComputePassEncoder();
    if (timed) backend.activeTimers!.push({ name: d.name, query: backend.getQueryTime() });
    else backend.submitQueue();
  }
}

const registered = new Set<string>();

/**
 * Runs `run` as a tfjs engine kernel named `name` on the WebGPU backend, so tf.profile lists it
 * (with the GPU time of its dispatches) and the engine tracks the tensor it returns.
 * `inputs` are only recorded (the closure binds what it needs).
 */
export function runAsKernel(name: string, inputs: tf.NamedTensorMap, run: (backend: WebGPUBackendLike) => tf.TensorInfo): tf.Tensor;
/** The same for a kernel with several outputs (the engine returns them in order). */
export function runAsKernel(name: string, inputs: tf.NamedTensorMap, run: (backend: WebGPUBackendLike) => tf.TensorInfo[]): tf.Tensor[];
export function runAsKernel(name: string, inputs: tf.NamedTensorMap, run: (backend: WebGPUBackendLike) => tf.TensorInfo | tf.TensorInfo[]): tf.Tensor | tf.Tensor[] {
  if (!registered.has(name)) {
    if (!tf.getKernel(name, 'webgpu')) {
      tf.registerKernel({ kernelName: name, backendName: 'webgpu', kernelFunc: ({ backend, attrs }) => (attrs as unknown as { run: typeof run }).run(backend as unknown as WebGPUBackendLike) });
    }
    registered.add(name);
  }
  return tf.engine().runKernel(name, inputs, { run } as unknown as tf.NamedAttrMap) as tf.Tensor | tf.Tensor[];
}

/** A fresh uninitialised float32 tensor on the WebGPU backend (a kernel writes all of it). */
export function newOutput(backend: WebGPUBackendLike, shape: number[], dtype: tf.DataType = 'float32'): tf.TensorInfo {
  return (backend as unknown as { makeTensorInfo(shape: number[], dtype: tf.DataType): tf.TensorInfo }).makeTensorInfo(shape, dtype);
}
