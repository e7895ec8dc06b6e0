/**
 * When the training loop saves a checkpoint: every `saveCheckpointsSteps` optimizer steps, every
 * `saveCheckpointsSeconds` seconds of training, and at the last step.
 *
 * "Seconds of training" is wall time while the loop trains: time spent paused does not count
 * (pause() / resume() move the clock's origin), and the clock restarts at each checkpoint
 * (whatever made it). A run that stops before its first step-based checkpoint therefore still
 * has one at most `saveCheckpointsSeconds` (plus one step) old.
 *
 * The loop asks `due(step, last)` when it submits the micro-batch that ends an optimizer step
 * (so nothing is enqueued behind a step that checkpoints) and calls `saved()` after the save.
 *
 *   const schedule = createCheckpointSchedule({ steps: 1000, seconds: 120 }, now);
 *   if (schedule.due(step, last)) { await save(); schedule.saved(); }
 */

export interface CheckpointRule {
  /** Every N optimizer steps (0: not by steps). */
  steps: number;
  /** Every N seconds of training (0: not by time). */
  seconds: number;
}

export type CheckpointReason = 'steps' | 'time' | 'last';

export interface CheckpointSchedule {
  /** Why the optimizer step `step` should checkpoint, or null. */
  due(step: number, last: boolean): CheckpointReason | null;
  /** A checkpoint was written: the time-based clock starts again. */
  saved(): void;
  /** Training paused: the time until resume() does not count. */
  pause(): void;
  resume(): void;
  /** Milliseconds of training since the last checkpoint (or the start). */
  elapsedMs(): number;
}

/** The pure rule: does step `step` (after `elapsedMs` ms of training since the last checkpoint) checkpoint? */
export function checkpointReason(rule: CheckpointRule, step: number, last: boolean, elapsedMs: number): CheckpointReason | null {
  if (last) return 'last';
  if (rule.steps > 0 && step > 0 && step % rule.steps === 0) return 'steps';
  if (rule.seconds > 0 && elapsedMs >= rule.seconds * 1000) return 'time';
  return null;
}

export function createCheckpointSchedule(rule: CheckpointRule, now: () => number): CheckpointSchedule {
  let origin = now();
  let pausedAt: number | null = null;
  const elapsedMs = (): number => (pausedAt ?? now()) - origin;
  return {
    due: (step, last) => checkpointReason(rule, step, last, elapsedMs()),
    saved() {
      origin = now();
      if (pausedAt !== null) pausedAt = origin;
    },
    pause() {
      pausedAt ??= now();
    },
    resume() {
      if (pausedAt === null) return;
      origin += now() - pausedAt;
      pausedAt = null;
    },
    elapsedMs,
  };
}
