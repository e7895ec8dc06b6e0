/**
 * The session's calibration scheduler: when a model and data are loaded (and no run is active),
 * a short calibration (calibrate.ts) runs on the backend in use, debounced after each change of
 * the settings, and its result is reported as `estimate` events:
 *
 *   schedule(input)   after every plan: re-emits at once from the last measurement when batch,
 *                     sequence length, model and backend are unchanged (epochs, examples and
 *                     evaluation change only the arithmetic); else measures after `debounceMs`.
 *   halt()            before a run starts: cancels a pending or running calibration and waits for
 *                     it to let go of the device (the weights it changed are discarded).
 *   memoryCheck(...)  the measured step for settings validation (SettingsContext.memory).
 *
 * The pretrained weights are loaded for each measurement and disposed with the model after it.
 */
import type { BackendInfo, BackendName } from '../backend/init';
import type { BertConfig } from '../model/config';
import { createBertModel } from '../model/bert-model';
import type { HeadSpec, WeightMap } from '../model/types';
import type { MemoryCheck } from '../settings/validate';
import type { Settings } from '../settings/schema';
import { memoryCheck, optimizerBytes, parameterCount } from '../train/preflight';
import { calibrate, estimateFrom, type Calibration, type RunEstimate } from './calibrate';
import { isAbortError } from './errors';

export interface CalibrationInput {
  /** Identifies the model files (a new drop measures again). */
  modelKey: string;
  head: HeadSpec;
  settings: Settings;
  stepsPerEpoch: number;
  totalSteps: number;
  evaluations: number;
  evalExamples: number;
  loadModel(): Promise<{ config: BertConfig; weights: WeightMap }>;
}

export interface CalibratorDeps {
  emit(estimate: RunEstimate): void;
  backend(): Promise<{ info: BackendInfo; lost: string | null }>;
  /** The measured memory changed: validate the settings again. */
  onMemory(): void;
  log(message: string, level: 'info' | 'warn'): void;
  debounceMs?: number;
  /** Device memory a run may use, when known (WebGPU does not report it). */
  budgetBytes?: number;
}

interface Measured {
  key: string;
  calibration: Calibration;
  config: BertConfig;
  head: HeadSpec;
  backend: BackendName;
  adapter?: string;
}

const numLabelsOf = (h: HeadSpec): number => (h.kind === 'classification' ? h.numLabels : h.kind === 'span' ? 2 : 1);

export function createCalibrator(deps: CalibratorDeps) {
  let last: Measured | null = null;
  let timer: unknown = null;
  let running: { abort: AbortController; done: Promise<void>; input: CalibrationInput } | null = null;
  let pending: CalibrationInput | null = null;
  let halted = false;
  let backendInfo: BackendInfo | null = null;

  const keyOf = (x: CalibrationInput, backend: string) => [x.modelKey, x.head.kind, numLabelsOf(x.head), x.settings.trainBatchSize, x.settings.maxSeqLength, backend].join('|');

  const report = (m: Measured, x: CalibrationInput): void => {
    const plan = {
      backend: m.backend, adapter: m.adapter, stepsPerEpoch: x.stepsPerEpoch, totalSteps: x.totalSteps, evaluations: x.evaluations, evalExamples: x.evalExamples,
      stateBytes: parameterCount(m.config, numLabelsOf(m.head)) * 4 + optimizerBytes(m.config, numLabelsOf(m.head)),
    };
    deps.emit(estimateFrom(m.calibration, plan));
  };

  const measure = async (x: CalibrationInput, signal: AbortSignal): Promise<void> => {
    const b = await deps.backend();
    backendInfo = b.info;
    if (b.lost) return;
    const key = keyOf(x, b.info.name);
    if (last?.key === key) return report(last, x);
    const adapter = b.info.limits?.adapter || undefined;
    deps.emit({ status: 'measuring', backend: b.info.name, adapter, batchSize: x.settings.trainBatchSize, seqLength: x.settings.maxSeqLength });
    const loaded = await x.loadModel();
    if (signal.aborted) return;
    const model = createBertModel(loaded.config, loaded.weights, x.head, { seed: x.settings.seed, source: 'calibration' });
    loaded.weights.clear();
    try {
      // Memory first: a batch over the device's limits is not timed (it would not fit).
      const memOnly = await calibrate({ model, settings: x.settings, batchSize: x.settings.trainBatchSize, seqLength: x.settings.maxSeqLength, memoryOnly: true, signal });
      const check = memoryCheck({ config: loaded.config, numLabels: numLabelsOf(x.head), measured: memOnly.memory, backend: b.info.name, limits: b.info.limits, budgetBytes: deps.budgetBytes });
      const over = check.limits.some((l) => (l.tensor ? l.tensor.bytesPerExample * x.settings.trainBatchSize : check.fixedBytes + x.settings.trainBatchSize * check.bytesPerExample) > l.bytes);
      const calibration = over ? memOnly : await calibrate({ model, settings: x.settings, batchSize: x.settings.trainBatchSize, seqLength: x.settings.maxSeqLength, signal });
      last = { key, calibration, config: loaded.config, head: x.head, backend: b.info.name, adapter };
      deps.onMemory();
      report(last, x);
    } finally {
      model.dispose();
    }
  };

  const start = (): void => {
    timer = null;
    const x = pending;
    if (!x || halted || running) return;
    pending = null;
    const abort = new AbortController();
    const done = measure(x, abort.signal)
      .catch((e) => {
        if (isAbortError(e) || abort.signal.aborted) return;
        const reason = (e as Error)?.message ?? String(e);
        deps.log(`the estimate could not be measured: ${reason}`, 'warn');
        deps.emit({ status: 'failed', backend: backendInfo?.name ?? null, batchSize: x.settings.trainBatchSize, seqLength: x.settings.maxSeqLength, reason });
      })
      .finally(() => {
        running = null;
        // Settings changed while measuring: measure them now.
        if (pending && !halted) timer = setTimeout(start, 0);
      });
    running = { abort, done, input: x };
  };

  return {
    schedule(x: CalibrationInput): void {
      halted = false;
      pending = x;
      if (last && backendInfo && last.key === keyOf(x, backendInfo.name)) {
        pending = null;
        report(last, x);
        return;
      }
      if (running) {
        // A measurement of other settings is stale: cancel it (it stops at its next step); this one follows it.
        const r = running.input;
        if (r.settings.trainBatchSize !== x.settings.trainBatchSize || r.settings.maxSeqLength !== x.settings.maxSeqLength || r.modelKey !== x.modelKey) running.abort.abort();
        return;
      }
      if (timer === null) timer = setTimeout(start, deps.debounceMs ?? 400);
    },
    async halt(): Promise<void> {
      halted = true;
      pending = null;
      const r = running;
      if (r) {
        r.abort.abort();
        await r.done;
      }
    },
    /** The last measured step for validation (which applies it only at its sequence length). */
    memoryCheck(): MemoryCheck | undefined {
      const m = last;
      if (!m) return undefined;
      return memoryCheck({ config: m.config, numLabels: numLabelsOf(m.head), measured: m.calibration.memory, backend: m.backend, limits: backendInfo?.limits, budgetBytes: deps.budgetBytes });
    },
    /** Resolves when no calibration is pending or running (tests, and the CLI before exiting). */
    async settled(): Promise<void> {
      for (;;) {
        if (running) await running.done;
        else if (timer !== null || pending) await new Promise<void>((r) => setTimeout(r, (deps.debounceMs ?? 400) + 10));
        else return;
      }
    },
  };
}

export type Calibrator = ReturnType<typeof createCalibrator>;
