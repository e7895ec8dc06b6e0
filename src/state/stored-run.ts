/**
 * A stored run (RunRecord + its curve, from IndexedDB) as the page's state for that run: what the
 * dashboard, the metric tiles, the results and the settings form show when the run is reopened
 * from the run list, without the worker. Pure, so it is unit-tested.
 */
import type { RunRecord } from '../core/io';
import { defaultSettings, isSettingKey, type Settings } from '../core/settings';
import type { StepMetrics } from '../core/train';
import type { RunInfo, RunStatus } from '../protocol/events';
import type { StudioState } from './slices';

/** Legacy keys of records stored before the settings table. */
const LEGACY: Record<string, string> = { batchSize: 'trainBatchSize', epochs: 'numTrainEpochs' };

/** The run's settings: the stored ones over the task's defaults (a setting added since keeps its default). */
export function storedSettings(record: Pick<RunRecord, 'task' | 'settings'>): Settings {
  const out = defaultSettings(record.task) as unknown as Record<string, unknown>;
  for (const [k, v] of Object.entries(record.settings)) {
    const key = LEGACY[k] ?? k;
    if (isSettingKey(key) && v !== undefined && v !== null) out[key] = v;
  }
  return out as unknown as Settings;
}

export function runInfoFromRecord(record: RunRecord): RunInfo {
  return {
    runId: record.id,
    runName: record.name,
    task: record.task,
    settings: storedSettings(record),
    labels: record.labels,
    numTrainExamples: 0,
    numTrainFeatures: 0,
    numDevExamples: 0,
    stepsPerEpoch: 0,
    totalSteps: record.totalSteps,
    resumedFromStep: 0,
    isDemo: record.isDemo,
  };
}

const STATUS: Record<RunRecord['status'], RunStatus> = {
  running: 'stopped', paused: 'stopped', interrupted: 'stopped', stopped: 'stopped', finished: 'finished', failed: 'failed',
};

/** The store's run state for a reopened run: its info, curve's last step, evaluations, outcome; the worker's panels cleared. */
export function reopenedRunState(record: RunRecord, steps: readonly StepMetrics[]): Partial<StudioState> {
  const last = steps[steps.length - 1] ?? null;
  return {
    runId: record.id,
    run: runInfoFromRecord(record),
    status: STATUS[record.status],
    phases: {},
    lastStep: last,
    trainStartedAt: null,
    lastCheckpoint: record.lastCheckpointStep !== null ? { step: record.lastCheckpointStep, epoch: 0, bytes: 0, time: record.updated } : null,
    finished: record.status === 'finished' || record.status === 'stopped' || record.status === 'failed'
      ? { reason: record.status === 'finished' ? 'completed' : record.status, step: record.lastStep, metrics: record.finalMetrics ?? {} }
      : null,
    evals: record.evals.slice().sort((a, b) => a.step - b.step),
    spanPredictions: null,
    prediction: null,
    exportState: null,
    evalPredictions: null,
  };
}

/** Whether Open can also load the run's model in the worker (its checkpoint and its data are at hand). */
export function canLoadModel(record: RunRecord): boolean {
  return record.lastCheckpointStep !== null && (record.isDemo || (record.keptFiles?.length ?? 0) > 0);
}
