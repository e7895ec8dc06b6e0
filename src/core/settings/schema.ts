/**
 * THE table of training settings, after Hugging Face's `TrainingArguments`: one row per setting
 * with its key, CLI flag, form label, one-line help, kind and bounds, the tasks it applies to, and
 * its default per task family with the source of that default written beside it.
 *
 * Everything else is derived from this table: the run config (core/train/run-config.ts), the
 * validation (validate.ts), the page's settings form (src/ui/components/SettingsForm.tsx) and the
 * CLI's flags and `--help` (src/cli/settings-flags.ts). Adding a setting is one row here (plus its
 * field in `Settings`); adding a value to an enum setting is one entry in its `options`.
 *
 * Defaults follow google-research/bert's flags: run_classifier.py for classification and tables,
 * run_squad.py for SQuAD. Where those scripts have no such flag the source says whose default it is.
 */
import type { TaskName } from '../data/types';
import { taskFamily, type TaskFamily } from '../data/glue-tasks';
import type { OptimizerName, ScheduleName } from '../train/types';

/** An enum's options from a record over all its values: a value added to the type fails here until it is labelled. */
function choices<T extends string>(labels: Record<T, string>): ReadonlyArray<{ value: T; label: string }> {
  return (Object.keys(labels) as T[]).map((value) => ({ value, label: labels[value] }));
}

/** The values of every setting (the run config without its task). */
export interface Settings {
  maxSeqLength: number;
  docStride: number;
  maxQueryLength: number;
  trainBatchSize: number;
  evalBatchSize: number;
  learningRate: number;
  numTrainEpochs: number;
  warmupProportion: number;
  optimizer: OptimizerName;
  schedule: ScheduleName;
  weightDecay: number;
  maxGradNorm: number;
  gradientAccumulationSteps: number;
  seed: number;
  evalEverySteps: number;
  saveCheckpointsSteps: number;
  /** Also checkpoint after this many seconds of training (0: by steps only); see core/train/checkpoint-schedule.ts. */
  saveCheckpointsSeconds: number;
  maxTrainExamples: number;
  maxEvalExamples: number;
  doLowerCase: boolean;
  nBestSize: number;
  maxAnswerLength: number;
  nullScoreDiffThreshold: number;
  /**
   * Batches are padded to the smallest of these lengths that holds their longest sequence (the
   * WebGPU buffer pool is keyed by size, so only a few shapes may occur); lengths above
   * maxSeqLength are ignored and maxSeqLength is always one. Empty: always maxSeqLength.
   * SQuAD training batches always use maxSeqLength (run_squad's loss spans every position).
   */
  seqBuckets: number[];
  /** Dropout at the model config's rates while training (off: none, e.g. to fit a few examples quickly). */
  dropout: boolean;
  /** SQuAD: how many dev questions are reported as live span predictions at each evaluation. */
  liveSpanCount: number;
  /** Masked LM: share of tokens predicted (create_pretraining_data.py masked_lm_prob). */
  maskedLmProb: number;
  /** Masked LM: at most this many predicted positions per sequence. */
  maxPredictionsPerSeq: number;
  /** Masked LM: mask whole words (all their WordPieces) together, as --do_whole_word_mask. */
  wholeWordMask: boolean;
  /** Masked LM without a dev file: per cent of the packed sequences held out for evaluation. */
  mlmValidationSplit: number;
  /** Which weights train (core/model/trainable.ts): every one, LoRA adapters, or all but frozen ones. */
  trainableParameters: TrainableMode;
  /** LoRA rank r. */
  loraRank: number;
  /** LoRA α (the update is scaled by α/r). */
  loraAlpha: number;
  /** LoRA dropout on the adapter's input. */
  loraDropout: number;
  /** LoRA's adapted dense layers, comma-separated LoraTarget names (one of LORA_TARGET_SETS). */
  loraTargets: LoraTargetSet;
  /** Freeze mode: the embeddings are frozen. */
  freezeEmbeddings: boolean;
  /** Freeze mode: the first N encoder layers are frozen. */
  freezeLayers: number;
}

