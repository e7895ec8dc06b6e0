/**
 * Evaluation: SQuAD post-processing (run_squad.write_predictions), the official SQuAD v1.1 / v2.0
 * metrics, and GLUE metrics. Pure TypeScript: runs in the worker, the CLI and tests.
 */
import { TabtuneError } from '../errors';
import type { SquadExample } from '../data/types';
import { createBasicTokenize } from './basic-tokenize';
import {
  postprocessExample,
  postprocessSquad,
  type PostprocessExample,
  type PostprocessFeature,
  type SquadPostprocessOptions,
  type SquadPrediction,
  type SquadRawResult,
} from './squad-postprocess';

export type { AnswerSpan, NbestEntry, PostprocessExample, PostprocessFeature, SquadPrediction, SquadRawResult } from './squad-postprocess';
export { nbestJson, nullOddsJson, predictionsJson } from './squad-postprocess';
export { pythonJsonDumps } from './python-json';
export type { SquadGoldQuestion, SquadNaProbs, SquadPredictions, SquadV1Metrics, SquadV2Metrics } from './squad-metrics';
export { evaluateSquadV1, evaluateSquadV2, computeExactV2, computeF1V2, normalizeAnswer } from './squad-metrics';
export { parseSquadGold, parseSquadNaProbs, parseSquadPredictions } from './squad-gold';
export type { ConfusionMatrix, GlueMetricName } from './glue-metrics';
export { GLUE_TASK_METRICS, confusionMatrix, glueMetrics } from './glue-metrics';
export { formatGluePredictionsTsv, parseGluePredictionsTsv } from './glue-predictions';

export interface SquadPostprocessConfig extends Omit<SquadPostprocessOptions, 'basicTokenize'> {
  /** The model's do_lower_case (get_final_text's BasicTokenizer). Default true. */
  doLowerCase?: boolean;
}

/** write_predictions with fixed settings, for a whole evaluation or one question at a time (QA demo). */
export interface SquadPostprocessor {
  /** All examples, in example order (features matched by example_index, results by unique_id). */
  all(examples: readonly PostprocessExample[], features: readonly PostprocessFeature[], results: readonly SquadRawResult[]): SquadPrediction[];
  /** One example from its own features (in window order) and their results. */
  one(example: PostprocessExample | SquadExample, features: readonly PostprocessFeature[], results: readonly SquadRawResult[]): SquadPrediction;
}

export function createSquadPostprocessor(config: SquadPostprocessConfig = {}): SquadPostprocessor {
  const options: SquadPostprocessOptions = { ...config, basicTokenize: createBasicTokenize(config.doLowerCase ?? true) };
  return {
    all: (examples, features, results) => postprocessSquad(examples, features, results, options),
    one: (example, features, results) => {
      const byId = new Map(results.map((r) => [r.unique_id, r]));
      return postprocessExample(example, features, (id) => {
        const r = byId.get(id);
        if (!r) throw new TabtuneError('no logits for a feature', { location: `feature unique_id ${id}`, expected: 'one result per feature, matched by unique_id', code: 'squad-logits-missing' });
        return r;
      }, options);
    },
  };
}
export { createBasicTokenize } from './basic-tokenize';
export { postprocessSquad } from './squad-postprocess';
export { checkPostprocessInputs, readPostprocessFeatures, readRawResults } from './squad-run-files';
export { evaluateMlm, fillMask, MASK_MARKER, type FillMaskCandidate, type FillMaskResult, type MlmMetrics } from './mlm';
export { tokenAttributions, type Attribution, type AttributionMethod, type AttributionOptions, type AttributionTarget } from './attribution';
export { perClassMetrics, type ClassMetrics } from './per-class-metrics';
