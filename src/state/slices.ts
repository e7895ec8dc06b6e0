/**
 * The studio store's slices (zustand, StateCreator). Shape only + small pure setters; every
 * worker event is written by src/state/apply-event.ts (called only by bridge.ts), and the UI's
 * commands are the functions exported by bridge.ts. Per-step curves are NOT here: see series.ts.
 *
 * STABLE CONTRACT for src/app and src/ui:
 *   files            FileReport[] as the worker recognised them.
 *   detection/task/settings/settingsState/plan/preview
 *                    what the session detected and holds: the task, the settings in force (with
 *                    the adapted defaults and every problem), the plan and its first examples.
 *                    The page keeps no copy of its own: edits go to the session (bridge).
 *   status/run/phases/lastStep/...    the run's state machine, totals, per-phase progress, latest step.
 *   evals/spanPredictions             eval history and live span predictions.
 *   prediction/demoQuestions/exportState   the QA / classification demo and downloads.
 *   runs/compareIds                   stored runs (IndexedDB) and the ones chosen for comparison.
 *   workerReady/backend/errors/log    system state.
 */
import type { LiveRun } from './live-run';
import type { StateCreator } from 'zustand/vanilla';
import type { TaskName } from '../core/data';
import type { KeptFilesState, RunRecord } from '../core/io';
import type { EvalResult, StepMetrics } from '../core/train';
import { defaultSettings, type Settings } from '../core/settings';
import type {
  BackendName, DemoQuestion, DemoSizeChoice, ErrorInfo, ExportedFile, ExportFormat, FileReport, Phase, PredictResult, PreviewExample,
  RunInfo, RunPlan, RunStatus, SettingsState, SpanPrediction, TaskDetection,
} from '../protocol/events';
import type { PredictInput } from '../protocol/commands';
import type { DevPrediction, RunEstimate } from '../protocol/events';

export interface FilesSlice {
  files: FileReport[];
  /** True between a loadFiles command and the worker's fileRecognised answer. */
  recognising: boolean;
}

export interface TaskSlice {
  detection: TaskDetection | null;
  /** The task the run will use, as the session holds it (the detected one unless the user chose). */
  task: TaskName | null;
  /** True when the task is the user's choice rather than the detected one. */
  taskOverridden: boolean;
  /** The settings in force (the session's answer). */
  settings: Settings;
  /** The session's full answer: edited keys, defaults adapted to the model, problems. */
  settingsState: SettingsState;
  plan: RunPlan | null;
  /** plan.examples: the first examples as the model sees them. */
  preview: PreviewExample[];
}

export interface PhaseProgress {
  phase: Phase;
  done: number;
  total: number;
  label?: string;
  /** ms (performance-independent Date.now()) when the phase was first seen / last updated. */
  startedAt: number;
  updatedAt: number;
}

export interface CheckpointNote {
  step: number;
  epoch: number;
  bytes: number;
  time: number;
}

export interface FinishedNote {
  reason: 'completed' | 'stopped' | 'failed';
  step: number;
  metrics: Record<string, number>;
}

export interface RunSlice {
  status: RunStatus;
  runId: string | null;
  run: RunInfo | null;
  phases: Partial<Record<Phase, PhaseProgress>>;
  /** Latest step (updated once per event batch, not per step). */
  lastStep: StepMetrics | null;
  /** ms when the first step of this session's run arrived. */
  trainStartedAt: number | null;
  lastCheckpoint: CheckpointNote | null;
  finished: FinishedNote | null;
  evals: EvalResult[];
  spanPredictions: { step: number; items: SpanPrediction[] } | null;
}

export interface PredictionState {
  requestId: number;
  input: PredictInput;
  status: 'pending' | 'done' | 'failed';
  result: PredictResult | null;
  error: ErrorInfo | null;
}

export interface ExportState {
  requestId: number;
  status: 'pending' | 'done' | 'failed';
  files: ExportedFile[];
  zip: ExportedFile | null;
  error: ErrorInfo | null;
}