/** The "Trainable parameters" choice. */
export type TrainableMode = 'full' | 'lora' | 'freeze';
/** LoRA target sets offered (peft target_modules): query,value is peft's BERT default; the others add key, the attention output and the FFN. */
export type LoraTargetSet = 'query,value' | 'query,key,value' | 'query,key,value,attention.output' | 'query,key,value,attention.output,intermediate,output';

export type SettingKey = keyof Settings;

/** Which tasks a setting applies to. */
export type SettingScope = 'all' | 'classifier' | 'squad' | 'squad2' | 'mlm';

export type SettingKind = 'int' | 'float' | 'enum' | 'bool' | 'int-list';

export interface SettingDefault<V> {
  value: V;
  /** Where the value comes from, e.g. "run_classifier.py --max_seq_length=128". */
  source: string;
}

export interface SettingField<K extends SettingKey = SettingKey> {
  key: K;
  /** Kebab-case CLI flag without the dashes (`--max-seq-length`); google-research/bert's flag is its snake case. */
  flag: string;
  /** bool settings: the flag that sets false (`--no-lower-case`). */
  negFlag?: string;
  label: string;
  help: string;
  kind: SettingKind;
  /** Inclusive bounds (numbers; int-list entries). */
  min?: number;
  max?: number;
  /** The lower / upper bound itself is not allowed (learning rate > 0, warm-up < 1). */
  minExclusive?: boolean;
  maxExclusive?: boolean;
  /** The form's spin step. */
  step?: number;
  options?: ReadonlyArray<{ value: string; label: string }>;
  scope: SettingScope;
  /** Shown under "Advanced" in the form. */
  advanced: boolean;
  /** run_classifier.py's default (every task that is not SQuAD). */
  classifier: SettingDefault<Settings[K]>;
  /** run_squad.py's default, when it differs from the classifier's. */
  squad?: SettingDefault<Settings[K]>;
  /** The masked-LM task's default (run_pretraining.py / create_pretraining_data.py), when it differs from the classifier's. */
  mlm?: SettingDefault<Settings[K]>;
}

type FieldTable = { [K in SettingKey]: SettingField<K> };

const RC = 'run_classifier.py';
const RS = 'run_squad.py';
const OPT = 'optimization.py';
const RP = 'run_pretraining.py';
const CPD = 'create_pretraining_data.py';
const PEFT = 'peft LoraConfig';

