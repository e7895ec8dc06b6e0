/**
 * Settings checked against their table (schema.ts), each other, the model and the data: the one
 * place a setting's value is parsed, bounded and cross-checked, for the page, the CLI and the
 * run config alike.
 *
 *   parseSettingValue(field, text)        what the user typed (form field, CLI flag) -> a value or a reason
 *   validateSettings(task, s, context)    every problem, each naming its setting (the batch size
 *                                         against the pre-flight memory check when there is one)
 *   resolveSettings({ task, edits, context })
 *       the task's defaults, then the user's edits; a default the model cannot take adapts
 *       (max sequence length -> min(default, positions), and SQuAD's question length and stride
 *       follow it) and says so; the edits are never changed, only reported.
 */
import type { TaskName } from '../data/types';
import { isSquadTask, taskFamily } from '../data/glue-tasks';
import { trainableIssues } from './trainable-settings';
import { defaultSettings, fieldDefault, fieldsForTask, isSettingKey, settingField, type SettingField, type SettingKey, type Settings } from './schema';

/** What the model and the data say, as far as they are known (all optional: validation uses what it has). */
export interface SettingsContext {
  /** The model's max_position_embeddings. */
  maxPositions?: number;
  /** Lower-casing as the model's tokenizer files say (tokenizer_config.json). */
  modelDoLowerCase?: boolean;
  /** A fine-tuned classification head's class count (config id2label of a *ForSequenceClassification folder). */
  headLabels?: number;
  /** The data's class labels (classification); null for regression; undefined while unknown. */
  dataLabels?: readonly string[] | null;
  /** The model's vocab_size and the dropped vocabulary's token count. */
  modelVocabSize?: number;
  vocabSize?: number;
  /** The pre-flight memory check's measurement and the device's limits (absent until calibrated). */
  memory?: MemoryCheck;
  /** The model's num_hidden_layers (frozen layers are checked against it). */
  numLayers?: number;
  /** No dev file: evaluation runs on the training file (the default max evaluation examples then adapts to a bounded subset). */
  evalOnTrainFile?: boolean;
}

/** Evaluation examples (questions for SQuAD) taken from the training file when there is no dev file. */
export const TRAIN_FILE_EVAL_EXAMPLES = 500;

/**
 * A training step's peak memory as measured by the pre-flight check (train/preflight.ts: a real
 * forward + backward at batch 1 and 2, at `seqLength`), and what the device allows. At batch B a
 * step peaks at about fixedBytes + B · bytesPerExample (BERT's activations are linear in B at a
 * fixed sequence length).
 */
export interface MemoryCheck {
  /** The sequence length measured at: the check applies only there. */
  seqLength: number;
  /** Bytes independent of the batch: weights, optimizer state, the step's fixed part. */
  fixedBytes: number;
  bytesPerExample: number;
  limits: MemoryLimit[];
}

/** One limit of the device: on the whole step's peak, or on one tensor that grows with the batch. */
export interface MemoryLimit {
  /** What the limit is, e.g. "the WebAssembly heap (tfjs-backend-wasm's maximum)" or "maxStorageBufferBindingSize". */
  name: string;
  bytes: number;
  /** Absent: the limit is on the step's peak. Present: on this one tensor, of bytesPerExample · B bytes. */
  tensor?: { name: string; bytesPerExample: number };
}

const MiB = (b: number) => `${(b / 2 ** 20).toFixed(b < 10 * 2 ** 20 ? 1 : 0)} MiB`;

/** The measured peak of one step at micro-batch `batch` (null when the check does not apply to `seqLength`). */
export function measuredPeakBytes(m: MemoryCheck | undefined, batch: number, seqLength: number): number | null {
  if (!m || m.seqLength !== seqLength) return null;
  return m.fixedBytes + batch * m.bytesPerExample;
}

/** The largest micro-batch every limit admits (Infinity without limits; 0 when even batch 1 does not fit). */
export function largestBatchThatFits(m: MemoryCheck): number {
  let best = Infinity;
  for (const l of m.limits) {
    const per = l.tensor ? l.tensor.bytesPerExample : m.bytesPerExample;
    const room = l.tensor ? l.bytes : l.bytes - m.fixedBytes;
    best = Math.min(best, per > 0 ? Math.max(0, Math.floor(room / per)) : room >= 0 ? Infinity : 0);
  }
  return best;
}

