/**
 * What a session reports: a discriminated union on `type`, plain structured-clone-safe data
 * (the worker posts these to the page as they are; src/protocol re-exports them).
 *
 *   fileRecognised  the full current file list: per file what it is, what it will be used for,
 *                   or why it was rejected.
 *   taskDetected    the task (GLUE task from the header, SQuAD v1/v2 from the JSON), labels,
 *                   counts, the model found, and what is still missing before `start`. Once per
 *                   drop (after the records are counted) and once per task change.
 *   settings        the settings in force (defaults for the task and model, then the user's
 *                   edits), the defaults adapted to the model, and every problem; Start waits
 *                   until `issues` is empty.
 *   plan            the first examples as the model sees them, and what a run would do.
 *   progress        a phase's done / total (reading, tokenizing, featurizing, loading weights...).
 *   backend         the tfjs backend in use and why each better one was not used.
 *   status          the run's state machine.
 *   runStarted      a run began (or resumed): its totals.
 *   step            one or more optimizer steps (StepMetrics, in order).
 *   eval            dev metrics at a step.
 *   spanPredictions a few dev questions with the current predicted answer (SQuAD runs).
 *   checkpoint      a checkpoint was saved (the run list can refresh).
 *   finished        training ended (completed, stopped or failed).
 *   prediction      the answer to a `predict` request (same requestId).
 *   exported        the answer to an `export` request: files and one zip (ArrayBuffers).
 *   demoData        held-out generated questions the QA demo can offer after a demo run.
 *   estimate        measured estimates before Start (calibration: seconds per step, per epoch,
 *                   the whole run with its evaluations, peak memory); 'measuring' first.
 *   demoSize        the demo's size before it starts: 'measuring' while a probe step of its
 *                   smallest size runs, then the chosen size, its predicted time and why.
 *   datasetPredictions  the answer to a `predictDataset` request: a fine-tuned model's predictions
 *                   over the dropped data file (and its metrics when labelled).
 *   evalPredictions after each evaluation: the dev predictions as rows (inputs, gold, predicted).
 *   log             a line for the log panel.
 *   error           a TabtuneError (file / location / expected) or another failure; `fatal`
 *                   means the current run ended (the session itself keeps working).
 */
import type { TaskName } from '../data/types';
import type { QaAnswer } from '../pipeline/question-answering';
import type { ExplainOptions, LookInside } from '../pipeline/look-inside';
import type { SettingAdaptation, SettingIssue } from '../settings/validate';
import type { SettingKey, Settings } from '../settings/schema';
import type { EvalResult, StepMetrics } from '../train/types';
import type { LiveSpanPrediction as SpanPrediction } from '../train/task-types';
import type { DevPrediction } from './predictions';
import type { DatasetPredictions } from './predict-data';
import type { RunEstimate } from './calibrate';
import type { DemoSizeChoice, DemoSizeName } from './demo-size';
export type { DemoSizeChoice, DemoSizeName } from './demo-size';

export type { DevPrediction, DatasetPredictions, RunEstimate };

export type { QaAnswer };

export type BackendName = 'webgpu' | 'webgl' | 'wasm' | 'cpu';

export type FileKind =
  | 'hf-config' // config.json (Hugging Face keys)
  | 'google-config' // bert_config.json (Google's keys)
  | 'vocab' // vocab.txt
  | 'tokenizer-json' // tokenizer.json (Hugging Face, WordPiece)
  | 'tokenizer-config' // tokenizer_config.json / special_tokens_map.json (read for do_lower_case)
  | 'safetensors'
  | 'pytorch-bin'
  | 'tf-index' // *.ckpt.index
  | 'tf-data' // *.ckpt.data-0000k-of-0000N
  | 'glue-tsv' // a GLUE file recognised by its name/header
  | 'table' // a user's own TSV/CSV (task `tsv`)
  | 'squad-json'
  | 'text-corpus' // plain text for the masked-LM task (one sentence per line, blank line between documents)
  | 'unknown';

export type FileUse = 'model-config' | 'weights' | 'vocabulary' | 'train-data' | 'dev-data' | 'test-data' | 'ignored';