const TABLE: FieldTable = {
  maxSeqLength: {
    key: 'maxSeqLength', flag: 'max-seq-length', label: 'Max sequence length', kind: 'int', min: 8, max: 512, step: 8, scope: 'all', advanced: false,
    help: 'Tokens per input including [CLS] and [SEP]; longer inputs are truncated (GLUE) or split into windows (SQuAD). At most the model\'s positions.',
    classifier: { value: 128, source: `${RC} --max_seq_length=128` },
    squad: { value: 384, source: `${RS} --max_seq_length=384` },
    mlm: { value: 128, source: `${CPD} / ${RP} --max_seq_length=128` },
  },
  docStride: {
    key: 'docStride', flag: 'doc-stride', label: 'Document stride', kind: 'int', min: 1, max: 512, step: 1, scope: 'squad', advanced: false,
    help: 'How far each SQuAD context window moves when a context does not fit in one sequence.',
    classifier: { value: 128, source: `${RS} --doc_stride=128` },
  },
  maxQueryLength: {
    key: 'maxQueryLength', flag: 'max-query-length', label: 'Max question length', kind: 'int', min: 1, max: 256, step: 1, scope: 'squad', advanced: false,
    help: 'Questions longer than this many tokens are truncated.',
    classifier: { value: 64, source: `${RS} --max_query_length=64` },
  },
  trainBatchSize: {
    key: 'trainBatchSize', flag: 'train-batch-size', label: 'Batch size', kind: 'int', min: 1, max: 1024, step: 1, scope: 'all', advanced: false,
    help: 'Sequences per training step; larger is faster per example but needs more GPU memory.',
    classifier: { value: 32, source: `${RC} --train_batch_size=32` },
    squad: { value: 32, source: `${RS} --train_batch_size=32` },
    mlm: { value: 32, source: `${RP} --train_batch_size=32` },
  },
  evalBatchSize: {
    key: 'evalBatchSize', flag: 'eval-batch-size', label: 'Evaluation batch size', kind: 'int', min: 1, max: 1024, step: 1, scope: 'all', advanced: true,
    help: 'Sequences per forward pass when evaluating or predicting.',
    classifier: { value: 8, source: `${RC} --eval_batch_size=8` },
    squad: { value: 8, source: `${RS} --predict_batch_size=8` },
    mlm: { value: 8, source: `${RP} --eval_batch_size=8` },
  },
  learningRate: {
    key: 'learningRate', flag: 'learning-rate', label: 'Learning rate', kind: 'float', min: 0, minExclusive: true, max: 1, step: 1e-6, scope: 'all', advanced: false,
    help: 'Peak step size of the optimizer; BERT fine-tuning usually uses 2e-5 to 5e-5.',
    classifier: { value: 5e-5, source: `${RC} --learning_rate=5e-5` },
    squad: { value: 5e-5, source: `${RS} --learning_rate=5e-5` },
    mlm: { value: 5e-5, source: `${RP} --learning_rate=5e-5` },
  },
  numTrainEpochs: {
    key: 'numTrainEpochs', flag: 'num-train-epochs', label: 'Epochs', kind: 'float', min: 0, minExclusive: true, max: 1000, step: 0.5, scope: 'all', advanced: false,
    help: 'Passes over the training set (fractions allowed).',
    classifier: { value: 3, source: `${RC} --num_train_epochs=3.0` },
    squad: { value: 3, source: `${RS} --num_train_epochs=3.0` },
    mlm: { value: 3, source: 'run_mlm.py (TrainingArguments num_train_epochs=3.0; run_pretraining.py counts steps)' },
  },
  warmupProportion: {
    key: 'warmupProportion', flag: 'warmup-proportion', label: 'Warm-up proportion', kind: 'float', min: 0, max: 1, maxExclusive: true, step: 0.01, scope: 'all', advanced: false,
    help: 'Fraction of the steps during which the learning rate rises linearly from 0.',
    classifier: { value: 0.1, source: `${RC} --warmup_proportion=0.1` },
    squad: { value: 0.1, source: `${RS} --warmup_proportion=0.1` },
  },
  optimizer: {
    key: 'optimizer', flag: 'optimizer', label: 'Optimizer', kind: 'enum', scope: 'all', advanced: true,
    help: "bert-adam is google-research/bert's AdamWeightDecay (no bias correction); adamw is PyTorch's AdamW.",
    options: choices<OptimizerName>({ 'bert-adam': 'BERT Adam (Google)', adamw: 'AdamW (PyTorch)' }),
    classifier: { value: 'bert-adam', source: `${OPT} AdamWeightDecayOptimizer` },
  },
  schedule: {
    key: 'schedule', flag: 'schedule', label: 'Schedule', kind: 'enum', scope: 'all', advanced: true,
    help: 'google: decay from the start to 0 at the last step; linear: decay from the peak after warm-up (Hugging Face); constant: the peak rate after warm-up (peft LoRA recipes).',
    options: choices<ScheduleName>({
      google: 'Google (decay over all steps)',
      linear: 'Linear from peak',
      constant: 'Constant (after warm-up)',
    }),
    classifier: { value: 'google', source: `${OPT} polynomial_decay(power=1.0) with linear warm-up` },
  },
  weightDecay: {
    key: 'weightDecay', flag: 'weight-decay', label: 'Weight decay', kind: 'float', min: 0, max: 1, step: 0.001, scope: 'all', advanced: true,
    help: 'Pulls weights towards zero (not LayerNorm or biases); 0.01 as BERT.',
    classifier: { value: 0.01, source: `${OPT} weight_decay_rate=0.01` },
  },
  maxGradNorm: {
    key: 'maxGradNorm', flag: 'max-grad-norm', label: 'Max gradient norm', kind: 'float', min: 0, max: 1e6, step: 0.1, scope: 'all', advanced: true,
    help: 'Gradients are scaled down when their global norm exceeds this; 0 turns clipping off.',
    classifier: { value: 1.0, source: `${OPT} clip_by_global_norm(grads, clip_norm=1.0)` },
  },
  gradientAccumulationSteps: {
    key: 'gradientAccumulationSteps', flag: 'gradient-accumulation-steps', label: 'Gradient accumulation', kind: 'int', min: 1, max: 1024, step: 1, scope: 'all', advanced: true,
    help: 'Add up the gradients of this many batches before one optimizer step (a larger batch in the same memory).',
    classifier: { value: 1, source: 'Hugging Face TrainingArguments gradient_accumulation_steps=1 (google-research/bert has none)' },
  },
  seed: {
    key: 'seed', flag: 'seed', label: 'Seed', kind: 'int', min: 0, max: 2 ** 31 - 1, step: 1, scope: 'all', advanced: true,
    help: 'Seeds the data order, dropout and new weights: the same seed gives the same run.',
    classifier: { value: 42, source: 'Hugging Face TrainingArguments seed=42 (google-research/bert has no seed flag)' },
  },
  evalEverySteps: {
    key: 'evalEverySteps', flag: 'eval-every-steps', label: 'Evaluate every N steps', kind: 'int', min: 0, max: 1_000_000, step: 1, scope: 'all', advanced: false,
    help: 'Evaluate on the dev set every N optimizer steps; 0 evaluates only at the end of each epoch.',
    classifier: { value: 0, source: 'Tabtune: at each epoch end (run_classifier.py evaluates once, after training)' },
  },
  saveCheckpointsSteps: {
    key: 'saveCheckpointsSteps', flag: 'save-checkpoints-steps', label: 'Checkpoint every N steps', kind: 'int', min: 0, max: 1_000_000, step: 1, scope: 'all', advanced: true,
    help: 'Save weights and optimizer state every N steps so an interrupted run can resume; 0 saves only at the end.',
    classifier: { value: 1000, source: `${RC} --save_checkpoints_steps=1000` },
    squad: { value: 1000, source: `${RS} --save_checkpoints_steps=1000` },
  },
  saveCheckpointsSeconds: {
    key: 'saveCheckpointsSeconds', flag: 'save-checkpoints-seconds', label: 'Checkpoint every N seconds', kind: 'int', min: 0, max: 86_400, step: 10, scope: 'all', advanced: true,
    help: 'Also save a checkpoint after this many seconds of training (pauses not counted), so a reload or crash loses at most that much; 0 checkpoints by steps only.',
    classifier: { value: 120, source: "Tabtune: every 2 minutes (like tf.estimator's save_checkpoints_secs, which run_classifier.py replaces by steps)" },
  },
  maxTrainExamples: {
    key: 'maxTrainExamples', flag: 'max-train-examples', label: 'Max training examples', kind: 'int', min: 0, max: 1e9, step: 1, scope: 'all', advanced: false,
    help: 'Train on at most this many examples (questions for SQuAD); 0 uses all. Handy for a quick try.',
    classifier: { value: 0, source: 'Tabtune: all examples' },
  },
  maxEvalExamples: {
    key: 'maxEvalExamples', flag: 'max-eval-examples', label: 'Max evaluation examples', kind: 'int', min: 0, max: 1e9, step: 1, scope: 'all', advanced: true,
    help: 'Evaluate on at most this many dev examples; 0 uses all.',
    classifier: { value: 0, source: 'Tabtune: all examples' },
  },
  doLowerCase: {
    key: 'doLowerCase', flag: 'do-lower-case', negFlag: 'no-lower-case', label: 'Lower-case input', kind: 'bool', scope: 'all', advanced: true,
    help: "Lower-case and strip accents before WordPiece; must match the model (the model's tokenizer config decides when it says).",
    classifier: { value: true, source: `${RC} --do_lower_case=True` },
    squad: { value: true, source: `${RS} --do_lower_case=True` },
  },
  nBestSize: {
    key: 'nBestSize', flag: 'n-best-size', label: 'N-best size', kind: 'int', min: 1, max: 100, step: 1, scope: 'squad', advanced: true,
    help: 'Candidate answers kept per question when reading the span logits.',
    classifier: { value: 20, source: `${RS} --n_best_size=20` },
  },
  maxAnswerLength: {
    key: 'maxAnswerLength', flag: 'max-answer-length', label: 'Max answer length', kind: 'int', min: 1, max: 512, step: 1, scope: 'squad', advanced: true,
    help: 'Longest answer (in tokens) the model may predict.',
    classifier: { value: 30, source: `${RS} --max_answer_length=30` },
  },
  nullScoreDiffThreshold: {
    key: 'nullScoreDiffThreshold', flag: 'null-score-diff-threshold', label: 'No-answer threshold', kind: 'float', min: -1000, max: 1000, step: 0.1, scope: 'squad2', advanced: true,
    help: 'SQuAD 2.0: answer "no answer" when the null score beats the best span by more than this.',
    classifier: { value: 0, source: `${RS} --null_score_diff_threshold=0.0` },
  },
  seqBuckets: {
    key: 'seqBuckets', flag: 'seq-buckets', label: 'Padding lengths', kind: 'int-list', min: 1, max: 512, scope: 'all', advanced: true,
    help: 'Batches are padded to the smallest of these lengths that fits (fewer GPU shapes); empty pads to the max sequence length.',
    classifier: { value: [32, 64, 128, 256, 384, 512], source: 'Tabtune: powers of two and 384 (run_classifier.py pads to max_seq_length)' },
  },
  dropout: {
    key: 'dropout', flag: 'dropout', negFlag: 'no-dropout', label: 'Dropout', kind: 'bool', scope: 'all', advanced: true,
    help: "Dropout at the model config's rates while training; off fits a handful of examples quickly.",
    classifier: { value: true, source: 'modeling.py: hidden_dropout_prob / attention_probs_dropout_prob while training' },
  },
  liveSpanCount: {
    key: 'liveSpanCount', flag: 'live-span-count', label: 'Live answers shown', kind: 'int', min: 0, max: 50, step: 1, scope: 'squad', advanced: true,
    help: 'How many dev questions show their current predicted answer at each evaluation.',
    classifier: { value: 3, source: 'Tabtune' },
  },
  maskedLmProb: {
    key: 'maskedLmProb', flag: 'masked-lm-prob', label: 'Mask probability', kind: 'float', min: 0, minExclusive: true, max: 1, maxExclusive: true, step: 0.01, scope: 'mlm', advanced: false,
    help: 'Share of tokens the model must predict; of those 80% become [MASK], 10% a random token, 10% stay.',
    classifier: { value: 0.15, source: `${CPD} --masked_lm_prob=0.15` },
  },
  maxPredictionsPerSeq: {
    key: 'maxPredictionsPerSeq', flag: 'max-predictions-per-seq', label: 'Max predictions per sequence', kind: 'int', min: 1, max: 512, step: 1, scope: 'mlm', advanced: true,
    help: 'At most this many masked positions per sequence.',
    classifier: { value: 20, source: `${CPD} --max_predictions_per_seq=20` },
  },
  wholeWordMask: {
    key: 'wholeWordMask', flag: 'whole-word-mask', negFlag: 'no-whole-word-mask', label: 'Whole-word masking', kind: 'bool', scope: 'mlm', advanced: false,
    help: 'Mask all WordPieces of a word together instead of single pieces.',
    classifier: { value: false, source: `${CPD} --do_whole_word_mask=False` },
  },
  mlmValidationSplit: {
    key: 'mlmValidationSplit', flag: 'validation-split-percentage', label: 'Held-out text (%)', kind: 'int', min: 0, max: 50, step: 1, scope: 'mlm', advanced: true,
    help: 'Without a dev file, this per cent of the packed sequences is held out to measure loss and masked-token accuracy; 0 evaluates on the training text.',
    classifier: { value: 5, source: 'run_mlm.py --validation_split_percentage=5' },
  },
  trainableParameters: {
    key: 'trainableParameters', flag: 'trainable', label: 'Trainable parameters', kind: 'enum', scope: 'all', advanced: true,
    help: 'full trains every weight; lora trains small rank-r adapters and the head only; freeze keeps the embeddings and/or the first N layers fixed (no gradients, no optimizer state).',
    options: choices<TrainableMode>({ full: 'Full fine-tuning', lora: 'LoRA adapters', freeze: 'Freeze layers' }),
    classifier: { value: 'full', source: `${RC} (every variable trains)` },
  },
  loraRank: {
    key: 'loraRank', flag: 'lora-rank', label: 'LoRA rank', kind: 'int', min: 1, max: 1024, step: 1, scope: 'all', advanced: true,
    help: 'Rank r of each adapter (LoRA mode).',
    classifier: { value: 8, source: `${PEFT} r=8` },
  },
  loraAlpha: {
    key: 'loraAlpha', flag: 'lora-alpha', label: 'LoRA alpha', kind: 'float', min: 0, minExclusive: true, max: 4096, step: 1, scope: 'all', advanced: true,
    help: 'The adapters\' update is scaled by alpha / rank (LoRA mode).',
    classifier: { value: 16, source: 'issue 11 (peft LoraConfig lora_alpha=8; 16 = 2·r as in the LoRA recipes)' },
  },
  loraDropout: {
    key: 'loraDropout', flag: 'lora-dropout', label: 'LoRA dropout', kind: 'float', min: 0, max: 1, maxExclusive: true, step: 0.01, scope: 'all', advanced: true,
    help: 'Dropout on the adapters\' input while training (LoRA mode).',
    classifier: { value: 0.1, source: 'issue 11 (peft LoraConfig lora_dropout=0.0; 0.1 as the LoRA paper\'s GLUE runs)' },
  },
  loraTargets: {
    key: 'loraTargets', flag: 'lora-targets', label: 'LoRA layers', kind: 'enum', scope: 'all', advanced: true,
    help: 'Which dense layers get adapters (LoRA mode).',
    options: choices<LoraTargetSet>({
      'query,value': 'query, value',
      'query,key,value': 'query, key, value',
      'query,key,value,attention.output': 'attention (q, k, v, output)',
      'query,key,value,attention.output,intermediate,output': 'attention and FFN',
    }),
    classifier: { value: 'query,value', source: `${PEFT} target_modules for BERT: ["query", "value"]` },
  },
  freezeEmbeddings: {
    key: 'freezeEmbeddings', flag: 'freeze-embeddings', negFlag: 'no-freeze-embeddings', label: 'Freeze embeddings', kind: 'bool', scope: 'all', advanced: true,
    help: 'Freeze mode: the word, position and type embeddings do not train.',
    classifier: { value: false, source: 'Tabtune (freeze mode only)' },
  },
  freezeLayers: {
    key: 'freezeLayers', flag: 'freeze-layers', label: 'Freeze first N layers', kind: 'int', min: 0, max: 128, step: 1, scope: 'all', advanced: true,
    help: 'Freeze mode: the first N encoder layers do not train (at most the model\'s layers).',
    classifier: { value: 0, source: 'Tabtune (freeze mode only)' },
  },
};

