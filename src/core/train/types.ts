/** Training configuration and the events a training run streams. */

export type OptimizerName = 'bert-adam' | 'adamw';
export type ScheduleName = 'google' | 'linear' | 'constant';
/** Every schedule (schedule.ts), for validation and flag help. */
export const SCHEDULE_NAMES: readonly ScheduleName[] = ['google', 'linear', 'constant'];

export interface OptimizerConfig {
  name: OptimizerName;
  learningRate: number;
  /** Total optimizer steps (for the decay). */
  numTrainSteps: number;
  numWarmupSteps: number;
  /** 'google': warmup init_lr·step/warmup then init_lr·(1 − step/total); 'linear': warmup then linear decay from the peak over the remaining steps; 'constant': warmup then lr (transformers' constant_with_warmup; no warmup = constant). */
  schedule: ScheduleName;
  weightDecay: number;
  /** Global-norm clipping; 0 or Infinity disables. */
  maxGradNorm: number;
  beta1: number;
  beta2: number;
  epsilon: number;
}

export const DEFAULT_OPTIMIZER: OptimizerConfig = {
  name: 'bert-adam',
  learningRate: 5e-5,
  numTrainSteps: 1000,
  numWarmupSteps: 100,
  schedule: 'google',
  weightDecay: 0.01,
  maxGradNorm: 1.0,
  beta1: 0.9,
  beta2: 0.999,
  epsilon: 1e-6,
};

/** What one optimizer step reports (read back asynchronously). */
export interface StepMetrics {
  step: number;
  epoch: number;
  loss: number;
  learningRate: number;
  gradNorm: number;
  examplesPerSec: number;
  tokensPerSec: number;
  /** tf.memory(): numBytes / numTensors at the end of the step. */
  memoryBytes: number;
  numTensors: number;
}

export interface EvalResult {
  step: number;
  epoch: number;
  metrics: Record<string, number>;
}
