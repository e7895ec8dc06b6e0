/**
 * The settings form's fields: label, one-line explanation, input kind and limits, and which tasks
 * a field applies to. The values' defaults are run_classifier.py / run_squad.py's
 * (src/protocol/settings.ts: defaultSettings(task)).
 */
import type { RunSettings } from '../protocol/settings';

export type FieldScope = 'all' | 'squad' | 'squad2' | 'classifier';

export interface SettingsField {
  key: keyof RunSettings;
  label: string;
  /** The flag of google-research/bert this mirrors (kebab-case CLI flag in parentheses in the UI). */
  flag: string;
  help: string;
  kind: 'int' | 'float' | 'select' | 'bool';
  min?: number;
  max?: number;
  step?: number;
  options?: Array<{ value: string; label: string }>;
  scope: FieldScope;
  /** Shown under "Advanced". */
  advanced: boolean;
}

export const SETTINGS_FIELDS: readonly SettingsField[] = [
  { key: 'maxSeqLength', label: 'Max sequence length', flag: 'max_seq_length', help: 'Tokens per input including [CLS] and [SEP]; longer inputs are truncated (GLUE) or split into windows (SQuAD).', kind: 'int', min: 8, max: 512, step: 8, scope: 'all', advanced: false },
  { key: 'docStride', label: 'Document stride', flag: 'doc_stride', help: 'How far each SQuAD context window moves when a context does not fit in one sequence.', kind: 'int', min: 1, max: 512, step: 1, scope: 'squad', advanced: false },
  { key: 'maxQueryLength', label: 'Max question length', flag: 'max_query_length', help: 'Questions longer than this many tokens are truncated.', kind: 'int', min: 1, max: 256, step: 1, scope: 'squad', advanced: false },
  { key: 'batchSize', label: 'Batch size', flag: 'train_batch_size', help: 'Sequences per training step; larger is faster per example but needs more GPU memory.', kind: 'int', min: 1, max: 256, step: 1, scope: 'all', advanced: false },
  { key: 'learningRate', label: 'Learning rate', flag: 'learning_rate', help: 'Peak step size of the optimizer; BERT fine-tuning usually uses 2e-5 to 5e-5.', kind: 'float', min: 1e-7, max: 1, step: 1e-6, scope: 'all', advanced: false },
  { key: 'epochs', label: 'Epochs', flag: 'num_train_epochs', help: 'Passes over the training set (fractions allowed).', kind: 'float', min: 0.01, max: 100, step: 0.5, scope: 'all', advanced: false },
  { key: 'warmupProportion', label: 'Warm-up proportion', flag: 'warmup_proportion', help: 'Fraction of the steps during which the learning rate rises linearly from 0.', kind: 'float', min: 0, max: 1, step: 0.01, scope: 'all', advanced: false },
  {
    key: 'optimizer', label: 'Optimizer', flag: 'optimizer', help: "bert-adam is google-research/bert's AdamWeightDecay (no bias correction); adamw is PyTorch's AdamW.", kind: 'select', scope: 'all', advanced: true,
    options: [{ value: 'bert-adam', label: 'BERT Adam (Google)' }, { value: 'adamw', label: 'AdamW (PyTorch)' }],
  },
  {
    key: 'schedule', label: 'Schedule', flag: 'schedule', help: "google: decay from the start to 0 at the last step; linear: decay from the peak after warm-up (Hugging Face).", kind: 'select', scope: 'all', advanced: true,
    options: [{ value: 'google', label: 'Google (decay over all steps)' }, { value: 'linear', label: 'Linear from peak' }],
  },
  { key: 'weightDecay', label: 'Weight decay', flag: 'weight_decay', help: 'Pulls weights towards zero (not LayerNorm or biases); 0.01 as BERT.', kind: 'float', min: 0, max: 1, step: 0.001, scope: 'all', advanced: true },
  { key: 'maxGradNorm', label: 'Max gradient norm', flag: 'max_grad_norm', help: 'Gradients are scaled down when their global norm exceeds this; 0 turns clipping off.', kind: 'float', min: 0, max: 100, step: 0.1, scope: 'all', advanced: true },
  { key: 'gradientAccumulationSteps', label: 'Gradient accumulation', flag: 'gradient_accumulation_steps', help: 'Add up the gradients of this many batches before one optimizer step (a larger batch in the same memory).', kind: 'int', min: 1, max: 128, step: 1, scope: 'all', advanced: true },
  { key: 'evalEverySteps', label: 'Evaluate every N steps', flag: 'eval_every_steps', help: 'Evaluate on the dev set every N optimizer steps; 0 evaluates only at the end of each epoch.', kind: 'int', min: 0, max: 1_000_000, step: 1, scope: 'all', advanced: false },
  { key: 'saveCheckpointsSteps', label: 'Checkpoint every N steps', flag: 'save_checkpoints_steps', help: 'Save weights and optimizer state in the browser every N steps so an interrupted run can resume.', kind: 'int', min: 0, max: 1_000_000, step: 1, scope: 'all', advanced: true },
  { key: 'seed', label: 'Seed', flag: 'seed', help: 'Seeds the data order, dropout and new weights: the same seed gives the same run.', kind: 'int', min: 0, max: 2 ** 31 - 1, step: 1, scope: 'all', advanced: true },
  { key: 'doLowerCase', label: 'Lower-case input', flag: 'do_lower_case', help: 'Lower-case and strip accents before WordPiece; must match the model (on for uncased models).', kind: 'bool', scope: 'all', advanced: true },
  { key: 'maxTrainExamples', label: 'Max training examples', flag: 'max_train_examples', help: 'Train on at most this many examples (0: all); handy for a quick try.', kind: 'int', min: 0, max: 100_000_000, step: 1, scope: 'all', advanced: false },
  { key: 'nBestSize', label: 'N-best size', flag: 'n_best_size', help: 'Candidate answers kept per question when reading the span logits.', kind: 'int', min: 1, max: 100, step: 1, scope: 'squad', advanced: true },
  { key: 'maxAnswerLength', label: 'Max answer length', flag: 'max_answer_length', help: 'Longest answer (in tokens) the model may predict.', kind: 'int', min: 1, max: 512, step: 1, scope: 'squad', advanced: true },
  { key: 'nullScoreDiffThreshold', label: 'No-answer threshold', flag: 'null_score_diff_threshold', help: 'SQuAD 2.0: answer "no answer" when the null score beats the best span by more than this.', kind: 'float', min: -100, max: 100, step: 0.1, scope: 'squad2', advanced: true },
];

/** Fields that apply to a task (SQuAD fields hidden for GLUE, the no-answer threshold only for SQuAD 2.0). */
export function fieldsForTask(task: string | null): SettingsField[] {
  const squad = task === 'squad' || task === 'squad2';
  return SETTINGS_FIELDS.filter((f) =>
    f.scope === 'all' || (f.scope === 'squad' && squad) || (f.scope === 'squad2' && task === 'squad2') || (f.scope === 'classifier' && !squad),
  );
}
