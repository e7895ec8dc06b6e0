/**
 * The typed configuration of one fine-tuning run: the task plus every setting of the settings
 * table (core/settings/schema.ts: run_classifier.py / run_squad.py's flags, their defaults per
 * task family with sources, bounds), and named presets. Defaults and validation are the table's;
 * this file adds the presets and the step arithmetic.
 */
import { TabtuneError } from '../errors';
import type { TaskName } from '../data/types';
import { defaultSettings } from '../settings/schema';
import { resolveSettings, validateSettings } from '../settings/validate';
import type { Settings } from '../settings/schema';
import type { OptimizerConfig } from './types';
import { DEFAULT_OPTIMIZER } from './types';


export interface TrainingConfig extends Settings {
  task: TaskName;
  /** SQuAD 2.0 (set exactly when task is squad2). */
  versionTwoWithNegative: boolean;
}

/** run_classifier.py's defaults, or run_squad.py's for `squad` / `squad2` (core/settings/schema.ts). */
export function defaultTrainingConfig(task: TaskName): TrainingConfig {
  return { ...defaultSettings(task), task, versionTwoWithNegative: task === 'squad2' };
}

/** Named presets: partial configs applied over the task's defaults. */
export const TRAINING_PRESETS = {
  /** google-research/bert's flags as published (the defaults). */
  reference: {},
  /** A small BERT (BERT-Tiny/Mini, or the test fixtures) fitting a small set quickly. */
  'small-fast': {
    maxSeqLength: 64,
    docStride: 16,
    maxQueryLength: 12,
    trainBatchSize: 16,
    learningRate: 3e-3,
    numTrainEpochs: 30,
    warmupProportion: 0.05,
    optimizer: 'adamw',
    schedule: 'linear',
    weightDecay: 0,
    saveCheckpointsSteps: 0,
  },
  /** Memory-frugal BERT-Base on a laptop GPU: batch 8 x 4 accumulated = 32. */
  'base-laptop': {
    trainBatchSize: 8,
    gradientAccumulationSteps: 4,
  },
} satisfies Record<string, Partial<TrainingConfig>>;

export type TrainingPresetName = keyof typeof TRAINING_PRESETS;

/**
 * Defaults for the task, then a preset, then explicit overrides (undefined ones ignored); a
 * default the model cannot take is not known here (see resolveSettings with a context). Throws the
 * first problem as a TabtuneError.
 */
export function resolveTrainingConfig(
  task: TaskName,
  overrides: Partial<TrainingConfig> = {},
  preset: TrainingPresetName = 'reference',
): TrainingConfig {
  const r = resolveSettings({ task, edits: { ...TRAINING_PRESETS[preset], ...(overrides as Partial<Settings>) } });
  const c: TrainingConfig = { ...r.settings, task, versionTwoWithNegative: task === 'squad2' };
  validateTrainingConfig(c);
  return c;
}

/** Throws the config's first problem (settings table bounds, SQuAD lengths) as a TabtuneError. */
export function validateTrainingConfig(c: TrainingConfig): void {
  const [first] = validateSettings(c.task, c);
  if (!first) return;
  const field = first.key ?? 'settings';
  throw new TabtuneError(`invalid training setting ${field} = ${JSON.stringify(first.key ? c[first.key] : null)}: ${first.message}`, {
    file: 'training config',
    location: field,
    expected: first.message,
    code: 'train-config',
  });
}

/**
 * run_classifier: num_train_steps = int(len(train_examples) / train_batch_size * num_train_epochs).
 * Here an epoch is one pass over the features in batches of trainBatchSize (the last one may be
 * smaller), an optimizer step takes gradientAccumulationSteps of those batches (accumulation
 * runs across epoch ends), and warmup = int(steps · proportion).
 */
export function countTrainSteps(c: TrainingConfig, numTrainFeatures: number): {
  microBatchesPerEpoch: number;
  totalMicroBatches: number;
  numTrainSteps: number;
  numWarmupSteps: number;
} {
  const microBatchesPerEpoch = Math.max(1, Math.ceil(numTrainFeatures / c.trainBatchSize));
  // Round away float noise of fractional epochs (e.g. 0.1 * 30) before taking the ceiling.
  const totalMicroBatches = Math.ceil(Math.round(microBatchesPerEpoch * c.numTrainEpochs * 1e6) / 1e6);
  const numTrainSteps = Math.max(1, Math.floor(totalMicroBatches / c.gradientAccumulationSteps));
  const numWarmupSteps = Math.floor(numTrainSteps * c.warmupProportion);
  return { microBatchesPerEpoch, totalMicroBatches, numTrainSteps, numWarmupSteps };
}

/** The optimizer's config for a run over `numTrainFeatures` features. */
export function optimizerConfigFor(c: TrainingConfig, numTrainFeatures: number): OptimizerConfig {
  const { numTrainSteps, numWarmupSteps } = countTrainSteps(c, numTrainFeatures);
  return {
    ...DEFAULT_OPTIMIZER,
    name: c.optimizer,
    learningRate: c.learningRate,
    numTrainSteps,
    numWarmupSteps,
    schedule: c.schedule,
    weightDecay: c.weightDecay,
    maxGradNorm: c.maxGradNorm,
    // google-research/bert's AdamWeightDecayOptimizer uses 1e-6; torch.optim.AdamW 1e-8.
    epsilon: c.optimizer === 'adamw' ? 1e-8 : 1e-6,
  };
}
