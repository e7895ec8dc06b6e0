/**
 * Coalesces many change notifications into at most one callback per animation frame, so a
 * chart fed by a fast stream redraws ~60 times a second at most, whatever the event rate.
 */
export interface FrameScheduler {
  /** Ask for one `run` on the next frame (repeated calls before it fire once). */
  request(): void;
  cancel(): void;
}

export interface FrameApi {
  requestAnimationFrame(cb: () => void): number;
  cancelAnimationFrame(id: number): void;
}

const browserFrames: FrameApi = {
  requestAnimationFrame: (cb) => requestAnimationFrame(() => cb()),
  cancelAnimationFrame: (id) => cancelAnimationFrame(id),
};

export function createFrameScheduler(run: () => void, frames: FrameApi = browserFrames): FrameScheduler {
  let pending: number | null = null;
  return {
    request() {
      if (pending !== null) return;
      pending = frames.requestAnimationFrame(() => {
        pending = null;
        run();
      });
    },
    cancel() {
      if (pending !== null) frames.cancelAnimationFrame(pending);
      pending = null;
    },
  };
}

/** Subscribes `draw` to a source and redraws at most once per frame; returns the unsubscribe. */
export function subscribePerFrame(
  source: { subscribe(listener: () => void): () => void },
  draw: () => void,
  frames: FrameApi = browserFrames,
): () => void {
  const scheduler = createFrameScheduler(draw, frames);
  const unsubscribe = source.subscribe(() => scheduler.request());
  scheduler.request();
  return () => {
    unsubscribe();
    scheduler.cancel();
  };
}
