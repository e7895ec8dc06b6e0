/**
 * BertIntermediate: dense H -> I, then the configured activation: act(x·Wᵀ + b).
 * With a GELU the bias add joins the activation's kernel (activations.ts) and the matmul runs
 * without it; relu keeps the dense layer's fused bias.
 * Glossary: B batch, S sequence length, H hidden size, I intermediate size.
 */
import * as tf from '@tensorflow/tfjs-core';
import { activate } from './activations';
import type { BertConfig } from './config';
import { linear, loraDelta } from './lora';
import { matMulWeightT } from './matmul';
import type { Params } from './params';

export function intermediate(p: Params, prefix: string, c: BertConfig, x: tf.Tensor2D): tf.Tensor2D {
  // x [B·S, H]
  if (c.hiddenAct === 'relu') return activate(linear(p, `${prefix}.dense`, x), 'relu'); // [B·S, I]
  const weight = p(`${prefix}.dense.weight`) as tf.Tensor2D; // [I, H]
  const bias = p(`${prefix}.dense.bias`); // [I]
  const delta = loraDelta(p, `${prefix}.dense`, x); // [B·S, I] or null (LoRA on the FFN)
  const z = matMulWeightT(x, weight); // [B·S, I]
  return activate(delta ? (tf.add(z, delta) as tf.Tensor2D) : z, c.hiddenAct, bias); // [B·S, I]: GELU(z + b), one kernel on WebGPU
}