/** The batch size against the pre-flight check: one issue naming the measured peak and the limit, or null. */
export function memoryIssue(s: Pick<Settings, 'trainBatchSize' | 'maxSeqLength'>, m: MemoryCheck | undefined): SettingIssue | null {
  const B = s.trainBatchSize;
  const peak = measuredPeakBytes(m, B, s.maxSeqLength);
  if (!m || peak === null) return null;
  for (const l of m.limits) {
    const need = l.tensor ? l.tensor.bytesPerExample * B : peak;
    if (need <= l.bytes) continue;
    const fit = largestBatchThatFits(m);
    const advice = fit >= 1 ? `use a batch size of at most ${fit} (and gradient accumulation for a larger effective batch)` : 'even batch 1 does not fit: lower the max sequence length or use a smaller model';
    const what = l.tensor
      ? `its ${l.tensor.name} need ${MiB(need)} in one buffer, over ${l.name} of ${MiB(l.bytes)} (the step's measured peak: ${MiB(peak)})`
      : `a step's measured peak is ${MiB(peak)}, over ${l.name} of ${MiB(l.bytes)}`;
    return { key: 'trainBatchSize', message: `Batch size: at batch ${B} and sequence length ${s.maxSeqLength} ${what}; ${advice}` };
  }
  return null;
}

export interface SettingIssue {
  /** The setting at fault, or null for a problem of the model and the data. */
  key: SettingKey | null;
  message: string;
}

/** A default changed to what the model can take. */
export interface SettingAdaptation {
  key: SettingKey;
  from: unknown;
  to: unknown;
  reason: string;
}

export interface ResolvedSettings {
  task: TaskName;
  /** The settings in force. */
  settings: Settings;
  /** Keys the user set (they win over defaults and are never adapted). */
  edited: SettingKey[];
  adapted: SettingAdaptation[];
  /** Empty when a run can start with these settings. */
  issues: SettingIssue[];
}

export type ParsedSetting = { ok: true; value: Settings[SettingKey] } | { ok: false; error: string };

function boundsError(field: Pick<SettingField, 'min' | 'max' | 'minExclusive' | 'maxExclusive'>, n: number): string | null {
  if (field.min !== undefined && (field.minExclusive ? !(n > field.min) : !(n >= field.min))) return field.minExclusive ? `more than ${field.min}` : `at least ${field.min}`;
  if (field.max !== undefined && (field.maxExclusive ? !(n < field.max) : !(n <= field.max))) return field.maxExclusive ? `less than ${field.max}` : `at most ${field.max}`;
  return null;
}

/** Why `value` is not a valid value of `field` (kind and bounds), or null. */
export function fieldError(field: SettingField, value: unknown): string | null {
  switch (field.kind) {
    case 'bool':
      return typeof value === 'boolean' ? null : 'true or false';
    case 'enum':
      return field.options?.some((o) => o.value === value) ? null : `one of ${field.options?.map((o) => o.value).join(', ')}`;
    case 'int-list': {
      if (!Array.isArray(value)) return 'a list of whole numbers';
      for (const v of value) {
        if (typeof v !== 'number' || !Number.isInteger(v)) return 'whole numbers separated by commas';
        const b = boundsError(field, v);
        if (b) return `each ${b}`;
      }
      return null;
    }
    case 'int':
    case 'float': {
      if (typeof value !== 'number' || !Number.isFinite(value)) return 'a number';
      if (field.kind === 'int' && !Number.isInteger(value)) return 'a whole number';
      return boundsError(field, value);
    }
  }
}

/** Reads what was typed into a form field or passed to a CLI flag. */
export function parseSettingValue(field: SettingField, raw: string | boolean): ParsedSetting {
  const done = (value: unknown): ParsedSetting => {
    const err = fieldError(field, value);
    return err ? { ok: false, error: err === 'a number' ? `“${String(raw).trim()}” is not a number` : `expected ${err}` } : { ok: true, value: value as Settings[SettingKey] };
  };
  if (field.kind === 'bool') {
    if (typeof raw === 'boolean') return done(raw);
    const t = raw.trim().toLowerCase();
    if (t === 'true' || t === '1' || t === 'yes') return done(true);
    if (t === 'false' || t === '0' || t === 'no') return done(false);
    return { ok: false, error: 'expected true or false' };
  }
  const text = String(raw).trim();
  if (field.kind === 'enum') return done(text);
  if (field.kind === 'int-list') {
    if (text === '' || text === 'none') return done([]);
    const parts = text.split(',').map((p) => Number(p.trim()));
    return done(parts);
  }
  if (text === '') return { ok: false, error: 'enter a number' };
  return done(Number(text));
}

/** Context tokens one SQuAD window holds: run_squad's max_tokens_for_doc. */
export function maxTokensForDoc(s: Pick<Settings, 'maxSeqLength' | 'maxQueryLength'>): number {
  return s.maxSeqLength - s.maxQueryLength - 3;
}

