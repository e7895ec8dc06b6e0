/**
 * Records that flow through the data pipeline. Field names of the feature records are those of
 * google-research/bert's InputFeatures (and of ../shared/fixtures), so a feature serialises to
 * the fixture's JSONL line as it is.
 */

export type GlueTask = 'cola' | 'sst-2' | 'mrpc' | 'qqp' | 'sts-b' | 'mnli' | 'mnli-mm' | 'qnli' | 'rte' | 'wnli';
export type SquadTask = 'squad' | 'squad2';
/** `tsv`: a user's own TSV/CSV with mapped columns; `mlm`: masked-LM pre-training on plain text. */
export type TaskName = GlueTask | SquadTask | 'tsv' | 'mlm';
export type Split = 'train' | 'dev' | 'test';

/** run_classifier.InputExample */
export interface InputExample {
  guid: string;
  textA: string;
  textB?: string;
  /** Label as written in the file (a class name, or a number string for regression). */
  label?: string;
}

/** run_classifier.InputFeatures, fixture field names. */
export interface ClassifierFeature {
  guid: string;
  text_a: string;
  text_b: string | null;
  label: string | null;
  input_ids: number[];
  input_mask: number[];
  segment_ids: number[];
  /** Class index; for regression (STS-B) the float target. */
  label_id: number;
}

/** run_squad.SquadExample */
export interface SquadExample {
  qasId: string;
  questionText: string;
  /** Context split on whitespace, as run_squad does. */
  docTokens: string[];
  origAnswerText?: string;
  /** Word positions of the answer in docTokens (training only); -1 when impossible. */
  startPosition?: number;
  endPosition?: number;
  isImpossible: boolean;
  /** Context text and each doc token's character start (for highlighting answers in the UI). */
  contextText: string;
  docTokenCharStarts: number[];
}

/** run_squad.InputFeatures, fixture field names. */
export interface SquadFeature {
  unique_id: number;
  example_index: number;
  qas_id: string;
  doc_span_index: number;
  tokens: string[];
  /** Token position (as a string key) -> index into the example's docTokens. */
  token_to_orig_map: Record<string, number>;
  token_is_max_context: Record<string, boolean>;
  input_ids: number[];
  input_mask: number[];
  segment_ids: number[];
  start_position: number | null;
  end_position: number | null;
  is_impossible: boolean | null;
}

/** Progress of a long phase (reading, tokenizing, featurizing). */
export type ProgressCallback = (done: number, total: number) => void;

/** What a reader saw: records read, kept, and skipped as bad (each reported through BadRecordPolicy.onSkip). */
export interface ReadStats {
  /** Data records seen (header and blank lines not counted). */
  records: number;
  /** Records that became examples. */
  kept: number;
  /** Bad records skipped (wrong column count, unknown label, malformed question…). */
  skipped: number;
  /** The first few skip reasons, for a summary (all of them go to onSkip). */
  firstErrors: Array<{ message: string; location?: string; code?: string }>;
}

/** read_squad_examples' counts. `records` counts questions. */
export interface SquadReadStats extends ReadStats {
  paragraphs: number;
  /** Training only: answers that the whitespace-split context cannot reproduce (run_squad skips them with a warning). */
  unrecoverable: number;
  /** Questions marked is_impossible (v2 training). */
  impossible: number;
  /** SQuAD version: 2 when the file says "v2.0" or any question has is_impossible, else 1. */
  version: 1 | 2;
}
