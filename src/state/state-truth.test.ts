import { describe, expect, it } from 'vitest';
import { applyEvent } from './apply-event';
import { createSeriesStore } from './series';
import { createStudioStore } from './store';
import { checkpointOf, clearRunPanels, settleMessages } from './state-truth';
import { defaultSettings } from '../core/settings';
import type { RunInfo, WorkerEvent } from '../protocol/events';
import type { RunRecord } from '../core/io';

const run: RunInfo = {
  runId: 'r1', runName: 'r1', task: 'squad', settings: defaultSettings('squad'), labels: [], numTrainExamples: 4, numTrainFeatures: 4,
  numDevExamples: 2, stepsPerEpoch: 2, totalSteps: 4, resumedFromStep: 0, isDemo: true,
};

function setup() {
  const store = createStudioStore();
  const series = createSeriesStore();
  const apply = (ev: WorkerEvent) => {
    applyEvent(store, series, ev, 1000);
    settleMessages(store, ev);
  };
  return { store, series, apply };
}

describe('clearRunPanels', () => {
  it("clears the previous run's charts, answers, results and the demo's questions", () => {
    const { store, series, apply } = setup();
    apply({ type: 'runStarted', run });
    apply({ type: 'step', steps: [{ step: 1, epoch: 0, loss: 2, learningRate: 1e-4, gradNorm: 1, examplesPerSec: 1, tokensPerSec: 1, memoryBytes: 0, numTensors: 0 }] });
    apply({ type: 'eval', result: { step: 1, epoch: 0, metrics: { f1: 50 } } });
    apply({ type: 'spanPredictions', step: 1, items: [] });
    apply({ type: 'status', status: 'finished', runId: 'r1' });
    apply({ type: 'demoData', questions: [{ qasId: 'q', context: 'c', question: 'q?', answer: 'a' }] });
    expect(series.columns().step.length).toBe(1);
    expect(clearRunPanels(store, series)).toBe(true);
    const s = store.getState();
    expect(s).toMatchObject({ run: null, runId: null, status: 'idle', lastStep: null, evals: [], spanPredictions: null, demoQuestions: [], finished: null, exportState: null });
    expect(series.columns().step.length).toBe(0);
  });

  it('leaves a running run alone', () => {
    const { store, series, apply } = setup();
    apply({ type: 'runStarted', run });
    apply({ type: 'status', status: 'training', runId: 'r1' });
    expect(clearRunPanels(store, series)).toBe(false);
    expect(store.getState().run).toEqual(run);
  });
});

describe('settleMessages', () => {
  it('drops "the model is still training" from the demo panel once the run has finished', () => {
    const { store, apply } = setup();
    store.setState({ prediction: { requestId: 1, input: { kind: 'qa', context: 'c', question: 'q' }, status: 'failed', result: null, error: { message: 'the model is still training', code: 'no-model' } } });
    apply({ type: 'step', steps: [] });
    expect(store.getState().prediction).not.toBeNull();
    apply({ type: 'finished', runId: 'r1', reason: 'completed', step: 4, metrics: {} });
    expect(store.getState().prediction).toBeNull();
  });

  it('dismisses refusals whose cause is gone, and keeps the others', () => {
    const { store, apply } = setup();
    const err = (code: string, message: string): WorkerEvent => ({ type: 'error', fatal: false, lastCheckpointStep: null, message, code });
    apply(err('busy', 'a run is in progress'));
    apply(err('not-ready', 'cannot start yet'));
    apply(err('settings', 'cannot start: lr'));
    apply(err('json', 'bad file'));
    apply({ type: 'settings', task: 'mrpc', settings: defaultSettings('mrpc'), edited: [], adapted: [], issues: [] });
    expect(store.getState().errors.map((e) => e.code)).toEqual(['busy', 'not-ready', 'json']);
    apply({ type: 'finished', runId: 'r1', reason: 'stopped', step: 1, metrics: {} });
    expect(store.getState().errors.map((e) => e.code)).toEqual(['not-ready', 'json']);
    apply({ type: 'taskDetected', detection: { task: 'mrpc', reason: 't', candidates: ['mrpc'], labels: [], counts: { train: 1, dev: 0, test: 0 }, model: null, ready: true, missing: [] } });
    expect(store.getState().errors.map((e) => e.code)).toEqual(['json']);
  });
});

describe('checkpointOf', () => {
  it("takes the stored run's checkpoint when the error did not know it", () => {
    const runs = [{ id: 'r1', lastCheckpointStep: 8 } as RunRecord];
    expect(checkpointOf(null, 'r1', runs, null)).toBe(8);
    expect(checkpointOf(null, 'r1', runs, 12)).toBe(12);
    expect(checkpointOf(null, 'other', runs, null)).toBeNull();
    expect(checkpointOf(4, null, [], null)).toBe(4);
  });
});
