/**
 * Event throttle on the worker side: `step` events are merged into one `step` batch and
 * `progress` events keep only the latest per phase until the next flush (every `intervalMs`,
 * default 80 ms, i.e. at most ~one batch per animation frame or two). Any other event first
 * flushes what is pending, then goes out at once, so the page sees events in order.
 * A progress event that completes its phase (done >= total) is kept too (it is the latest).
 */
import type { StepMetrics } from '../core/train';
import type { WorkerEvent } from './events';

export interface EventThrottle {
  /** Queue (step/progress) or send (everything else) one event. */
  push(event: WorkerEvent): void;
  /** Send everything pending now. */
  flush(): void;
  /** Flush and stop the timer. */
  dispose(): void;
}

export interface ThrottleOptions {
  intervalMs?: number;
  /** Injected timers (tests). */
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
}

type ProgressEvent = Extract<WorkerEvent, { type: 'progress' }>;

export function createEventThrottle(send: (event: WorkerEvent) => void, options: ThrottleOptions = {}): EventThrottle {
  const intervalMs = options.intervalMs ?? 80;
  const setTimer = options.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
  const clearTimer = options.clearTimer ?? ((h) => clearTimeout(h as ReturnType<typeof setTimeout>));
  let steps: StepMetrics[] = [];
  // Insertion-ordered: phases flush in the order they first appeared.
  const progress = new Map<string, ProgressEvent>();
  let timer: unknown = null;

  const flush = (): void => {
    if (timer !== null) {
      clearTimer(timer);
      timer = null;
    }
    // Progress before steps: an epoch's progress bar and its steps arrive in one batch.
    if (progress.size > 0) {
      const pending = [...progress.values()];
      progress.clear();
      for (const p of pending) send(p);
    }
    if (steps.length > 0) {
      const batch = steps;
      steps = [];
      send({ type: 'step', steps: batch });
    }
  };

  const arm = (): void => {
    if (timer === null) timer = setTimer(flush, intervalMs);
  };

  return {
    push(event) {
      if (event.type === 'step') {
        for (const s of event.steps) steps.push(s);
        arm();
      } else if (event.type === 'progress') {
        progress.delete(event.phase);
        progress.set(event.phase, event);
        arm();
      } else {
        flush();
        send(event);
      }
    },
    flush,
    dispose() {
      flush();
    },
  };
}
