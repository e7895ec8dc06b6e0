/**
 * Inference pipelines, after transformers.js's `pipeline(task)`: tokenizer + model +
 * post-processing as one object per task. The QA and classification demos, `tabtune predict`,
 * live span predictions and dev-set evaluation all go through these.
 */
import type { BertModel } from '../model/types';
import type { Settings } from '../settings/schema';
import type { Tokenizer } from '../tokenizer/types';
import { createQuestionAnsweringPipeline, type QuestionAnsweringPipeline } from './question-answering';
import { createTextClassificationPipeline, type TextClassificationPipeline } from './text-classification';

export type { QaAnswer, QaResult, QaSettings, QaPipelineOptions, QuestionAnsweringPipeline, PredictOptions } from './question-answering';
export { createQuestionAnsweringPipeline, qaResult } from './question-answering';
export type { ClassificationResult, ClassificationSettings, ClassificationPipelineOptions, TextClassificationPipeline } from './text-classification';
export { createTextClassificationPipeline, softmax } from './text-classification';
export { lookInside, type AttentionMaps, type ExplainOptions, type FeatureInput, type InsideTarget, type LookInside, type TokenAttributionScores } from './look-inside';
export { answerTokens } from './question-answering';

export interface PipelineInput {
  model: BertModel;
  tokenizer: Tokenizer;
  settings: Settings;
  /** Class names (classification heads). */
  labels?: readonly string[];
  /** SQuAD 2.0 (span heads). */
  version2?: boolean;
}

/** The pipeline for a model's head: question answering for a span head, text classification otherwise. */
export function pipelineFor(input: PipelineInput): QuestionAnsweringPipeline | TextClassificationPipeline {
  if (input.model.head.kind === 'span') return createQuestionAnsweringPipeline({ ...input, version2: input.version2 ?? false });
  return createTextClassificationPipeline({ ...input, labels: input.labels ?? [] });
}
