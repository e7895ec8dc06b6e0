/**
 * Run settings as the page edits them and the worker receives them (`configure` command).
 * Plain JSON (structured-clone safe). Names follow run_classifier.py / run_squad.py's flags in
 * camelCase; defaults are theirs. The worker maps these onto core's training config.
 *
 * STABLE CONTRACT: the UI (src/app, src/ui) reads `RunSettings`, `defaultSettings(task)` and
 * `SETTINGS_FIELDS` (label + one-line help per field, in src/state/settings-fields.ts).
 */
import type { TaskName } from '../core/data';
import type { TrainingConfig } from '../core/train';
import type { OptimizerName, ScheduleName } from '../core/train';

/** Column mapping for a user's own TSV/CSV (task `tsv`): column indices or header names. */
export interface ColumnMapping {
  textA: string | number;
  textB?: string | number;
  label: string | number;
}

export interface RunSettings {
  /** Sequence length after WordPiece, with [CLS]/[SEP]; longer inputs are truncated (GLUE) or windowed (SQuAD). */
  maxSeqLength: number;
  /** SQuAD: tokens between the starts of two context windows. */
  docStride: number;
  /** SQuAD: questions longer than this (tokens) are truncated. */
  maxQueryLength: number;
  /** Sequences per optimizer step (before gradient accumulation). */
  batchSize: number;
  learningRate: number;
  epochs: number;
  /** Fraction of the steps with linear warm-up of the learning rate. */
  warmupProportion: number;
  optimizer: OptimizerName;
  schedule: ScheduleName;
  weightDecay: number;
  /** Global-norm gradient clipping; 0 disables. */
  maxGradNorm: number;
  gradientAccumulationSteps: number;
  /** Evaluate on the dev set every N optimizer steps (0: only at each epoch end). */
  evalEverySteps: number;
  /** Save a checkpoint (IndexedDB) every N optimizer steps (0: only at the end of the run). */
  saveCheckpointsSteps: number;
  seed: number;
  /** Lower-case and strip accents (uncased models). */
  doLowerCase: boolean;
  /** Use at most this many training examples (0: all). */
  maxTrainExamples: number;
  /** SQuAD post-processing. */
  nBestSize: number;
  maxAnswerLength: number;
  /** SQuAD 2.0: predict "no answer" when null score − best span score exceeds this. */
  nullScoreDiffThreshold: number;
  /** Task `tsv` only. */
  columns?: ColumnMapping;
}

export const CLASSIFIER_DEFAULTS: RunSettings = {
  maxSeqLength: 128,
  docStride: 128,
  maxQueryLength: 64,
  batchSize: 32,
  learningRate: 5e-5,
  epochs: 3,
  warmupProportion: 0.1,
  optimizer: 'bert-adam',
  schedule: 'google',
  weightDecay: 0.01,
  maxGradNorm: 1.0,
  gradientAccumulationSteps: 1,
  evalEverySteps: 0,
  saveCheckpointsSteps: 1000,
  seed: 12345,
  doLowerCase: true,
  maxTrainExamples: 0,
  nBestSize: 20,
  maxAnswerLength: 30,
  nullScoreDiffThreshold: 0,
};

export const SQUAD_DEFAULTS: RunSettings = {
  ...CLASSIFIER_DEFAULTS,
  maxSeqLength: 384,
  docStride: 128,
  maxQueryLength: 64,
};

export function isSquadTask(task: TaskName): task is 'squad' | 'squad2' {
  return task === 'squad' || task === 'squad2';
}

/** run_squad.py's flag defaults for SQuAD tasks (384 / 128 / 64), run_classifier.py's otherwise (128; batch 32, lr 5e-5, 3 epochs, warmup 0.1 for both). */
export function defaultSettings(task: TaskName): RunSettings {
  return { ...(isSquadTask(task) ? SQUAD_DEFAULTS : CLASSIFIER_DEFAULTS) };
}

/** The core training config's fields these settings set (the rest keep core's defaults). */
export function trainingOverrides(s: RunSettings): Partial<TrainingConfig> {
  return {
    maxSeqLength: s.maxSeqLength,
    docStride: s.docStride,
    maxQueryLength: s.maxQueryLength,
    trainBatchSize: s.batchSize,
    learningRate: s.learningRate,
    numTrainEpochs: s.epochs,
    warmupProportion: s.warmupProportion,
    saveCheckpointsSteps: s.saveCheckpointsSteps,
    optimizer: s.optimizer,
    schedule: s.schedule,
    weightDecay: s.weightDecay,
    maxGradNorm: s.maxGradNorm,
    gradientAccumulationSteps: s.gradientAccumulationSteps,
    seed: s.seed,
    maxTrainExamples: s.maxTrainExamples,
    evalEverySteps: s.evalEverySteps,
    doLowerCase: s.doLowerCase,
    nBestSize: s.nBestSize,
    maxAnswerLength: s.maxAnswerLength,
    nullScoreDiffThreshold: s.nullScoreDiffThreshold,
  };
}
