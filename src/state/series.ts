/**
 * The live training curves, kept OUT of React state: append-only Float64Array columns that grow
 * by doubling, plus a version counter. Charts (uPlot) subscribe and redraw from the columns on
 * the next animation frame; React never re-renders per step.
 *
 *   const series = getSeries();                  // from src/state/bridge.ts
 *   const unsub = series.subscribe(() => draw(series.columns()));
 *   useSyncExternalStore(series.subscribe, series.getVersion);   // if a component needs it
 *
 * Columns: step, loss, smoothed loss (exponential moving average, `smoothing` = 0.9 with bias
 * correction, as TensorBoard draws it), learning rate, gradient norm, examples/s, tokens/s,
 * memory bytes, tensor count, epoch. `columns()` returns subarray views of the first `length` entries (no copy;
 * valid until the next append).
 */
import type { StepMetrics } from '../core/train';

export const SERIES_KEYS = ['step', 'loss', 'smoothedLoss', 'learningRate', 'gradNorm', 'examplesPerSec', 'tokensPerSec', 'memoryBytes', 'numTensors', 'epoch'] as const;
export type SeriesKey = (typeof SERIES_KEYS)[number];
export type SeriesColumns = Record<SeriesKey, Float64Array>;

export interface SeriesStore {
  readonly length: number;
  append(steps: readonly StepMetrics[]): void;
  /** Replace everything (a resumed or stored run's history). */
  load(steps: readonly StepMetrics[]): void;
  reset(): void;
  columns(): SeriesColumns;
  /** Increases on every change (for useSyncExternalStore). */
  getVersion(): number;
  subscribe(listener: () => void): () => void;
  /** Steps in the history, as plain objects (for persistence and CSV export). */
  toSteps(): StepMetrics[];
}

export function createSeriesStore(smoothing = 0.9, initialCapacity = 1024): SeriesStore {
  let capacity = initialCapacity;
  let length = 0;
  let version = 0;
  let ema = 0;
  let emaWeight = 0;
  const listeners = new Set<() => void>();
  let cols = allocate(capacity);

  function allocate(n: number): SeriesColumns {
    const c = {} as SeriesColumns;
    for (const k of SERIES_KEYS) c[k] = new Float64Array(n);
    return c;
  }

  function grow(needed: number): void {
    if (needed <= capacity) return;
    let next = capacity;
    while (next < needed) next *= 2;
    const bigger = allocate(next);
    for (const k of SERIES_KEYS) bigger[k].set(cols[k].subarray(0, length));
    cols = bigger;
    capacity = next;
  }

  function push(steps: readonly StepMetrics[]): void {
    grow(length + steps.length);
    for (const s of steps) {
      const i = length++;
      ema = smoothing * ema + (1 - smoothing) * s.loss;
      emaWeight = smoothing * emaWeight + (1 - smoothing);
      cols.step[i] = s.step;
      cols.loss[i] = s.loss;
      cols.smoothedLoss[i] = emaWeight > 0 ? ema / emaWeight : s.loss;
      cols.learningRate[i] = s.learningRate;
      cols.gradNorm[i] = s.gradNorm;
      cols.examplesPerSec[i] = s.examplesPerSec;
      cols.tokensPerSec[i] = s.tokensPerSec;
      cols.memoryBytes[i] = s.memoryBytes;
      cols.numTensors[i] = s.numTensors;
      cols.epoch[i] = s.epoch;
    }
  }

  function notify(): void {
    version++;
    for (const l of [...listeners]) l();
  }

  function clear(): void {
    length = 0;
    ema = 0;
    emaWeight = 0;
  }

  return {
    get length() {
      return length;
    },
    append(steps) {
      if (steps.length === 0) return;
      push(steps);
      notify();
    },
    load(steps) {
      clear();
      push(steps);
      notify();
    },
    reset() {
      clear();
      notify();
    },
    columns() {
      const c = {} as SeriesColumns;
      for (const k of SERIES_KEYS) c[k] = cols[k].subarray(0, length);
      return c;
    },
    getVersion: () => version,
    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    toSteps() {
      const out: StepMetrics[] = [];
      for (let i = 0; i < length; i++) {
        out.push({
          step: cols.step[i], epoch: cols.epoch[i], loss: cols.loss[i], learningRate: cols.learningRate[i], gradNorm: cols.gradNorm[i],
          examplesPerSec: cols.examplesPerSec[i], tokensPerSec: cols.tokensPerSec[i], memoryBytes: cols.memoryBytes[i], numTensors: cols.numTensors[i],
        });
      }
      return out;
    },
  };
}
