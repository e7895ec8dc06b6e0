/**
 * BERT's two optimizers as fused, device-resident updates.
 *
 *   createOptimizer(config, variables, { groupLimit? }) -> FusedOptimizer
 *
 * bert-adam (google-research/bert optimization.AdamWeightDecayOptimizer, no bias correction):
 *   m = β1·m + (1−β1)·g;  v = β2·v + (1−β2)·g²
 *   p -= lr · ( m / (√v + ε) + wd·p )            (wd only where decay applies)
 * adamw (torch.optim.AdamW, t counts applied updates):
 *   p *= 1 − lr·wd;  m, v as above
 *   p -= lr/(1−β1ᵗ) · m / (√v/√(1−β2ᵗ) + ε)
 * Weight decay is skipped for names containing "LayerNorm", "layer_norm" or "bias".
 *
 * Speed: variables are packed into flat groups (decay / no-decay, at most `groupLimit`
 * elements each, so no single buffer exceeds WebGPU's binding limits); each group's update is
 * one chain of ~15 elementwise kernels on the concatenated gradient, instead of ~14 kernels
 * per variable as tfjs's Adam does. m and v live on the device as one tf.Variable per group.
 *
 * Skipping: the update takes `ok` (a bool scalar on the device). On GPU backends, when false, g
 * is zeroed and the update coefficients turn into the identity (m, v, p and t unchanged),
 * decided entirely on the device: no read-back is needed to keep the last good weights.
 *
 * Host-memory backends (wasm, cpu) have no device queue to stall and slow generic copy kernels
 * (concat / split / tile measured at ~0.3 s per 4M floats under load on WASM), so there every
 * variable is its own group (no packing) and `ok` is read directly from memory: a skipped
 * step then does no work at all, an applied one needs no guard.
 *
 * WebGPU: WGSL kernels (src/core/kernels): one reduction pass gives every tensor's Σg², the
 * global norm, the clip factor and the skip decision on the device (global-norm.ts), then the
 * update kernel changes p, m and v in place, several tensors per dispatch (adam.ts). Variables
 * stay separate (no concat, no split); their moments live in a few slabs (one for any model up to
 * the device's largest storage binding) with an offset table, so a dispatch binds 2 buffers per
 * tensor: with 10 storage bindings a step of N tensors is ⌈N/9⌉ + 1 + ⌈N/4⌉ dispatches
 * (⌈N/7⌉ + 1 + ⌈N/3⌉ on WebGPU's default 8).
 *
 * `step(grads, loss, lr)` does all of it (norm, clip, guard, update) and returns the report
 * [loss, ‖g‖, applied (1/0), Σg² per tensor in `names` order], read asynchronously by the
 * trainer. The guard is sticky: after a non-finite step no later step applies until
 * clearHalt(), so steps already enqueued behind a bad one keep the last good weights.
 */
import * as tf from '@tensorflow/tfjs-core';
import { TabtuneError } from '../errors';
import type { LoadedTensor } from '../io/safetensors';
import type { OptimizerConfig } from './types';
import { activeWebGPU, newOutput, runAsKernel } from '../kernels/gpu-dispatch';
import { enqueueGlobalNorm, NORM_PARTIALS, SCALARS_SIZE, STATE_SIZE } from '../kernels/global-norm';
import { enqueueAdam, packAdamSlots, type SlotLayout } from '../kernels/adam';

/** Optimizer state on the host, for checkpoints (same shape as checkpoint.ts's OptimizerSnapshot). */
export interface OptimizerState {
  /** `${variable}/adam_m` and `${variable}/adam_v` by Hugging Face name. */
  tensors: Map<string, LoadedTensor>;
  meta: Record<string, number | string | boolean>;
}

export interface StepHyper {
  /** This step's learning rate. */
  learningRate: number;
  /** Global-norm clipping factor already computed on the device (1 = no clipping). */
  clipScale: tf.Scalar;
  /** Bool scalar: apply this step (false keeps every weight and slot as it is). */
  ok: tf.Scalar;
}

