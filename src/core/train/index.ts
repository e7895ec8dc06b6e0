/**
 * Fine-tuning: run configuration, task adapters, the training loop and checkpoints.
 * Pure (the Node filesystem checkpoint store is src/platform/node/checkpoint-store.ts).
 *
 *   const config = resolveTrainingConfig('mrpc', { learningRate: 2e-5 });
 *   const task = await createTaskAdapter({ tokenizer, config, train, dev });
 *   const model = createBertModel(bertConfig, weights, task.head, { seed: config.seed });
 *   const result = await runTraining({ model, config, train: task.train!, dev: task.dev, store }, callbacks, signal);
 */
export type { OptimizerConfig, OptimizerName, ScheduleName, StepMetrics, EvalResult } from './types';
export { DEFAULT_OPTIMIZER, SCHEDULE_NAMES } from './types';
export type { TrainingConfig, TrainingPresetName } from './run-config';
export { TRAINING_PRESETS, countTrainSteps, defaultTrainingConfig, optimizerConfigFor, resolveTrainingConfig, validateTrainingConfig } from './run-config';
export type { CharSpan, EvalOptions, EvalOutcome, EvalSet, LiveSpanPrediction, TaskAdapter, TaskPredictions, TrainSet } from './task-types';
export type { TaskInput } from './task';
export { createTaskAdapter } from './task';
export { createMlmTask, paddedMaskedBatch, readMlmCorpus, MLM_METRICS } from './task-mlm';
export { bucketLengths, cutToBucket } from './task-buckets';
export type { NonFiniteReport, TrainingCallbacks, TrainingOptions, TrainingPhase, TrainingResult } from './loop';
export { runTraining } from './loop';
export type { PauseControl } from './loop-control';
export { createPauseControl } from './loop-control';
export type { CheckpointStore, LoopState, OptimizerSnapshot, TrainPoint, TrainingCheckpoint } from './checkpoint';
export { CHECKPOINT_FILES, checkpointName, createMemoryCheckpointStore, deserializeCheckpoint, loadLatestCheckpoint, serializeCheckpoint } from './checkpoint';
export { restoreWeights } from './loop-weights';
export { createTrainer } from './step';
export type { Trainer } from './step';
export { createSquadTask } from './task-squad';
export { inferBatches } from './task-infer';
export { locateAnswer } from './task-spans';
export type { MeasuredStep, PreflightRequest, PreflightResult, TensorSize } from './preflight';
export { measureStepMemory, parameterCount, preflight } from './preflight';
export type { MemoryCheckRequest } from './preflight';
export { memoryCheck, WASM_HEAP_MAX_BYTES } from './preflight';
export { MAX_IN_FLIGHT } from './loop';
export { createOptimizer } from './optimizer';
