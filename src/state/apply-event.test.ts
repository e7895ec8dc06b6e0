import { describe, expect, it } from 'vitest';
import { applyEvent } from './apply-event';
import { createSeriesStore } from './series';
import { createStudioStore } from './store';
import { MAX_LOG_LINES } from './slices';
import { defaultSettings } from '../core/settings';
import type { RunInfo, TaskDetection } from '../protocol/events';
import type { StepMetrics } from '../core/train';

const step = (n: number): StepMetrics => ({ step: n, epoch: 0, loss: 1 / n, learningRate: 1e-4, gradNorm: 1, examplesPerSec: 8, tokensPerSec: 800, memoryBytes: 0, numTensors: 0 });

const detection = (task: TaskDetection['task'], candidates: TaskDetection['candidates']): TaskDetection => ({
  task, reason: 'test', candidates, labels: ['0', '1'], counts: { train: 10, dev: 2, test: 0 }, model: null, ready: true, missing: [],
});

function setup() {
  const store = createStudioStore();
  const series = createSeriesStore();
  return { store, series, apply: (ev: Parameters<typeof applyEvent>[2], now = 1000) => applyEvent(store, series, ev, now) };
}

describe('applyEvent', () => {
  it("holds the session's task, settings and plan as they come (the page keeps no copy of its own)", () => {
    const { store, apply } = setup();
    expect(store.getState().settingsState.issues).toEqual([]);
    apply({ type: 'taskDetected', detection: detection('squad', ['squad', 'squad2']) });
    expect(store.getState().task).toBe('squad');
    const settings = { ...defaultSettings('squad'), maxSeqLength: 64 };
    const adapted = [{ key: 'maxSeqLength' as const, from: 384, to: 64, reason: 'the model has 64 positions' }];
    apply({ type: 'settings', task: 'squad2', settings, edited: [], adapted, issues: [] });
    expect(store.getState()).toMatchObject({ task: 'squad2', settings, settingsState: { adapted } });
    apply({ type: 'plan', plan: { examples: [], trainExamples: 10, devExamples: 2, estimatedSteps: 3 } });
    expect(store.getState().plan?.estimatedSteps).toBe(3);
    apply({ type: 'taskDetected', detection: { ...detection('rte', ['rte', 'wnli']), reason: 'chosen by you (detected: wnli)' } });
    expect(store.getState().taskOverridden).toBe(true);
  });

  it('writes steps to the series and only the latest step to React state', () => {
    const { store, series, apply } = setup();
    const run: RunInfo = {
      runId: 'r1', runName: 'x', task: 'mrpc', settings: defaultSettings('mrpc'), labels: ['0', '1'], numTrainExamples: 64, numTrainFeatures: 64,
      numDevExamples: 8, stepsPerEpoch: 2, totalSteps: 6, resumedFromStep: 0, isDemo: false,
    };
    apply({ type: 'runStarted', run });
    apply({ type: 'step', steps: [step(1), step(2), step(3)] }, 5000);
    apply({ type: 'step', steps: [step(4)] }, 6000);
    expect(series.length).toBe(4);
    expect(store.getState().lastStep).toEqual(step(4));
    expect(store.getState().trainStartedAt).toBe(5000);
    expect(store.getState().run).toEqual(run);
    apply({ type: 'eval', result: { step: 4, epoch: 2, metrics: { accuracy: 0.75 } } });
    apply({ type: 'eval', result: { step: 2, epoch: 1, metrics: { accuracy: 0.5 } } });
    expect(store.getState().evals.map((e) => e.step)).toEqual([2, 4]);
    apply({ type: 'runStarted', run: { ...run, runId: 'r2' } });
    expect(series.length).toBe(0);
    expect(store.getState().evals).toEqual([]);
  });

  it('tracks phases with their start time, status, checkpoints and finish', () => {
    const { store, apply } = setup();
    apply({ type: 'progress', phase: 'featurizing', done: 1, total: 10 }, 100);
    apply({ type: 'progress', phase: 'featurizing', done: 5, total: 10 }, 200);
    expect(store.getState().phases.featurizing).toEqual({ phase: 'featurizing', done: 5, total: 10, label: undefined, startedAt: 100, updatedAt: 200 });
    apply({ type: 'progress', phase: 'featurizing', done: 0, total: 10 }, 300);
    expect(store.getState().phases.featurizing?.startedAt).toBe(300);
    apply({ type: 'status', status: 'training', runId: 'r1' });
    apply({ type: 'checkpoint', runId: 'r1', step: 50, epoch: 1, bytes: 1234 }, 400);
    apply({ type: 'finished', runId: 'r1', reason: 'completed', step: 60, metrics: { f1: 0.9 } });
    const s = store.getState();
    expect(s.status).toBe('training');
    expect(s.runId).toBe('r1');
    expect(s.lastCheckpoint).toEqual({ step: 50, epoch: 1, bytes: 1234, time: 400 });
    expect(s.finished).toEqual({ reason: 'completed', step: 60, metrics: { f1: 0.9 } });
  });

  it('answers only the pending prediction and export requests', () => {
    const { store, apply } = setup();
    store.setState({ prediction: { requestId: 2, input: { kind: 'qa', context: 'c', question: 'q' }, status: 'pending', result: null, error: null } });
    apply({ type: 'prediction', requestId: 1, result: { kind: 'regression', value: 1 } });
    expect(store.getState().prediction?.status).toBe('pending');
    apply({ type: 'prediction', requestId: 2, result: null, error: { message: 'no model' } });
    expect(store.getState().prediction).toMatchObject({ status: 'failed', error: { message: 'no model' } });
    store.setState({ exportState: { requestId: 7, status: 'pending', files: [], zip: null, error: null } });
    const zip = { name: 'm.zip', data: new ArrayBuffer(3) };
    apply({ type: 'exported', requestId: 7, files: [], zip });
    expect(store.getState().exportState).toMatchObject({ status: 'done', zip });
  });

  it('keeps errors with details and caps the log', () => {
    const { store, apply } = setup();
    apply({ type: 'error', fatal: true, lastCheckpointStep: 40, message: 'train.tsv, line 3: bad', file: 'train.tsv', location: 'line 3', expected: '5 columns', code: 'tsv-columns' }, 10);
    const e = store.getState().errors[0];
    expect(e).toMatchObject({ fatal: true, lastCheckpointStep: 40, file: 'train.tsv', location: 'line 3', expected: '5 columns', time: 10 });
    store.getState().dismissError(e.id);
    expect(store.getState().errors).toEqual([]);
    for (let i = 0; i < MAX_LOG_LINES + 20; i++) apply({ type: 'log', level: 'info', message: `line ${i}`, time: i });
    const log = store.getState().log;
    expect(log).toHaveLength(MAX_LOG_LINES);
    expect(log[log.length - 1].message).toBe(`line ${MAX_LOG_LINES + 19}`);
  });

  it('sets the backend, files, plan and demo questions', () => {
    const { store, apply } = setup();
    apply({ type: 'ready' });
    apply({ type: 'backend', name: 'wasm', tried: [{ name: 'webgpu', reason: 'navigator.gpu is missing' }] });
    apply({ type: 'fileRecognised', files: [{ path: 'vocab.txt', size: 10, kind: 'vocab', description: 'v', accepted: true, use: 'vocabulary' }] });
    apply({ type: 'plan', plan: { examples: [{ guid: 'g', tokens: ['[CLS]', '[SEP]'], segmentIds: [0, 0] }], trainExamples: 1, devExamples: 0, estimatedSteps: 1 } });
    apply({ type: 'demoData', questions: [{ qasId: 'q', context: 'c', question: 'q?', answer: 'a' }] });
    const s = store.getState();
    expect(s.workerReady).toBe(true);
    expect(s.backend).toEqual({ name: 'wasm', tried: [{ name: 'webgpu', reason: 'navigator.gpu is missing' }] });
    expect(s.files[0].use).toBe('vocabulary');
    expect(s.preview).toHaveLength(1);
    expect(s.demoQuestions[0].answer).toBe('a');
  });
});