/** Every problem of `s` for `task`, given what is known of the model and data. */
export function validateSettings(task: TaskName, s: Settings, context: SettingsContext = {}): SettingIssue[] {
  const issues: SettingIssue[] = [];
  for (const f of fieldsForTask(task)) {
    const err = fieldError(f, s[f.key]);
    if (err) issues.push({ key: f.key, message: `${f.label}: expected ${err}, got ${JSON.stringify(s[f.key])}` });
  }
  const bad = new Set(issues.map((i) => i.key));
  const positions = context.maxPositions;
  if (positions !== undefined && !bad.has('maxSeqLength') && s.maxSeqLength > positions) {
    issues.push({ key: 'maxSeqLength', message: `Max sequence length: ${s.maxSeqLength} exceeds the model's ${positions} positions (max_position_embeddings); use at most ${positions}` });
  }
  if (isSquadTask(task) && !bad.has('maxSeqLength') && !bad.has('maxQueryLength')) {
    if (s.maxSeqLength <= s.maxQueryLength + 3) {
      issues.push({ key: 'maxSeqLength', message: `Max sequence length: ${s.maxSeqLength} leaves no room for the context after a question of up to ${s.maxQueryLength} tokens; use more than ${s.maxQueryLength + 3} (max question length + 3)` });
    } else if (!bad.has('docStride') && s.docStride > maxTokensForDoc(s)) {
      const room = maxTokensForDoc(s);
      issues.push({ key: 'docStride', message: `Document stride: ${s.docStride} skips context, as a window holds only ${room} context tokens (max sequence length − max question length − 3); use at most ${room}` });
    }
  }
  if (!isSquadTask(task) && context.headLabels !== undefined && context.dataLabels) {
    if (context.headLabels !== context.dataLabels.length) {
      issues.push({ key: null, message: `The model's classification head has ${context.headLabels} labels but the data has ${context.dataLabels.length} (${context.dataLabels.join(', ')}); use a pre-trained model without that head, or data with the same labels` });
    }
  }
  if (!bad.has('trainBatchSize') && !bad.has('maxSeqLength')) {
    const m = memoryIssue(s, context.memory);
    if (m) issues.push(m);
  }
  if (context.vocabSize !== undefined && context.modelVocabSize !== undefined && context.vocabSize !== context.modelVocabSize) {
    issues.push({ key: null, message: `The vocabulary has ${context.vocabSize} tokens but the model's embeddings have ${context.modelVocabSize} (vocab_size); use the vocabulary the model was trained with` });
  }
  for (const i of trainableIssues(s, context)) if (!bad.has(i.key)) issues.push(i);
  return issues;
}

/** Keeps the known settings keys of a patch (from a message or a stored run). */
export function settingsPatch(raw: Record<string, unknown> | null | undefined): Partial<Settings> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw ?? {})) if (isSettingKey(k) && v !== undefined) out[k] = v;
  return out as Partial<Settings>;
}

export interface ResolveInput {
  task: TaskName;
  /** The user's values (form edits, CLI flags, a preset); unknown keys are ignored. */
  edits?: Partial<Settings>;
  context?: SettingsContext;
}

/** Defaults for the task and model, then the edits; adapted defaults and every issue listed. */
export function resolveSettings(input: ResolveInput): ResolvedSettings {
  const { task } = input;
  const context = input.context ?? {};
  const edits = settingsPatch(input.edits as Record<string, unknown>);
  const edited = Object.keys(edits) as SettingKey[];
  const isEdited = (k: SettingKey) => edited.includes(k);
  const s: Settings = { ...defaultSettings(task), ...edits };
  const adapted: SettingAdaptation[] = [];
  const adapt = <K extends SettingKey>(key: K, to: Settings[K], reason: string) => {
    if (isEdited(key) || s[key] === to) return;
    adapted.push({ key, from: s[key], to, reason });
    s[key] = to;
  };
  if (context.modelDoLowerCase !== undefined) {
    adapt('doLowerCase', context.modelDoLowerCase, `the model's tokenizer config says do_lower_case=${context.modelDoLowerCase}`);
  }
  if (context.maxPositions !== undefined && s.maxSeqLength > context.maxPositions) {
    const def = fieldDefault(settingField('maxSeqLength'), taskFamily(task));
    adapt('maxSeqLength', Math.min(def.value, context.maxPositions), `the model has ${context.maxPositions} positions (max_position_embeddings); the default ${def.value} (${def.source}) does not fit`);
  }
  if (context.evalOnTrainFile && s.maxEvalExamples === 0) {
    adapt('maxEvalExamples', TRAIN_FILE_EVAL_EXAMPLES, `no dev file: evaluation uses the first ${TRAIN_FILE_EVAL_EXAMPLES} training examples, not the whole training file (set 0 for all)`);
  }
  if (isSquadTask(task)) {
    if (s.maxSeqLength <= s.maxQueryLength + 3) {
      adapt('maxQueryLength', Math.max(1, Math.floor(s.maxSeqLength / 4)), `a question of ${s.maxQueryLength} tokens leaves no room for the context in ${s.maxSeqLength}; a quarter of the sequence`);
    }
    const room = maxTokensForDoc(s);
    if (room >= 1 && s.docStride > room) {
      adapt('docStride', room, `a window of ${s.maxSeqLength} tokens holds ${room} context tokens after the question; a larger stride would skip context`);
    }
  }
  return { task, settings: s, edited, adapted, issues: validateSettings(task, s, context) };
}