export interface FusedOptimizer {
  readonly config: OptimizerConfig;
  /** Changes hyper-parameters for the following steps (e.g. a lower learning rate after a skipped step). */
  updateConfig(patch: Partial<OptimizerConfig>): void;
  /** Variable names in update order. */
  readonly names: readonly string[];
  /**
   * One optimizer step: Σg² per tensor, ‖g‖, the (sticky) guard, clipping and the update, all
   * enqueued. Returns [loss, ‖g‖, applied, Σg² per tensor in `names` order] (3 + N).
   */
  step(grads: ReadonlyMap<string, tf.Tensor>, loss: tf.Scalar, learningRate: number): tf.Tensor1D;
  /** Lets steps apply again after a non-finite one halted the optimizer. */
  clearHalt(): void;
  /** Which implementation runs: WGSL kernels (webgpu) or composed tfjs ops. */
  readonly path: 'kernels' | 'composed';
  /** Number of updates applied so far (a device scalar read asynchronously). */
  appliedSteps(): Promise<number>;
  getState(): Promise<OptimizerState>;
  setState(state: OptimizerState, file?: string): void;
  dispose(): void;
}

export interface CreateOptimizerOptions {
  /** Largest number of elements packed into one group (default 4M = 16 MB of float32). */
  groupLimit?: number;
  /** Treat the backend as host-memory (sync flag read, no packing); default: wasm and cpu are. */
  hostResident?: boolean;
  /** Use the WGSL kernels (default: when the WebGPU backend is active); false forces the composed ops. */
  kernels?: boolean;
  /** Kernel path: most float32 values per moment slab (default: the device's largest storage binding); tests lower it to exercise several slabs. */
  slabLimit?: number;
}

export function decays(name: string): boolean {
  return !(name.includes('LayerNorm') || name.includes('layer_norm') || name.includes('bias'));
}

interface Group {
  names: string[];
  vars: tf.Variable[];
  sizes: number[];
  size: number;
  decay: boolean;
  m: tf.Variable<tf.Rank.R1>;
  v: tf.Variable<tf.Rank.R1>;
}

let optimizerCounter = 0;
const HOST_BACKENDS = new Set(['wasm', 'cpu']);