/** Every setting, in form and `--help` order. */
export const SETTINGS_SCHEMA: readonly SettingField[] = Object.values(TABLE) as SettingField[];

export function settingField<K extends SettingKey>(key: K): SettingField<K> {
  return TABLE[key];
}

export function isSettingKey(key: string): key is SettingKey {
  return Object.prototype.hasOwnProperty.call(TABLE, key);
}

/** Whether a setting applies to a task (SQuAD fields only for SQuAD, the no-answer threshold only for 2.0). */
export function appliesTo(field: Pick<SettingField, 'scope'>, task: TaskName | null): boolean {
  const squad = task === 'squad' || task === 'squad2';
  switch (field.scope) {
    case 'all':
      return true;
    case 'classifier':
      return !squad && task !== 'mlm';
    case 'squad':
      return squad;
    case 'squad2':
      return task === 'squad2';
    case 'mlm':
      return task === 'mlm';
  }
}

/** The fields that apply to a task, in table order (null: before a task is known, the general ones). */
export function fieldsForTask(task: TaskName | null): SettingField[] {
  return SETTINGS_SCHEMA.filter((f) => appliesTo(f, task));
}

/** A field's default for a task family, with its source. */
export function fieldDefault<K extends SettingKey>(field: SettingField<K>, family: TaskFamily): SettingDefault<Settings[K]> {
  return (family === 'squad' ? field.squad : family === 'mlm' ? field.mlm : undefined) ?? field.classifier;
}

/** The task's defaults, before the model and data are seen (see resolveSettings for those). */
export function defaultSettings(task: TaskName): Settings {
  const family = taskFamily(task);
  const out: Record<string, unknown> = {};
  for (const f of SETTINGS_SCHEMA) {
    const v = fieldDefault(f, family).value;
    out[f.key] = Array.isArray(v) ? v.slice() : v;
  }
  return out as unknown as Settings;
}
