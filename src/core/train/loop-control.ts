/** Pausing a running loop: the loop awaits `wait()` between steps; cancellation stays an AbortSignal. */

export interface PauseControl {
  readonly paused: boolean;
  pause(): void;
  resume(): void;
  /** Resolves at once when not paused, else when resumed or when `signal` aborts. */
  wait(signal?: AbortSignal): Promise<void>;
}

export function createPauseControl(): PauseControl {
  let paused = false;
  let waiters: Array<() => void> = [];
  const release = () => {
    const w = waiters;
    waiters = [];
    for (const f of w) f();
  };
  return {
    get paused() {
      return paused;
    },
    pause() {
      paused = true;
    },
    resume() {
      paused = false;
      release();
    },
    wait(signal?: AbortSignal) {
      if (!paused || signal?.aborted) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const done = () => {
          signal?.removeEventListener('abort', done);
          resolve();
        };
        waiters.push(done);
        signal?.addEventListener('abort', done, { once: true });
      });
    },
  };
}