export interface ErrorInfo {
  /** The full sentence to show. */
  message: string;
  file?: string;
  location?: string;
  expected?: string;
  code?: string;
}

export interface FileReport {
  path: string;
  size: number;
  kind: FileKind;
  /** What it is, e.g. "MRPC train file (GLUE)", "WordPiece vocabulary (30,522 tokens)". */
  description: string;
  accepted: boolean;
  /** What it will be used for (accepted files); 'ignored' for accepted-but-unused files. */
  use: FileUse | null;
  /** Why it was rejected or ignored. */
  reason?: string;
  error?: ErrorInfo;
}

export interface ModelSummary {
  source: 'huggingface' | 'google' | 'scratch';
  vocabSize: number;
  hiddenSize: number;
  numLayers: number;
  numHeads: number;
  intermediateSize: number;
  maxPositions: number;
  /** Parameter count of the encoder (without head). */
  parameters: number;
  /** E.g. "gelu (exact erf form), Hugging Face config". */
  activation: string;
}

export interface TaskDetection {
  /** null while no dataset is loaded. */
  task: TaskName | null;
  /** How it was detected, e.g. "train.tsv: GLUE MRPC layout (header and file name)". */
  reason: string;
  /** Tasks the user may switch to for these files. */
  candidates: TaskName[];
  /** Class labels (classification) — empty for regression and SQuAD. */
  labels: string[];
  counts: { train: number; dev: number; test: number };
  /** Bad rows / questions skipped per split (each also sent as a 'warn' log line). */
  skipped?: { train: number; dev: number; test: number };
  model: ModelSummary | null;
  /** Task `tsv`: the table's column names, for the column mapping. */
  columns?: string[];
  /** True when every file a run needs is there (the settings may still have issues). */
  ready: boolean;
  /** What is still missing, e.g. ["a vocabulary (vocab.txt or tokenizer.json)"]. */
  missing: string[];
}

/** Column mapping for a user's own TSV/CSV (task `tsv`): column indices or header names. */
export interface ColumnChoice {
  textA: string | number;
  textB?: string | number;
  label: string | number;
}

/** The settings in force, as the session resolved them. */
export interface SettingsState {
  task: TaskName | null;
  settings: Settings;
  /** Keys the user set (the others follow the task's and model's defaults). */
  edited: SettingKey[];
  adapted: SettingAdaptation[];
  issues: SettingIssue[];
  /** Task `tsv`: the column mapping in force. */
  columns?: ColumnChoice;
}

/** One example as the model sees it (no padding). */
export interface PreviewExample {
  guid: string;
  tokens: string[];
  segmentIds: number[];
  /** Classification label as written in the file. */
  label?: string;
  /** SQuAD: question text and the answer span in token positions (inclusive), null when outside this window or impossible. */
  question?: string;
  answer?: { start: number; end: number; text: string } | null;
  /** SQuAD: this window's index among the example's doc-stride windows. */
  window?: { index: number; count: number };
}

/** What a run with the current files and settings would do. */
export interface RunPlan {
  /** The first examples as the model sees them. */
  examples: PreviewExample[];
  /** Training examples (questions for SQuAD) after max training examples. */
  trainExamples: number;
  devExamples: number;
  /** Optimizer steps, from the examples (SQuAD contexts longer than a window add a few). */
  estimatedSteps: number;
  /** No dev file: `devExamples` are the training file's first examples (bounded by max evaluation examples). */
  evalFromTrainFile?: boolean;
}

export type Phase =
  | 'reading'
  | 'tokenizing'
  | 'featurizing'
  | 'loading-weights'
  | 'backend'
  | 'epoch'
  | 'evaluating'
  | 'checkpoint'
  | 'exporting'
  | 'predicting';

export type RunStatus = 'idle' | 'preparing' | 'training' | 'paused' | 'evaluating' | 'stopping' | 'finished' | 'stopped' | 'failed';

export interface RunInfo {
  runId: string;
  runName: string;
  task: TaskName;
  settings: Settings;
  labels: string[];
  numTrainExamples: number;
  numTrainFeatures: number;
  numDevExamples: number;
  stepsPerEpoch: number;
  totalSteps: number;
  /** 0 for a fresh run; the checkpoint's step when resumed. */
  resumedFromStep: number;
  isDemo: boolean;
}