export interface DemoSlice {
  prediction: PredictionState | null;
  demoQuestions: DemoQuestion[];
  /** The demo's size for its run: 'measuring' while its probe step runs, then the choice and why. */
  demoSize: { runId: string; status: 'measuring' | 'chosen'; choice: DemoSizeChoice | null } | null;
  exportState: ExportState | null;
  /** The latest evaluation's dev predictions as rows (inputs, gold, predicted), for the Results panel. */
  evalPredictions: { runId: string; step: number; rows: DevPrediction[] } | null;
  /** The other downloads (exportState is the Hugging Face folder): ONNX for transformers.js, the torchrun job; each one zip. */
  formatExports: Partial<Record<Exclude<ExportFormat, 'hf'>, ExportState>>;
}

export interface RunsSlice {
  runs: RunRecord[];
  /** Up to two run ids whose loss curves are drawn together. */
  compareIds: string[];
  setCompare(ids: string[]): void;
  /** The current run's latest step and loss (refreshed a few times a second, see live-run.ts). */
  liveRun: LiveRun | null;
  /** This origin's storage (navigator.storage.estimate / persisted), refreshed with the run list; null where unknown. */
  storageUse: { usage: number; quota: number; persisted: boolean } | null;
  /** What the browser's storage holds of each listed run's kept files (absent: none recorded, or not known). */
  keptFilesStates: Record<string, KeptFilesState>;
}

export interface ErrorEntry extends ErrorInfo {
  id: number;
  fatal: boolean;
  lastCheckpointStep: number | null;
  time: number;
}

export interface LogLine {
  level: 'info' | 'warn' | 'error';
  message: string;
  time: number;
}

export interface SystemSlice {
  workerReady: boolean;
  backend: { name: BackendName; tried: Array<{ name: BackendName; reason: string }>; adapter?: string; softwareRenderer?: boolean } | null;
  /** The session's measured estimate before Start (calibration), null until one is measured. */
  estimate: RunEstimate | null;
  errors: ErrorEntry[];
  log: LogLine[];
  dismissError(id: number): void;
  /** Runs another tab is training (it holds their Web Lock): read-only here. Written by the bridge. */
  lockedRunIds: string[];
}

export type StudioState = FilesSlice & TaskSlice & RunSlice & DemoSlice & RunsSlice & SystemSlice;

/** Log lines kept in the store (older ones are dropped). */
export const MAX_LOG_LINES = 500;

export const createFilesSlice: StateCreator<StudioState, [], [], FilesSlice> = () => ({
  files: [],
  recognising: false,
});

/** Before the session's first answer: run_classifier.py's defaults, no task. */
export const INITIAL_SETTINGS: SettingsState = { task: null, settings: defaultSettings('mrpc'), edited: [], adapted: [], issues: [] };

export const createTaskSlice: StateCreator<StudioState, [], [], TaskSlice> = () => ({
  detection: null,
  task: null,
  taskOverridden: false,
  settings: INITIAL_SETTINGS.settings,
  settingsState: INITIAL_SETTINGS,
  plan: null,
  preview: [],
});

export const createRunSlice: StateCreator<StudioState, [], [], RunSlice> = () => ({
  status: 'idle',
  runId: null,
  run: null,
  phases: {},
  lastStep: null,
  trainStartedAt: null,
  lastCheckpoint: null,
  finished: null,
  evals: [],
  spanPredictions: null,
});

export const createDemoSlice: StateCreator<StudioState, [], [], DemoSlice> = () => ({
  prediction: null,
  demoQuestions: [],
  demoSize: null,
  exportState: null,
  evalPredictions: null,
  formatExports: {},
});

export const createRunsSlice: StateCreator<StudioState, [], [], RunsSlice> = (set) => ({
  runs: [],
  compareIds: [],
  liveRun: null,
  storageUse: null,
  keptFilesStates: {},
  setCompare(ids) {
    set({ compareIds: ids.slice(-2) });
  },
});

export const createSystemSlice: StateCreator<StudioState, [], [], SystemSlice> = (set) => ({
  workerReady: false,
  backend: null,
  estimate: null,
  errors: [],
  log: [],
  lockedRunIds: [],
  dismissError(id) {
    set((s) => ({ errors: s.errors.filter((e) => e.id !== id) }));
  },
});
