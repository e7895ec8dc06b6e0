/** The model's public surface: the factory, the batch helpers, the config and the types. */
export { createBertModel, headParamShapes, type CreateModelOptions } from './bert-model';
export { toDeviceBatch, disposeBatch, batchLimitsOf, type BatchLimits } from './batch';
export { encoderParamShapes, poolerParamShapes } from './params';
export * from './config';
export type * from './types';