/** A live span prediction as the training loop's task adapter reports it (one type for both). */
export type { CharSpan, LiveSpanPrediction as SpanPrediction } from '../train/task-types';

export type PredictInput =
  | { kind: 'qa'; context: string; question: string; explain?: ExplainOptions }
  | { kind: 'classification'; textA: string; textB?: string; explain?: ExplainOptions }
  /** Masked LM: a sentence with one or more [MASK] markers; the top k per mask. */
  | { kind: 'fill-mask'; text: string; topK?: number };

/** `inside`: attention maps and token attributions when the input asked for them (explain). */
export type PredictResult =
  | { kind: 'qa'; best: QaAnswer | null; nbest: QaAnswer[]; windows: number; inside?: LookInside }
  | { kind: 'classification'; labels: string[]; probabilities: number[]; inside?: LookInside }
  | { kind: 'regression'; value: number; inside?: LookInside }
  | { kind: 'fill-mask'; tokens: string[]; masks: { position: number; candidates: { token: string; id: number; score: number }[] }[] };

export interface ExportedFile {
  name: string;
  data: ArrayBuffer;
}

/** What `export` writes: the Hugging Face folder (default), transformers.js's ONNX folder, or a torchrun job folder. */
export type ExportFormat = 'hf' | 'onnx' | 'torch-job';

export interface DemoQuestion {
  qasId: string;
  context: string;
  question: string;
  answer: string;
}

export interface DemoOptions {
  /** Seed of the generated data and of the model's initialisation. Default 1. */
  seed?: number;
  /** Overrides of the demo's settings (epochs, batch size, learning rate...). */
  settings?: Partial<Settings>;
  /** The demo's size (demo-size.ts). Absent: measured on the backend and chosen to fit its budget. */
  size?: DemoSizeName;
}

export type SessionEvent =
  | { type: 'fileRecognised'; files: FileReport[] }
  | { type: 'taskDetected'; detection: TaskDetection }
  | ({ type: 'settings' } & SettingsState)
  | { type: 'plan'; plan: RunPlan }
  | { type: 'progress'; phase: Phase; done: number; total: number; label?: string }
  | { type: 'backend'; name: BackendName; tried: Array<{ name: BackendName; reason: string }>; adapter?: string; softwareRenderer?: boolean }
  | { type: 'status'; status: RunStatus; runId: string | null }
  | { type: 'runStarted'; run: RunInfo }
  | { type: 'step'; steps: StepMetrics[] }
  | { type: 'eval'; result: EvalResult }
  | { type: 'spanPredictions'; step: number; items: SpanPrediction[] }
  | { type: 'checkpoint'; runId: string; step: number; epoch: number; bytes: number }
  | { type: 'finished'; runId: string; reason: 'completed' | 'stopped' | 'failed'; step: number; metrics: Record<string, number> }
  | { type: 'prediction'; requestId: number; result: PredictResult | null; error?: ErrorInfo }
  | { type: 'exported'; requestId: number; files: ExportedFile[]; zip: ExportedFile | null; error?: ErrorInfo; format?: ExportFormat }
  | { type: 'demoData'; questions: DemoQuestion[] }
  | { type: 'evalPredictions'; runId: string; step: number; rows: DevPrediction[] }
  | { type: 'log'; level: 'info' | 'warn' | 'error'; message: string; time: number }
  | ({ type: 'error'; fatal: boolean; lastCheckpointStep: number | null } & ErrorInfo)
  | { type: 'datasetPredictions'; requestId: number; result: DatasetPredictions | null; error?: ErrorInfo }
  | { type: 'estimate'; estimate: RunEstimate }
  /** The demo's size: 'measuring' while its probe runs on the backend, then the choice and why. */
  | { type: 'demoSize'; status: 'measuring' | 'chosen'; runId: string; choice?: DemoSizeChoice };

export type SessionEventType = SessionEvent['type'];
export type SessionEventOf<T extends SessionEventType> = Extract<SessionEvent, { type: T }>;
