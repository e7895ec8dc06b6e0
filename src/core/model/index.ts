/** The model's public surface: the factory, the batch helpers, the config and the types. */
export { createBertModel, headParamShapes, type CreateModelOptions } from './bert-model';
export { toDeviceBatch, disposeBatch, batchLimitsOf, type BatchLimits } from './batch';
export { encoderParamShapes, poolerParamShapes } from './params';
export { MLM_IGNORE, mlmHeadParamShapes, mlmTargets } from './mlm-head';
export { DEFAULT_LORA, LORA_TARGETS, isFrozen, loraModulePath, validateTrainable, type LoraSpec, type LoraTarget, type TrainableSpec } from './trainable';
export * from './config';
export type * from './types';
export { paramCounts, type ParamCounts } from './param-counts';
export { matmulFlops, matmulParams, trainingStepFlops } from './params';
