/**
 * Writes one worker event into the store and the series store. Called only by bridge.ts
 * (the one place worker events enter the page's state); a pure function of (store, series, event)
 * so it is unit-tested without a Worker.
 */
import type { WorkerEvent } from '../protocol/events';
import { nextLiveRun } from './live-run';
import type { SeriesStore } from './series';
import { MAX_LOG_LINES, type StudioState } from './slices';
import type { StudioStore } from './store';

let nextErrorId = 1;

export function applyEvent(store: StudioStore, series: SeriesStore, ev: WorkerEvent, now = Date.now()): void {
  const set = (partial: Partial<StudioState> | ((s: StudioState) => Partial<StudioState>)): void => store.setState(partial);
  switch (ev.type) {
    case 'ready':
      set({ workerReady: true });
      return;
    case 'fileRecognised':
      set({ files: ev.files, recognising: false });
      return;
    case 'taskDetected':
      set({ detection: ev.detection, task: ev.detection.task, taskOverridden: ev.detection.reason.startsWith('chosen by you') });
      return;
    case 'settings': {
      const { type: _t, ...state } = ev;
      set({ settingsState: state, settings: state.settings, task: state.task });
      return;
    }
    case 'plan':
      set({ plan: ev.plan, preview: ev.plan.examples });
      return;
    case 'progress':
      set((s) => {
        const prev = s.phases[ev.phase];
        const fresh = !prev || ev.done < prev.done || prev.total !== ev.total;
        return {
          phases: {
            ...s.phases,
            [ev.phase]: { phase: ev.phase, done: ev.done, total: ev.total, label: ev.label, startedAt: fresh ? now : prev.startedAt, updatedAt: now },
          },
        };
      });
      return;
    case 'backend':
      set({ backend: { name: ev.name, tried: ev.tried, ...(ev.adapter ? { adapter: ev.adapter, softwareRenderer: ev.softwareRenderer } : {}) } });
      return;
    case 'status':
      set((s) => ({ status: ev.status, runId: ev.runId ?? s.runId }));
      return;
    case 'runStarted':
      series.reset();
      set({
        run: ev.run, runId: ev.run.runId, evals: [], spanPredictions: null, lastStep: null, trainStartedAt: null,
        finished: null, lastCheckpoint: null, prediction: null, exportState: null, evalPredictions: null, formatExports: {},
      });
      return;
    case 'step': {
      if (ev.steps.length === 0) return;
      series.append(ev.steps);
      const last = ev.steps[ev.steps.length - 1];
      set((s) => {
        const live = nextLiveRun(s.liveRun, s.runId, last.step, last.loss, now);
        return { lastStep: last, trainStartedAt: s.trainStartedAt ?? now, ...(live ? { liveRun: live } : {}) };
      });
      return;
    }
    case 'eval':
      set((s) => ({ evals: [...s.evals.filter((e) => e.step !== ev.result.step), ev.result].sort((a, b) => a.step - b.step) }));
      return;
    case 'spanPredictions':
      set({ spanPredictions: { step: ev.step, items: ev.items } });
      return;
    case 'checkpoint':
      set({ lastCheckpoint: { step: ev.step, epoch: ev.epoch, bytes: ev.bytes, time: now } });
      return;
    case 'finished':
      set({ finished: { reason: ev.reason, step: ev.step, metrics: ev.metrics } });
      return;
    case 'prediction':
      set((s) => {
        if (!s.prediction || s.prediction.requestId !== ev.requestId) return {};
        return { prediction: { ...s.prediction, status: ev.error ? 'failed' : 'done', result: ev.result, error: ev.error ?? null } };
      });
      return;
    case 'exported':
      if (ev.format && ev.format !== 'hf') {
        const format = ev.format;
        set((s) => {
          const mine = s.formatExports[format];
          if (!mine || mine.requestId !== ev.requestId) return {};
          return { formatExports: { ...s.formatExports, [format]: { ...mine, status: ev.error ? 'failed' : 'done', files: ev.files, zip: ev.zip, error: ev.error ?? null } } };
        });
        return;
      }
      set((s) => {
        if (!s.exportState || s.exportState.requestId !== ev.requestId) return {};
        return { exportState: { ...s.exportState, status: ev.error ? 'failed' : 'done', files: ev.files, zip: ev.zip, error: ev.error ?? null } };
      });
      return;
    case 'evalPredictions':
      set({ evalPredictions: { runId: ev.runId, step: ev.step, rows: ev.rows } });
      return;
    case 'demoSize':
      set({ demoSize: { runId: ev.runId, status: ev.status, choice: ev.choice ?? null } });
      return;
    case 'demoData':
      set({ demoQuestions: ev.questions });
      return;
    case 'log':
      set((s) => ({ log: appendCapped(s.log, { level: ev.level, message: ev.message, time: ev.time }) }));
      return;
    case 'error': {
      const { type: _t, ...info } = ev;
      set((s) => ({
        errors: [...s.errors, { ...info, id: nextErrorId++, time: now }],
        log: appendCapped(s.log, { level: 'error', message: ev.message, time: now }),
        recognising: false,
      }));
      return;
    }
    case 'estimate':
      set({ estimate: ev.estimate });
      return;
    case 'datasetPredictions':
      // The CLI's request (a fine-tuned folder over a data file); the page does not send it.
      return;
    default: {
      const never: never = ev;
      void never;
    }
  }
}

function appendCapped<T>(list: readonly T[], item: T): T[] {
  const next = list.length >= MAX_LOG_LINES ? list.slice(list.length - MAX_LOG_LINES + 1) : list.slice();
  next.push(item);
  return next;
}
