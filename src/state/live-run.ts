/**
 * The current run's latest step and loss for the run list, between the stored record's updates
 * (which come at checkpoints only). applyEvent refreshes it at most every LIVE_RUN_INTERVAL_MS,
 * so the run list redraws a few times a second, not once per step.
 */
import type { RunRecord } from '../core/io';

export const LIVE_RUN_INTERVAL_MS = 400;

export interface LiveRun {
  runId: string;
  step: number;
  loss: number;
  /** When it was last refreshed (ms). */
  time: number;
}

/** The next LiveRun after a step, or null when the current one is recent enough. */
export function nextLiveRun(current: LiveRun | null, runId: string | null, step: number, loss: number, now: number): LiveRun | null {
  if (!runId) return null;
  if (current && current.runId === runId && now - current.time < LIVE_RUN_INTERVAL_MS) return null;
  return { runId, step, loss, time: now };
}

/** The runs with the live run's step and loss where they are newer than the stored ones. */
export function withLiveRun(runs: readonly RunRecord[], live: LiveRun | null): RunRecord[] {
  if (!live) return runs.slice();
  return runs.map((r) => (r.id === live.runId && live.step > r.lastStep ? { ...r, lastStep: live.step, lastLoss: live.loss } : r));
}
