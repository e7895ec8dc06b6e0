/**
 * Which weights train: the "Trainable parameters" choice.
 *   full                 every weight (the default)
 *   freeze               the embeddings and/or the first N encoder layers are frozen: they stay
 *                        plain device tensors, so autograd computes no gradient for them (tfjs
 *                        only differentiates the path from the listed variables to the loss) and
 *                        the optimizer, built on model.variables, holds no slots for them
 *   lora                 peft's LoRA (lora.ts): every pre-trained weight frozen; only the adapters
 *                        lora_A / lora_B and the task head train
 * Glossary: r rank, α alpha, H hidden size.
 */
import { TabtuneError } from '../errors';
import type { BertConfig } from './config';
import type { WeightMap } from './types';

/** Dense layers LoRA can adapt, by their Hugging Face module path inside a layer. */
export const LORA_TARGETS = ['query', 'key', 'value', 'attention.output', 'intermediate', 'output'] as const;
export type LoraTarget = (typeof LORA_TARGETS)[number];

export interface LoraSpec {
  /** Rank r (peft default 8). Ignored when `init` is given: read from its shapes. */
  rank: number;
  /** α; the update is scaled by α/r (peft: lora_alpha, default 16 here as in the issue). */
  alpha: number;
  /** Dropout on the adapter's input (peft lora_dropout), training only. */
  dropout: number;
  /** Adapted layers (peft target_modules); default query and value. */
  targets: LoraTarget[];
  /** Starting lora_A / lora_B by canonical name (`bert.encoder.layer.0.attention.self.query.lora_A.weight`); else A Kaiming-uniform, B zero. */
  init?: WeightMap;
}

export type TrainableSpec =
  | { kind: 'full' }
  | { kind: 'freeze'; embeddings: boolean; layers: number }
  | ({ kind: 'lora' } & LoraSpec);

export const DEFAULT_LORA: LoraSpec = { rank: 8, alpha: 16, dropout: 0.1, targets: ['query', 'value'] };

/** The module path of a target in layer l (the weight is `${path}.weight`). */
export function loraModulePath(layer: number, target: LoraTarget): string {
  const p = `bert.encoder.layer.${layer}`;
  switch (target) {
    case 'query':
    case 'key':
    case 'value':
      return `${p}.attention.self.${target}`;
    case 'attention.output':
      return `${p}.attention.output.dense`;
    case 'intermediate':
      return `${p}.intermediate.dense`;
    case 'output':
      return `${p}.output.dense`;
  }
}

export function validateTrainable(spec: TrainableSpec, c: BertConfig): void {
  const bad = (what: string, expected: string) => new TabtuneError(what, { location: 'trainable parameters', expected, code: 'trainable-config' });
  if (spec.kind === 'freeze') {
    if (!Number.isInteger(spec.layers) || spec.layers < 0 || spec.layers > c.numHiddenLayers) {
      throw bad(`freeze ${spec.layers} layers`, `a whole number from 0 to ${c.numHiddenLayers} (the model's layers)`);
    }
  } else if (spec.kind === 'lora') {
    if (!spec.init && (!Number.isInteger(spec.rank) || spec.rank < 1)) throw bad(`LoRA rank ${spec.rank}`, 'a whole number ≥ 1');
    if (!(spec.alpha > 0)) throw bad(`LoRA alpha ${spec.alpha}`, 'a number > 0');
    if (!(spec.dropout >= 0 && spec.dropout < 1)) throw bad(`LoRA dropout ${spec.dropout}`, 'a rate in [0, 1)');
    if (spec.targets.length === 0) throw bad('no LoRA target layers', `one or more of ${LORA_TARGETS.join(', ')}`);
    for (const t of spec.targets) if (!LORA_TARGETS.includes(t)) throw bad(`LoRA target '${t}'`, `one of ${LORA_TARGETS.join(', ')}`);
  }
}

/** True when a pre-trained weight (bert.*, cls.*) is frozen under `spec`; head weights are never frozen, except by LoRA's tied decoder. */
export function isFrozen(spec: TrainableSpec | undefined, name: string): boolean {
  if (!spec || spec.kind === 'full') return false;
  if (spec.kind === 'lora') return name.startsWith('bert.');
  if (name.startsWith('bert.embeddings.')) return spec.embeddings;
  const m = /^bert\.encoder\.layer\.(\d+)\./.exec(name);
  return m !== null && Number(m[1]) < spec.layers;
}
