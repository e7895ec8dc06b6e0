/**
 * The data pipeline's public surface: readers (GLUE, the user's TSV/CSV, SQuAD), dataset
 * detection, feature conversion (run_classifier / run_squad semantics) and batching.
 * Node-only file access lives outside core, in src/platform/node/data-source.ts.
 */
export type * from './types';
export { sourceFromText, sourceFromBlob, readLines, readAllText, type DataSource, type Line } from './source';
export { GLUE_TASKS, TASK_NAMES, isGlueTask, isSquadTask, isMlmTask, isTaskName, glueTaskSpec, splitFromFileName, taskFamily, type GlueTaskSpec, type TaskFamily } from './glue-tasks';
export { readGlue, type ClassifierDataset, type GlueReadOptions } from './glue-reader';
export { readTable, sortLabels, type ColumnMapping, type ColumnRef, type TableDataset, type TableReadOptions } from './table-reader';
export { firstSquadQuestions, readSquad, squadExamplesFromJson, splitContext, type SquadDataset, type SquadReadOptions } from './squad-reader';
export { convertExample, convertExamples, truncateSeqPair, type ClassifierConvertOptions } from './classifier-features';
export {
  convertSquadExamples,
  forEachSquadFeature,
  improveAnswerSpan,
  checkIsMaxContext,
  docSpans,
  FIRST_UNIQUE_ID,
  type SquadConvertOptions,
} from './squad-features';
export { collateClassifier, collateSquad } from './batch';
export { detectDataset, type DetectedDataset } from './detect';
export { pythonJson, pythonFloat } from './python-json';
export { DEMO_MODEL_CONFIG, DEMO_SETTINGS, generateDemoQa } from './demo-qa';
export type { DemoQaSet } from './demo-qa';
export { demoInitialWeights } from './demo-qa-model';
export { vocabFromSentencePieceList } from './demo-qa-vocab';
export { readTextCorpus, type TextCorpus } from './text-corpus';
export { DEFAULT_MLM_MASKING, maskSequence, mlmBatches, mlmVocab, packSequences, type MaskedSequence, type MlmBatchOptions, type MlmMaskingOptions, type MlmVocab } from './mlm-masking';
export { MAX_SEQ_LENGTH } from './limits';
export { MAX_LINE_CHARS } from './source';
export { MAX_SQUAD_JSON_BYTES } from './squad-reader';
