/**
 * The typed configuration of one fine-tuning run: google-research/bert's run_classifier.py and
 * run_squad.py flags (camelCase here, kebab-case on the CLI), their defaults per task, and named
 * presets. `resolveTrainingConfig` is the one place defaults are applied and values validated.
 */
import { TabtuneError } from '../errors';
import type { TaskName } from '../data/types';
import { SCHEDULE_NAMES, type OptimizerConfig, type OptimizerName, type ScheduleName } from './types';
import { DEFAULT_OPTIMIZER } from './types';

export interface TrainingConfig {
  task: TaskName;
  /** run_classifier 128, run_squad 384. */
  maxSeqLength: number;
  /** SQuAD only. */
  docStride: number;
  maxQueryLength: number;
  trainBatchSize: number;
  /** run_classifier eval_batch_size / run_squad predict_batch_size (8). */
  evalBatchSize: number;
  learningRate: number;
  numTrainEpochs: number;
  warmupProportion: number;
  /** 0 disables checkpoints. */
  saveCheckpointsSteps: number;
  optimizer: OptimizerName;
  schedule: ScheduleName;
  weightDecay: number;
  maxGradNorm: number;
  gradientAccumulationSteps: number;
  seed: number;
  /** Use only the first N training examples (questions for SQuAD); 0 = all. */
  maxTrainExamples: number;
  /** Use only the first N evaluation examples; 0 = all. */
  maxEvalExamples: number;
  /** Evaluate every N optimizer steps (0 = only at each epoch end). */
  evalEverySteps: number;
  doLowerCase: boolean;
  /** SQuAD 2.0 (implied by task squad2). */
  versionTwoWithNegative: boolean;
  nBestSize: number;
  maxAnswerLength: number;
  nullScoreDiffThreshold: number;
  /**
   * Batches are padded to the smallest of these lengths that holds their longest sequence (the
   * WebGPU buffer pool is keyed by size, so only a few shapes may occur); lengths above
   * maxSeqLength are ignored and maxSeqLength is always one. Empty: always maxSeqLength.
   * SQuAD training batches always use maxSeqLength (run_squad's loss spans every position).
   */
  seqBuckets: number[];
  /**
   * Dropout while training at the model config's rates (BERT's default). Off: no dropout at all,
   * e.g. to fit a handful of examples quickly.
   */
  dropout: boolean;
  /** SQuAD: how many dev questions are reported as live span predictions at each evaluation. */
  liveSpanCount: number;
}

const COMMON: Omit<TrainingConfig, 'task'> = {
  maxSeqLength: 128,
  docStride: 128,
  maxQueryLength: 64,
  trainBatchSize: 32,
  evalBatchSize: 8,
  learningRate: 5e-5,
  numTrainEpochs: 3,
  warmupProportion: 0.1,
  saveCheckpointsSteps: 1000,
  optimizer: 'bert-adam',
  schedule: 'google',
  weightDecay: 0.01,
  maxGradNorm: 1.0,
  gradientAccumulationSteps: 1,
  seed: 42,
  maxTrainExamples: 0,
  maxEvalExamples: 0,
  evalEverySteps: 0,
  doLowerCase: true,
  versionTwoWithNegative: false,
  nBestSize: 20,
  maxAnswerLength: 30,
  nullScoreDiffThreshold: 0,
  seqBuckets: [32, 64, 128, 256, 384, 512],
  dropout: true,
  liveSpanCount: 3,
};

export function isSquadTask(task: TaskName): task is 'squad' | 'squad2' {
  return task === 'squad' || task === 'squad2';
}

/** run_classifier.py's defaults, or run_squad.py's for `squad` / `squad2`. */
export function defaultTrainingConfig(task: TaskName): TrainingConfig {
  if (isSquadTask(task)) {
    return {
      ...COMMON,
      task,
      maxSeqLength: 384,
      trainBatchSize: 12,
      learningRate: 3e-5,
      numTrainEpochs: 2,
      versionTwoWithNegative: task === 'squad2',
    };
  }
  return { ...COMMON, task };
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

/** Defaults for the task, then a preset, then explicit overrides; validated. */
export function resolveTrainingConfig(
  task: TaskName,
  overrides: Partial<TrainingConfig> = {},
  preset: TrainingPresetName = 'reference',
): TrainingConfig {
  const base = defaultTrainingConfig(task);
  const defined = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)) as Partial<TrainingConfig>;
  const c: TrainingConfig = { ...base, ...TRAINING_PRESETS[preset], ...defined, task };
  if (task === 'squad2') c.versionTwoWithNegative = true;
  validateTrainingConfig(c);
  return c;
}

function bad(field: string, value: unknown, expected: string): TabtuneError {
  return new TabtuneError(`invalid training setting ${field} = ${JSON.stringify(value)}`, {
    file: 'training config',
    location: field,
    expected,
    code: 'train-config',
  });
}

export function validateTrainingConfig(c: TrainingConfig): void {
  const posInt: Array<keyof TrainingConfig> = ['maxSeqLength', 'trainBatchSize', 'evalBatchSize', 'gradientAccumulationSteps', 'nBestSize', 'maxAnswerLength'];
  for (const k of posInt) {
    const v = c[k];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw bad(k, v, 'a whole number of at least 1');
  }
  const nonNegInt: Array<keyof TrainingConfig> = ['saveCheckpointsSteps', 'maxTrainExamples', 'maxEvalExamples', 'evalEverySteps', 'liveSpanCount', 'seed'];
  for (const k of nonNegInt) {
    const v = c[k];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw bad(k, v, 'a whole number of at least 0');
  }
  if (!(c.learningRate > 0) || !Number.isFinite(c.learningRate)) throw bad('learningRate', c.learningRate, 'a positive number');
  if (!(c.numTrainEpochs > 0) || !Number.isFinite(c.numTrainEpochs)) throw bad('numTrainEpochs', c.numTrainEpochs, 'a positive number');
  if (!(c.warmupProportion >= 0 && c.warmupProportion < 1)) throw bad('warmupProportion', c.warmupProportion, 'a number in [0, 1)');
  if (!(c.weightDecay >= 0)) throw bad('weightDecay', c.weightDecay, 'a number of at least 0');
  if (!(c.maxGradNorm >= 0)) throw bad('maxGradNorm', c.maxGradNorm, 'a number of at least 0 (0 disables clipping)');
  if (c.optimizer !== 'bert-adam' && c.optimizer !== 'adamw') throw bad('optimizer', c.optimizer, "'bert-adam' or 'adamw'");
  if (!SCHEDULE_NAMES.includes(c.schedule)) throw bad('schedule', c.schedule, SCHEDULE_NAMES.map((n) => `'${n}'`).join(', '));
  if (isSquadTask(c.task)) {
    if (!Number.isInteger(c.docStride) || c.docStride < 1) throw bad('docStride', c.docStride, 'a whole number of at least 1');
    if (!Number.isInteger(c.maxQueryLength) || c.maxQueryLength < 1) throw bad('maxQueryLength', c.maxQueryLength, 'a whole number of at least 1');
    if (c.maxSeqLength <= c.maxQueryLength + 3) {
      throw bad('maxSeqLength', c.maxSeqLength, `more than maxQueryLength + 3 = ${c.maxQueryLength + 3}`);
    }
  }
  if (!Array.isArray(c.seqBuckets) || !c.seqBuckets.every((b) => Number.isInteger(b) && b > 0)) {
    throw bad('seqBuckets', c.seqBuckets, 'a list of positive whole numbers');
  }
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
