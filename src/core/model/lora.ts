/**
 * LoRA (Hu et al. 2021) as the peft library defines it, on a dense layer y = x·Wᵀ + b:
 *   y = x·Wᵀ + b + (α/r) · dropout(x)·Aᵀ·Bᵀ        A [r, in], B [out, r]; W, b frozen
 * so the effective weight is W' = W + (α/r)·B·A. peft's init: A Kaiming-uniform
 * (kaiming_uniform_(a=√5): U(−1/√in, 1/√in)), B zero, so W' = W at step 0.
 * Names as peft's (adapter name dropped, as its saved files do):
 *   <module>.lora_A.weight [r, in], <module>.lora_B.weight [out, r]
 * e.g. bert.encoder.layer.0.attention.self.query.lora_A.weight.
 *
 *   linear(p, module, x)   the blocks' dense layer with the adapter when `p.lora` has one
 *   loraParams(p, adapters, dropout)   per-forward Params carrying the adapters
 *   loraInitialWeights(spec, c, seed)  A, B by name (peft's init, or spec.init checked)
 * Glossary: M rows (B·S or B), r rank, in/out the layer's sizes.
 */
import * as tf from '@tensorflow/tfjs-core';
import { TabtuneError } from '../errors';
import type { LoadedTensor } from '../io/safetensors';
import type { BertConfig } from './config';
import { dense } from './dense';
import { mixSeed, type Dropout } from './dropout';
import { matMulWeightT } from './matmul';
import type { Params } from './params';
import { loraModulePath, type LoraSpec } from './trainable';
import type { WeightMap } from './types';

export interface LoraAdapter {
  a: tf.Tensor; // [r, in]
  b: tf.Tensor; // [out, r]
  scaling: number; // α / r
  rate: number; // dropout on the adapter's input
  dropout: Dropout;
}

/** Params that also answer `lora(module)`: the adapter of that dense layer, if any. */
export type LoraParams = Params & { lora?: (module: string) => LoraAdapter | undefined };

/** A dense layer by module path (`${module}.weight` [out, in], `${module}.bias` [out]), plus its LoRA adapter when the params carry one. */
export function linear(p: Params, module: string, x: tf.Tensor2D): tf.Tensor2D {
  const y = dense(x, p(`${module}.weight`), p(`${module}.bias`)); // [M, out]
  const delta = loraDelta(p, module, x);
  return delta ? (tf.add(y, delta) as tf.Tensor2D) : y; // [M, out]
}

/** The adapter's term (α/r)·dropout(x)·Aᵀ·Bᵀ of a dense layer, or null without one (for callers that fuse the bias elsewhere). */
export function loraDelta(p: Params, module: string, x: tf.Tensor2D): tf.Tensor2D | null {
  const ad = (p as LoraParams).lora?.(module);
  if (!ad) return null;
  const down = matMulWeightT(ad.dropout(x, ad.rate), ad.a as tf.Tensor2D); // [M, r]
  const up = matMulWeightT(down, ad.b as tf.Tensor2D); // [M, out]
  return tf.mul(up, ad.scaling) as tf.Tensor2D; // [M, out]
}

/** Per-forward params: `p` plus the adapters (A, B read through `p`), with this pass's dropout. */
export function loraParams(p: Params, modules: ReadonlyMap<string, { scaling: number; rate: number }>, dropout: Dropout): LoraParams {
  const withLora = ((name: string) => p(name)) as LoraParams;
  withLora.lora = (module) => {
    const m = modules.get(module);
    if (!m) return undefined;
    return { a: p(`${module}.lora_A.weight`), b: p(`${module}.lora_B.weight`), scaling: m.scaling, rate: m.rate, dropout };
  };
  return withLora;
}

/** In and out sizes of an adaptable module. */
function moduleSizes(module: string, c: BertConfig): [number, number] {
  const H = c.hiddenSize;
  if (module.endsWith('.intermediate.dense')) return [H, c.intermediateSize];
  if (/\.layer\.\d+\.output\.dense$/.test(module)) return [c.intermediateSize, H];
  return [H, H];
}

export interface LoraLayout {
  rank: number;
  /** α / r. */
  scaling: number;
  /** Adapted module paths. */
  modules: string[];
  /** A and B shapes by name. */
  shapes: Map<string, number[]>;
}

/** The adapted modules and A/B shapes; the rank comes from spec.init's shapes when given (checked for consistency). */
export function loraLayout(spec: LoraSpec, c: BertConfig, source = 'LoRA weights'): LoraLayout {
  const modules: string[] = [];
  for (let l = 0; l < c.numHiddenLayers; l++) for (const t of spec.targets) modules.push(loraModulePath(l, t));
  let rank = spec.rank;
  if (spec.init) {
    const first = spec.init.get(`${modules[0]}.lora_A.weight`);
    if (!first) throw new TabtuneError('is missing', { file: source, location: `tensor ${modules[0]}.lora_A.weight`, expected: `lora_A/lora_B for every adapted layer (${spec.targets.join(', ')})`, code: 'lora-missing' });
    rank = first.shape[0];
  }
  const shapes = new Map<string, number[]>();
  for (const m of modules) {
    const [inSize, outSize] = moduleSizes(m, c);
    shapes.set(`${m}.lora_A.weight`, [rank, inSize]);
    shapes.set(`${m}.lora_B.weight`, [outSize, rank]);
  }
  if (spec.init) {
    for (const [name, shape] of shapes) {
      const t = spec.init.get(name);
      if (!t) throw new TabtuneError('is missing', { file: source, location: `tensor ${name}`, expected: `a [${shape.join(', ')}] float32 tensor`, code: 'lora-missing' });
      if (t.dtype !== 'float32' || t.shape.length !== 2 || t.shape[0] !== shape[0] || t.shape[1] !== shape[1]) {
        throw new TabtuneError(`is ${t.dtype} [${t.shape.join(', ')}]`, { file: source, location: `tensor ${name}`, expected: `float32 [${shape.join(', ')}] (rank ${rank} from the first lora_A)`, code: 'lora-shape' });
      }
    }
  }
  return { rank, scaling: spec.alpha / rank, modules, shapes };
}

/** peft's initial A (Kaiming-uniform, a = √5: U(−1/√in, 1/√in), seeded per name) and B (zeros), or spec.init's tensors. */
export function loraInitialWeight(name: string, shape: number[], spec: LoraSpec, seed: number): LoadedTensor {
  const given = spec.init?.get(name);
  if (given) return given;
  const count = shape[0] * shape[1];
  if (name.endsWith('.lora_B.weight')) return { dtype: 'float32', shape, data: new Float32Array(count) };
  const bound = 1 / Math.sqrt(shape[1]);
  const nameSeed = [...name].reduce((h, ch) => mixSeed(h, ch.charCodeAt(0)), seed);
  const t = tf.randomUniform(shape, -bound, bound, 'float32', nameSeed);
  const data = new Float32Array(t.dataSync() as Float32Array);
  t.dispose();
  return { dtype: 'float32', shape, data };
}
