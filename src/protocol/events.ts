/**
 * Events: worker -> page: the session's events (core/session/events.ts, where each is described)
 * plus the worker's own `ready`. A discriminated union on `type`; sent with `postEvent` (messages.ts)
 * through the worker's throttle (throttle.ts): `step` events are coalesced into one batch per
 * flush (every ~80 ms) and `progress` events keep only the latest per phase, so the page gets at
 * most about one batch per animation frame. Every other event flushes what is pending first, so
 * the order is kept.
 *
 * STABLE CONTRACT (only src/state/bridge.ts consumes these and writes them into the store):
 *   ready           the worker booted.
 *   everything else the session's events: fileRecognised, taskDetected, settings, plan, progress,
 *                   backend, status, runStarted, step, eval, spanPredictions, checkpoint,
 *                   finished, prediction, exported, demoSize, demoData, evalPredictions, log, error.
 */
import type { SessionEvent } from '../core/session';
export type { DevPrediction } from '../core/session';
export type { RunEstimate } from '../core/session';

export type {
  BackendName, CharSpan, ColumnChoice, DemoQuestion, DemoSizeChoice, DemoSizeName, ErrorInfo, ExportedFile, ExportFormat, FileKind, FileReport, FileUse, ModelSummary, Phase,
  PredictResult, PreviewExample, QaAnswer, RunInfo, RunPlan, RunStatus, SettingsState, SpanPrediction, TaskDetection,
} from '../core/session';

export type WorkerEvent = { type: 'ready' } | SessionEvent;

export type EventType = WorkerEvent['type'];
export type EventOf<T extends EventType> = Extract<WorkerEvent, { type: T }>;
