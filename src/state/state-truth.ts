/**
 * Keeping what the page shows true to the stored state (issue 12, "state that is always true"):
 *
 *   clearRunPanels   new files start a new piece of work: the previous run's panels (charts,
 *                    metrics, live answers, predictions, downloads, the demo's held-out questions)
 *                    are cleared, unless a run is still going on (its panels stay).
 *   settleMessages   after each worker event, messages whose cause is gone are dismissed: the QA /
 *                    Classify "the model is still training" once the run ended, "a run is in
 *                    progress" once it ended, "cannot start yet" once the files are complete,
 *                    "cannot start: <setting>" once the settings are valid, and every refusal of a
 *                    start once a run has started.
 *   checkpointOf     the checkpoint an error card may promise, from the stored run (the error's own
 *                    field, else the run list's record, else the latest checkpoint event).
 * Called by bridge.ts only (the one writer of worker events into the store).
 */
import type { RunRecord } from '../core/io';
import type { WorkerEvent } from '../protocol/events';
import type { SeriesStore } from './series';
import type { StudioState } from './slices';
import type { StudioStore } from './store';

const RUNNING = new Set<StudioState['status']>(['preparing', 'training', 'paused', 'evaluating', 'stopping']);

/** Clears the previous run's panels; returns false (and changes nothing) while a run is active. */
export function clearRunPanels(store: StudioStore, series: SeriesStore): boolean {
  if (RUNNING.has(store.getState().status)) return false;
  series.reset();
  store.setState({
    status: 'idle', runId: null, run: null, phases: {}, lastStep: null, trainStartedAt: null, lastCheckpoint: null, finished: null,
    evals: [], spanPredictions: null, prediction: null, exportState: null, formatExports: {}, evalPredictions: null, demoQuestions: [], demoSize: null,
  });
  return true;
}

/** Error codes that refuse a start; each is moot once a run has started. */
const START_REFUSALS = new Set(['not-ready', 'settings', 'fingerprint', 'busy', 'no-model']);

export function settleMessages(store: StudioStore, ev: WorkerEvent): void {
  const s = store.getState();
  let dismiss: ((code: string | undefined) => boolean) | null = null;
  let prediction = s.prediction;
  const ended = ev.type === 'finished' || (ev.type === 'status' && (ev.status === 'finished' || ev.status === 'stopped' || ev.status === 'failed'));
  if (ended || ev.type === 'runStarted') {
    if (prediction?.error?.code === 'no-model') prediction = null;
  }
  if (ev.type === 'runStarted') dismiss = (c) => c !== undefined && START_REFUSALS.has(c);
  else if (ended) dismiss = (c) => c === 'busy';
  else if (ev.type === 'taskDetected' && ev.detection.ready) dismiss = (c) => c === 'not-ready';
  else if (ev.type === 'settings' && ev.issues.length === 0) dismiss = (c) => c === 'settings';
  const errors = dismiss ? s.errors.filter((e) => !dismiss!(e.code)) : s.errors;
  if (errors.length !== s.errors.length || prediction !== s.prediction) store.setState({ errors, prediction });
}

/** The checkpoint an error about run `runId` can promise, checked against what is stored. */
export function checkpointOf(errorStep: number | null | undefined, runId: string | null, runs: readonly RunRecord[], lastCheckpointStep: number | null): number | null {
  const stored = runId ? (runs.find((r) => r.id === runId)?.lastCheckpointStep ?? null) : null;
  const steps = [errorStep ?? null, stored, lastCheckpointStep].filter((x): x is number => x !== null && x !== undefined);
  return steps.length > 0 ? Math.max(...steps) : null;
}
