/**
 * Task adapters: how a task turns files into features, training batches, predictions and
 * metrics. Shared by the CLI, the worker and the page, so none of them re-implements it.
 */
import type { HeadSpec, BertModel, HostBatch } from '../model/types';
import type { TaskName, ProgressCallback } from '../data/types';

/** A training set: features in memory, collated on demand. */
export interface TrainSet {
  readonly numExamples: number;
  readonly numFeatures: number;
  /** The features at `indices` as one padded batch (bucketed sequence length); `epoch` (the loop's) lets masked LM draw new masks each epoch. */
  batch(indices: readonly number[], epoch?: number): HostBatch;
}

/** A character span of a context (UTF-16, end exclusive). */
export interface CharSpan {
  text: string;
  start: number;
  end: number;
}

/** A dev question with the model's current answer (live span predictions). */
export interface LiveSpanPrediction {
  qasId: string;
  question: string;
  context: string;
  /** null: no answer predicted (SQuAD 2.0), or none could be located. */
  predicted: CharSpan | null;
  gold: CharSpan[];
  /** Exact match after SQuAD normalisation against any gold answer. */
  exact: boolean;
  f1: number;
}

export type TaskPredictions =
  /** losses: per example (labelled data), cross-entropy with the gold label / squared error: the hardest examples. */
  | { kind: 'classification'; guids: string[]; labels: string[]; predicted: string[]; logits: Float32Array[]; losses?: number[] }
  | { kind: 'regression'; guids: string[]; predicted: number[]; losses?: number[] }
  | {
      kind: 'span';
      /** qas_id -> answer text (predictions.json). */
      predictions: Record<string, string>;
      nbest: Record<string, unknown[]>;
      /** SQuAD 2.0: qas_id -> null score difference (null_odds.json). */
      nullOdds?: Record<string, number>;
    }
  /** Masked LM: no per-example output, the count of predicted positions and the metrics. */
  | { kind: 'masked-lm'; predicted: number; metrics: Record<string, number> };

export interface EvalOutcome {
  /** Empty when the data has no labels / answers (a test file). */
  metrics: Record<string, number>;
  predictions: TaskPredictions;
  /** SQuAD: the first few questions with their predicted answers. */
  spans?: LiveSpanPrediction[];
}

export interface EvalOptions {
  batchSize: number;
  signal?: AbortSignal;
  onProgress?: ProgressCallback;
  /** How many live span predictions to return (SQuAD). */
  liveSpanCount?: number;
}

/** An evaluation (or prediction) set. */
export interface EvalSet {
  readonly numExamples: number;
  readonly numFeatures: number;
  /** True when the file carries labels or answers (metrics can be computed). */
  readonly labelled: boolean;
  evaluate(model: BertModel, options: EvalOptions): Promise<EvalOutcome>;
}

export interface TaskAdapter {
  readonly task: TaskName;
  readonly head: HeadSpec;
  /** Class labels (classification), empty otherwise. */
  readonly labels: string[];
  readonly train?: TrainSet;
  readonly dev?: EvalSet;
  /** What readers skipped (bad rows, unrecoverable answers), for the log. */
  readonly notes: string[];
}

/**
 * Parsed datasets kept by the caller (a session): a file is read and parsed once however often it
 * is counted, previewed, trained on and evaluated. `get` returns the value stored under `key`, or
 * reads, stores and returns it.
 */
export interface DatasetCache {
  get<T>(key: string, read: () => Promise<T>): Promise<T>;
}
