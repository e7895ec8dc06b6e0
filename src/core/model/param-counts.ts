/**
 * Parameter counts per trainable-parameter choice (trainable.ts), from the model's own weight
 * tables (params.ts, the head's shapes, lora.ts's layout): what the memory estimate and the
 * pre-flight check need.
 *   total       every weight held on the device (encoder, pooler when computed, head, adapters)
 *   trainable   the weights that get gradients and AdamW slots
 *   training state bytes = 4·total (weights) + 4·trainable (gradients) + 8·trainable (Adam m, v)
 * Activations are not counted here (they depend on batch and sequence length).
 */
import { headParamShapes } from './bert-model';
import type { BertConfig } from './config';
import { loraLayout } from './lora';
import { encoderParamShapes, poolerParamShapes } from './params';
import { isFrozen, type TrainableSpec } from './trainable';
import type { HeadSpec } from './types';

export interface ParamCounts {
  total: number;
  trainable: number;
  /** LoRA adapters' parameters (all trainable), 0 without LoRA. */
  lora: number;
  /** 4·total + 12·trainable: float32 weights, gradients and Adam's two slots. */
  trainingStateBytes: number;
}

export function paramCounts(c: BertConfig, head: HeadSpec, spec: TrainableSpec = { kind: 'full' }): ParamCounts {
  const size = (s: number[]) => s.reduce((a, b) => a * b, 1);
  const noPooler = head.kind === 'span' || head.kind === 'mlm';
  let total = 0;
  let trainable = 0;
  for (const [name, shape] of [...encoderParamShapes(c), ...(noPooler ? [] : poolerParamShapes(c)), ...headParamShapes(c, head)]) {
    total += size(shape);
    if (!isFrozen(spec, name)) trainable += size(shape);
  }
  let lora = 0;
  if (spec.kind === 'lora') for (const shape of loraLayout(spec, c).shapes.values()) lora += size(shape);
  total += lora;
  trainable += lora;
  return { total, trainable, lora, trainingStateBytes: 4 * total + 12 * trainable };
}
