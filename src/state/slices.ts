/**
 * The studio store's slices (zustand, StateCreator). Shape only + small pure setters; every
 * worker event is written by src/state/apply-event.ts (called only by bridge.ts), and the UI's
 * commands are the functions exported by bridge.ts. Per-step curves are NOT here: see series.ts.
 *
 * STABLE CONTRACT for src/app and src/ui:
 *   files            FileReport[] as the worker recognised them.
 *   detection/task/settings/preview   detected task (changeable), the settings form's values, first examples.
 *   status/run/phases/lastStep/...    the run's state machine, totals, per-phase progress, latest step.
 *   evals/spanPredictions             eval history and live span predictions.
 *   prediction/demoQuestions/exportState   the QA / classification demo and downloads.
 *   runs/compareIds                   stored runs (IndexedDB) and the ones chosen for comparison.
 *   workerReady/backend/errors/log    system state.
 */
import type { LiveRun } from './live-run';
import type { StateCreator } from 'zustand/vanilla';
import type { TaskName } from '../core/data';
import type { RunRecord } from '../core/io';
import type { EvalResult, StepMetrics } from '../core/train';
import type {
  BackendName, DemoQuestion, ErrorInfo, ExportedFile, FileReport, Phase, PredictResult, PreviewExample,
  RunInfo, RunStatus, SpanPrediction, TaskDetection,
} from '../protocol/events';
import type { PredictInput } from '../protocol/commands';
import { defaultSettings, type RunSettings } from '../protocol/settings';

export interface FilesSlice {
  files: FileReport[];
  /** True between a loadFiles command and the worker's fileRecognised answer. */
  recognising: boolean;
}

export interface TaskSlice {
  detection: TaskDetection | null;
  /** The task the run will use: the detected one unless the user changed it. */
  task: TaskName | null;
  taskOverridden: boolean;
  settings: RunSettings;
  /** Settings the user edited (kept when the task changes; the others follow the task's defaults). */
  editedSettings: Array<keyof RunSettings>;
  preview: PreviewExample[];
  /** Pure state setters (bridge.setTask / bridge.updateSettings also tell the worker). */
  setTask(task: TaskName, overridden: boolean): void;
  updateSettings(patch: Partial<RunSettings>): void;
  resetSettings(): void;
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
  exportState: ExportState | null;
  /** The latest evaluation's dev predictions as files (eval_predictions.jsonl, ...), for the Results panel. */
  evalPredictions: { runId: string; step: number; files: ExportedFile[] } | null;
}

export interface RunsSlice {
  runs: RunRecord[];
  /** Up to two run ids whose loss curves are drawn together. */
  compareIds: string[];
  setCompare(ids: string[]): void;
  /** The current run's latest step and loss (refreshed a few times a second, see live-run.ts). */
  liveRun: LiveRun | null;
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
  backend: { name: BackendName; tried: Array<{ name: BackendName; reason: string }> } | null;
  errors: ErrorEntry[];
  log: LogLine[];
  dismissError(id: number): void;
}

export type StudioState = FilesSlice & TaskSlice & RunSlice & DemoSlice & RunsSlice & SystemSlice;

/** Log lines kept in the store (older ones are dropped). */
export const MAX_LOG_LINES = 500;

export const createFilesSlice: StateCreator<StudioState, [], [], FilesSlice> = () => ({
  files: [],
  recognising: false,
});

export const createTaskSlice: StateCreator<StudioState, [], [], TaskSlice> = (set) => ({
  detection: null,
  task: null,
  taskOverridden: false,
  settings: defaultSettings('mrpc'),
  editedSettings: [],
  preview: [],
  setTask(task, overridden) {
    set((s) => {
      const defaults = defaultSettings(task);
      const settings = { ...defaults };
      for (const k of s.editedSettings) (settings as unknown as Record<string, unknown>)[k] = s.settings[k];
      return { task, taskOverridden: overridden, settings };
    });
  },
  updateSettings(patch) {
    set((s) => ({
      settings: { ...s.settings, ...patch },
      editedSettings: [...new Set([...s.editedSettings, ...(Object.keys(patch) as Array<keyof RunSettings>)])],
    }));
  },
  resetSettings() {
    set((s) => ({ settings: defaultSettings(s.task ?? 'mrpc'), editedSettings: [] }));
  },
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
  exportState: null,
  evalPredictions: null,
});

export const createRunsSlice: StateCreator<StudioState, [], [], RunsSlice> = (set) => ({
  runs: [],
  compareIds: [],
  liveRun: null,
  setCompare(ids) {
    set({ compareIds: ids.slice(-2) });
  },
});

export const createSystemSlice: StateCreator<StudioState, [], [], SystemSlice> = (set) => ({
  workerReady: false,
  backend: null,
  errors: [],
  log: [],
  dismissError(id) {
    set((s) => ({ errors: s.errors.filter((e) => e.id !== id) }));
  },
});
