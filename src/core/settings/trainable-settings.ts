/**
 * The "Trainable parameters" settings (schema.ts: trainableParameters, loraRank, loraAlpha,
 * loraDropout, loraTargets, freezeEmbeddings, freezeLayers) as the model's TrainableSpec
 * (core/model/trainable.ts), and their checks against each other and the model:
 *
 *   trainableSpecOf(settings)           -> { kind: 'full' } | { kind: 'lora', rank, alpha, … } | { kind: 'freeze', … }
 *   trainableIssues(settings, context)  -> every problem, each naming its setting
 */
import type { LoraTarget, TrainableSpec } from '../model/trainable';
import type { SettingKey, Settings } from './schema';

type TrainableSettings = Pick<Settings, 'trainableParameters' | 'loraRank' | 'loraAlpha' | 'loraDropout' | 'loraTargets' | 'freezeEmbeddings' | 'freezeLayers'>;

export function trainableSpecOf(s: TrainableSettings): TrainableSpec {
  switch (s.trainableParameters) {
    case 'full':
      return { kind: 'full' };
    case 'lora':
      return { kind: 'lora', rank: s.loraRank, alpha: s.loraAlpha, dropout: s.loraDropout, targets: s.loraTargets.split(',') as LoraTarget[] };
    case 'freeze':
      return { kind: 'freeze', embeddings: s.freezeEmbeddings, layers: s.freezeLayers };
  }
}

/** Cross-checks the table's bounds cannot express (numLayers: the model's num_hidden_layers, when known). */
export function trainableIssues(s: TrainableSettings, context: { numLayers?: number }): { key: SettingKey; message: string }[] {
  const issues: { key: SettingKey; message: string }[] = [];
  if (s.trainableParameters !== 'freeze') return issues;
  const layers = context.numLayers;
  if (layers !== undefined && s.freezeLayers > layers) {
    issues.push({ key: 'freezeLayers', message: `Freeze first N layers: ${s.freezeLayers} exceeds the model's ${layers} layers (num_hidden_layers); use at most ${layers}` });
  } else if (!s.freezeEmbeddings && s.freezeLayers === 0) {
    issues.push({ key: 'freezeLayers', message: 'Freeze first N layers: freeze mode with 0 layers and the embeddings not frozen freezes nothing; freeze some layers or the embeddings, or choose full fine-tuning' });
  }
  return issues;
}