export function createOptimizer(config: OptimizerConfig, variables: ReadonlyMap<string, tf.Variable>, options: CreateOptimizerOptions = {}): FusedOptimizer {
  if (config.name !== 'bert-adam' && config.name !== 'adamw') {
    throw new TabtuneError(`unknown optimizer '${String(config.name)}'`, { location: 'optimizer', expected: 'bert-adam or adamw', code: 'optimizer-name' });
  }
  const hostResident = options.hostResident ?? HOST_BACKENDS.has(tf.getBackend());
  const gpu = activeWebGPU();
  const kernels = (options.kernels ?? true) && !hostResident && gpu !== undefined;
  const limit = kernels ? 0 : options.groupLimit ?? (hostResident ? 0 : 4 * 1024 * 1024);
  const id = ++optimizerCounter;
  const groups: Group[] = [];
  // Kernel path: every variable its own group, decaying ones first (the composed path's order),
  // with no moments of its own (they live in the slabs).
  for (const decay of kernels ? [true, false] : []) {
    for (const [name, variable] of variables) {
      if (decays(name) === decay) groups.push({ names: [name], vars: [variable], sizes: [variable.size], size: variable.size, decay, m: undefined!, v: undefined! });
    }
  }
  for (const decay of kernels ? [] : [true, false]) {
    let open: Omit<Group, 'm' | 'v'> | undefined;
    const close = () => {
      if (!open) return;
      const gi = groups.length;
      groups.push({
        ...open,
        // tidy: the zeros the variables start from are released (tidy never disposes variables)
        m: tf.tidy(() => tf.variable(tf.zeros([open!.size]), false, `tabtune-opt${id}/g${gi}/m`)) as tf.Variable<tf.Rank.R1>,
        v: tf.tidy(() => tf.variable(tf.zeros([open!.size]), false, `tabtune-opt${id}/g${gi}/v`)) as tf.Variable<tf.Rank.R1>,
      });
      open = undefined;
    };
    for (const [name, variable] of variables) {
      if (decays(name) !== decay) continue;
      if (open && open.size + variable.size > limit) close();
      open ??= { names: [], vars: [], sizes: [], size: 0, decay };
      open.names.push(name);
      open.vars.push(variable);
      open.sizes.push(variable.size);
      open.size += variable.size;
    }
    close();
  }
  let cfg: OptimizerConfig = { ...config };
  const t = tf.tidy(() => tf.variable(tf.scalar(0), false, `tabtune-opt${id}/t`)) as tf.Variable<tf.Rank.R0>;
  const names = groups.flatMap((g) => g.names);
  /** Kernel path: where each variable's m and v live (adam.ts), slabs ≤ the largest storage binding. */
  const slots: { layout: SlotLayout; slabs: tf.Variable<tf.Rank.R1>[] } | undefined = gpu && kernels
    ? (() => {
        const maxFloats = Math.floor(Math.min(gpu.device.limits.maxStorageBufferBindingSize, gpu.device.limits.maxBufferSize) / 4);
        const layout = packAdamSlots(groups.map((g) => g.size), options.slabLimit ?? maxFloats);
        const slabs = layout.slabSizes.map((n, s) => tf.tidy(() => tf.variable(tf.zeros([n]), false, `tabtune-opt${id}/slab${s}`)) as tf.Variable<tf.Rank.R1>);
        return { layout, slabs };
      })()
    : undefined;

  const flattenGroup = (g: Group, grads: ReadonlyMap<string, tf.Tensor>): tf.Tensor1D => {
    const parts = g.names.map((n) => {
      const gr = grads.get(n);
      if (!gr) throw new Error(`internal: no gradient for ${n}`);
      return tf.reshape(gr, [-1]);
    });
    return (parts.length === 1 ? parts[0] : tf.concat(parts)) as tf.Tensor1D; // [n_g]
  };
  /** Sticky guard of the composed path (bool scalar): set by a non-finite step, cleared by clearHalt(). */
  const halted = tf.tidy(() => tf.variable(tf.scalar(false, 'bool'), false, `tabtune-opt${id}/halted`)) as tf.Variable<tf.Rank.R0>;
  /** Device buffers of the kernel path (global-norm.ts): partial sums, [t, halted, β1ᵗ, β2ᵗ], step scalars. */
  const dev = kernels
    ? tf.tidy(() => ({
        partials: tf.variable(tf.zeros([Math.max(1, names.length) * NORM_PARTIALS]), false, `tabtune-opt${id}/norm-partials`),
        state: tf.variable(tf.tensor1d([0, 0, 1, 1]), false, `tabtune-opt${id}/state`),
        scal: tf.variable(tf.zeros([SCALARS_SIZE]), false, `tabtune-opt${id}/scalars`),
      }))
    : undefined;
  if (dev && dev.state.size !== STATE_SIZE) throw new Error('internal: optimizer state layout');

  /** One update; `groupGrad(i)` gives group i's flat gradient (made inside that group's tidy, so
   * only one group's temporaries are alive at a time: BERT-base fits the WASM heap). */
  const update = (groupGrad: (gi: number) => tf.Tensor1D, hyper: StepHyper): void => {
    const { beta1: b1, beta2: b2, epsilon: eps, weightDecay: wd } = cfg;
    // Host-memory backends: read the flag (a memory read, no stall); skip all work when false.
    const hostOk = hostResident ? hyper.ok.dataSync()[0] !== 0 : undefined;
    if (hostOk === false) return;
    tf.tidy(() => {
      const okf = tf.cast(hyper.ok, 'float32'); // [] 1 or 0
      const lrEff = tf.mul(okf, hyper.learningRate) as tf.Scalar; // [] 0 when skipped
      const a1 = tf.where(hyper.ok, tf.scalar(b1), tf.scalar(1)); // [] β1, or 1 (keep m)
      const a2 = tf.where(hyper.ok, tf.scalar(b2), tf.scalar(1));
      const c1 = tf.mul(hyper.clipScale, 1 - b1); // [] (1−β1)·clip
      const c2 = tf.mul(tf.square(hyper.clipScale), 1 - b2); // [] (1−β2)·clip²
      let stepSize: tf.Scalar = lrEff;
      let sqrtBc2: tf.Scalar | undefined;
      const tNew = tf.add(t, okf) as tf.Scalar; // applied updates, this one included
      t.assign(tNew);
      if (config.name === 'adamw') {
        const tPos = tf.maximum(tNew, 1); // guards 0/0 when the very first step is skipped
        const bc1 = tf.sub(1, tf.pow(tf.scalar(b1), tPos));
        sqrtBc2 = tf.sqrt(tf.sub(1, tf.pow(tf.scalar(b2), tPos))) as tf.Scalar;
        stepSize = tf.div(lrEff, bc1) as tf.Scalar;
      }
      groups.forEach((g, gi) => tf.tidy(() => {
        const n = g.size;
        const raw = groupGrad(gi); // [n]
        const grad = hostOk ? raw : tf.where(tf.broadcastTo(hyper.ok, [n]), raw, tf.zeros([n])); // [n] non-finite -> 0 when skipped
        // Each stage in its own tidy, assigned at once: only a few [n] temporaries are alive at a
        // time (BERT-base's word-embedding group is 94 MB per copy).
        g.m.assign(tf.tidy(() => tf.add(tf.mul(g.m, a1), tf.mul(grad, c1)) as tf.Tensor1D)); // [n]
        g.v.assign(tf.tidy(() => tf.add(tf.mul(g.v, a2), tf.mul(tf.square(grad), c2)) as tf.Tensor1D)); // [n]
        const m = g.m;
        const v = g.v;
        const next = tf.tidy(() => {
          let p = (g.vars.length === 1 ? tf.reshape(g.vars[0], [-1]) : tf.concat(g.vars.map((x) => tf.reshape(x, [-1])))) as tf.Tensor1D; // [n]
          if (cfg.name === 'bert-adam') {
            const ratio = tf.tidy(() => tf.div(m, tf.add(tf.sqrt(v), eps))); // [n]
            const update = g.decay && wd !== 0 ? tf.add(ratio, tf.mul(p, wd)) : ratio;
            return tf.sub(p, tf.mul(update, stepSize)) as tf.Tensor1D;
          }
          if (g.decay && wd !== 0) p = tf.mul(p, tf.sub(1, tf.mul(lrEff, wd))) as tf.Tensor1D;
          const ratio = tf.tidy(() => tf.div(m, tf.add(tf.div(tf.sqrt(v), sqrtBc2!), eps))); // [n]
          return tf.sub(p, tf.mul(ratio, stepSize)) as tf.Tensor1D;
        });
        const pieces = g.vars.length === 1 ? [next] : tf.split(next, g.sizes);
        g.vars.forEach((variable, i) => variable.assign(tf.reshape(pieces[i], variable.shape)));
      }));
    });
  };
  const clipScale = (norm: tf.Scalar, ok: tf.Scalar): tf.Scalar => {
    const c = cfg.maxGradNorm;
    if (!(c > 0) || !Number.isFinite(c)) return tf.scalar(1);
    const safe = tf.where(ok, norm, tf.scalar(0)); // NaN-free when skipped
    if (cfg.name === 'bert-adam') return tf.div(c, tf.maximum(safe, c)) as tf.Scalar;
    return tf.minimum(1, tf.div(c, tf.add(safe, 1e-6))) as tf.Scalar;
  };

  /** WebGPU: the norm pass, the finalize kernel and one update kernel per tensor. */
  const stepKernels = (grads: ReadonlyMap<string, tf.Tensor>, loss: tf.Scalar, lr: number): tf.Tensor1D => {
    const ordered = names.map((n) => {
      const g = grads.get(n);
      if (!g) throw new Error(`internal: no gradient for ${n}`);
      return g;
    });
    const inputs: tf.NamedTensorMap = { loss };
    ordered.forEach((g, i) => (inputs[`g${i}`] = g));
    return runAsKernel('TabtuneOptimizerStep', inputs, (backend) => {
      const report = newOutput(backend, [3 + names.length]);
      enqueueGlobalNorm(backend, ordered, loss, dev!, report, { mode: cfg.name, learningRate: lr, maxGradNorm: cfg.maxGradNorm, beta1: cfg.beta1, beta2: cfg.beta2 });
      const tensors = groups.map((g, gi) => ({ p: g.vars[0], g: ordered[gi], weightDecay: g.decay ? cfg.weightDecay : 0 }));
      enqueueAdam(backend, tensors, slots!.layout, slots!.slabs, dev!.scal, { mode: cfg.name, beta1: cfg.beta1, beta2: cfg.beta2, epsilon: cfg.epsilon });
      return report;
    }) as tf.Tensor1D;
  };

  /** Composed ops: the same step from tfjs kernels (wasm, cpu, webgl). */
  const stepComposed = (grads: ReadonlyMap<string, tf.Tensor>, loss: tf.Scalar, lr: number): tf.Tensor1D =>
    tf.tidy(() => {
      const sumsq = tf.stack(names.map((n) => tf.sum(tf.square(grads.get(n)!)))); // [N]
      const total = tf.sum(sumsq) as tf.Scalar;
      const finite = tf.logicalAnd(tf.isFinite(loss), tf.isFinite(total)) as tf.Scalar;
      const ok = tf.logicalAnd(finite, tf.logicalNot(halted)) as tf.Scalar;
      halted.assign(tf.logicalOr(halted, tf.logicalNot(finite)) as tf.Scalar);
      const norm = tf.sqrt(total) as tf.Scalar;
      update((gi) => flattenGroup(groups[gi], grads), { learningRate: lr, clipScale: clipScale(norm, ok), ok });
      return tf.concat([tf.stack([loss, norm, tf.cast(ok, 'float32')]), sumsq]) as tf.Tensor1D; // [3 + N]
    });

  const getState = async (): Promise<OptimizerState> => {
    const tensors = new Map<string, LoadedTensor>();
    if (slots) {
      const slabs: Float32Array[] = [];
      for (const s of slots.slabs) slabs.push((await s.data()) as Float32Array);
      groups.forEach((g, i) => {
        const at = slots.layout.places[i];
        const shape = [...g.vars[0].shape];
        // views into the slab copies (no second copy of BERT-base's ~0.9 GB of moments)
        tensors.set(`${g.names[0]}/adam_m`, { dtype: 'float32', shape, data: slabs[at.mSlab].subarray(at.mOff, at.mOff + at.n) });
        tensors.set(`${g.names[0]}/adam_v`, { dtype: 'float32', shape, data: slabs[at.vSlab].subarray(at.vOff, at.vOff + at.n) });
      });
    }
    for (const g of slots ? [] : groups) {
      const [m, v] = [(await g.m.data()) as Float32Array, (await g.v.data()) as Float32Array];
      let off = 0;
      g.names.forEach((name, i) => {
        const shape = [...g.vars[i].shape];
        const size = g.sizes[i];
        tensors.set(`${name}/adam_m`, { dtype: 'float32', shape, data: m.slice(off, off + size) });
        tensors.set(`${name}/adam_v`, { dtype: 'float32', shape, data: v.slice(off, off + size) });
        off += size;
      });
    }
    const applied = dev ? (await dev.state.data())[0] : (await t.data())[0];
    return { tensors, meta: { optimizer: config.name, appliedSteps: applied } };
  };

  const setState = (state: OptimizerState, file = 'optimizer state'): void => {
    if (state.meta.optimizer !== undefined && state.meta.optimizer !== config.name) {
      throw new TabtuneError(`holds ${String(state.meta.optimizer)} state`, { file, location: 'meta.optimizer', expected: config.name, code: 'optimizer-state' });
    }
    /** The checked values of `${name}/${slot}` (variable i of group g). */
    const slotData = (g: Group, i: number, slot: 'adam_m' | 'adam_v') => {
      const key = `${g.names[i]}/${slot}`;
      const src = state.tensors.get(key);
      if (!src) throw new TabtuneError('is missing', { file, location: `tensor ${key}`, expected: `a [${g.vars[i].shape.join(', ')}] float32 tensor`, code: 'optimizer-state' });
      if (src.data.length !== g.sizes[i]) {
        throw new TabtuneError(`has ${src.data.length} values`, { file, location: `tensor ${key}`, expected: `shape [${g.vars[i].shape.join(', ')}]`, code: 'optimizer-state' });
      }
      return src.data;
    };
    const slabData = slots?.layout.slabSizes.map((n) => new Float32Array(n));
    const packed = (slots ? [] : groups).map((g) => {
      const m = new Float32Array(g.size);
      const v = new Float32Array(g.size);
      let off = 0;
      g.names.forEach((_, i) => {
        m.set(slotData(g, i, 'adam_m'), off);
        v.set(slotData(g, i, 'adam_v'), off);
        off += g.sizes[i];
      });
      return { m, v };
    });
    if (slots && slabData) {
      groups.forEach((g, i) => {
        const at = slots.layout.places[i];
        slabData[at.mSlab].set(slotData(g, 0, 'adam_m'), at.mOff);
        slabData[at.vSlab].set(slotData(g, 0, 'adam_v'), at.vOff);
      });
    }
    const applied = Number(state.meta.appliedSteps ?? 0);
    if (!Number.isFinite(applied) || applied < 0) {
      throw new TabtuneError(`appliedSteps is ${String(state.meta.appliedSteps)}`, { file, location: 'meta.appliedSteps', expected: 'a non-negative number', code: 'optimizer-state' });
    }
    packed.forEach(({ m, v }, i) => {
      tf.tidy(() => {
        groups[i].m.assign(tf.tensor1d(m));
        groups[i].v.assign(tf.tensor1d(v));
      });
    });
    slabData?.forEach((data, s) => tf.tidy(() => slots!.slabs[s].assign(tf.tensor1d(data))));
    tf.tidy(() => t.assign(tf.scalar(applied)));
    if (dev) tf.tidy(() => dev.state.assign(tf.tensor1d([applied, 0, Math.pow(cfg.beta1, applied), Math.pow(cfg.beta2, applied)])));
  };

  return {
    get config() {
      return cfg;
    },
    updateConfig(patch) {
      if (patch.name !== undefined && patch.name !== cfg.name) {
        throw new TabtuneError(`cannot switch optimizer from ${cfg.name} to ${patch.name} mid-run`, { location: 'optimizer', expected: cfg.name, code: 'optimizer-name' });
      }
      cfg = { ...cfg, ...patch };
    },
    names,
    path: kernels ? 'kernels' : 'composed',
    step: (grads, loss, lr) => (kernels ? stepKernels(grads, loss, lr) : stepComposed(grads, loss, lr)),
    clearHalt() {
      tf.tidy(() => halted.assign(tf.scalar(false, 'bool')));
      if (dev) tf.tidy(() => dev.state.assign(tf.concat([tf.slice(dev.state, [0], [1]), tf.zeros([1]), tf.slice(dev.state, [2], [2])])));
    },
    appliedSteps: async () => (dev ? (await dev.state.data())[0] : (await t.data())[0]),
    getState,
    setState,
    dispose() {
      for (const g of slots ? [] : groups) {
        g.m.dispose();
        g.v.dispose();
      }
      slots?.slabs.forEach((s) => s.dispose());
      t.dispose();
      halted.dispose();
      if (dev) tf.dispose([dev.partials, dev.state, dev.scal]);
    },
  };
}
