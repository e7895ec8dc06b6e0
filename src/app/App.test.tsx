// @vitest-environment jsdom
/**
 * The page wired to a real bridge and store, with a scripted worker: commands the page sends and
 * what it shows for the worker's events. uPlot is replaced by a recorder (jsdom has no canvas).
 */
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import type { Command } from '../protocol/commands';
import type { WorkerEvent } from '../protocol/events';
import { defaultSettings } from '../core/settings';
import { createBridge, type WorkerLike } from '../state/bridge';
import { createStudioStore } from '../state/store';
import { createMemoryRunStorage } from '../core/io';
import { App } from './App';

const drawn: Array<{ points: number }> = [];
vi.mock('uplot', () => ({
  default: class FakePlot {
    ctx = { canvas: {} };
    constructor(_opts: unknown, data: unknown[][]) {
      drawn.push({ points: data[0]?.length ?? 0 });
    }
    setData(data: unknown[][]) {
      drawn.push({ points: data[0]?.length ?? 0 });
    }
    setSize() {}
    destroy() {}
    static join() {
      return [[]];
    }
  },
}));

beforeAll(() => {
  // jsdom has no matchMedia or ResizeObserver; animation frames run on a timer.
  window.matchMedia = ((q: string) => ({ matches: false, media: q, addEventListener() {}, removeEventListener() {} })) as unknown as typeof window.matchMedia;
  vi.stubGlobal('requestAnimationFrame', (cb: FrameRequestCallback) => setTimeout(() => cb(performance.now()), 0) as unknown as number);
  vi.stubGlobal('cancelAnimationFrame', (id: number) => clearTimeout(id));
});
afterEach(cleanup);

function setup() {
  const sent: Command[] = [];
  const worker: WorkerLike = {
    onmessage: null,
    onerror: null,
    postMessage: (m: unknown) => void sent.push(m as Command),
    terminate() {},
  };
  const store = createStudioStore();
  const bridge = createBridge({ store, createWorker: () => worker, storage: createMemoryRunStorage() });
  const emit = (ev: WorkerEvent) => act(() => worker.onmessage?.({ data: ev } as MessageEvent));
  render(<App bridge={bridge} />);
  return { sent, emit, bridge };
}

const nextFrame = () => act(() => new Promise((r) => setTimeout(r, 5)));

describe('the studio page', () => {
  it('offers the demo on a first visit and sends the demo command', () => {
    const { sent } = setup();
    fireEvent.click(screen.getByRole('button', { name: 'Try the demo' }));
    expect(sent.map((c) => c.type)).toContain('demo');
  });

  it('sends chosen files, lists what the worker recognised, and starts a run', () => {
    const { sent, emit } = setup();
    const f = new File(['Quality\t#1 ID\t#2 ID\t#1 String\t#2 String\n'], 'train.tsv');
    fireEvent.change(screen.getByLabelText('Choose files'), { target: { files: [f] } });
    const load = sent.find((c) => c.type === 'loadFiles');
    expect(load && load.type === 'loadFiles' && load.files.map((x) => x.path)).toEqual(['train.tsv']);
    emit({ type: 'fileRecognised', files: [{ path: 'train.tsv', size: 45, kind: 'glue-tsv', description: 'MRPC train file (GLUE)', accepted: true, use: 'train-data' }] });
    emit({
      type: 'taskDetected',
      detection: { task: 'mrpc', reason: 'MRPC header', candidates: ['mrpc', 'tsv'], labels: ['0', '1'], counts: { train: 1, dev: 0, test: 0 }, model: null, ready: true, missing: [] },
    });
    expect(screen.getByTestId('file-list').textContent).toContain('MRPC train file (GLUE) · used as training data');
    expect((screen.getByTestId('task-select') as HTMLSelectElement).value).toBe('mrpc');
    expect(screen.queryByTestId('demo-hero')).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Start' }));
    expect(sent.map((c) => c.type)).toContain('start');
  });

  it('streams steps into the latest-step / latest-loss text and the charts, and lists evaluations', async () => {
    const { emit } = setup();
    emit({
      type: 'runStarted',
      run: { runId: 'r1', runName: 'test run', task: 'mrpc', settings: defaultSettings('mrpc'), labels: ['0', '1'], numTrainExamples: 64, numTrainFeatures: 64, numDevExamples: 8, stepsPerEpoch: 2, totalSteps: 6, resumedFromStep: 0, isDemo: false },
    });
    emit({ type: 'status', status: 'training', runId: 'r1' });
    const step = (i: number) => ({ step: i, epoch: 0, loss: 0.7 - i / 100, learningRate: 1e-5, gradNorm: 1, examplesPerSec: 32, tokensPerSec: 4096, memoryBytes: 1e6, numTensors: 40 });
    emit({ type: 'step', steps: [step(1), step(2), step(3)] });
    await nextFrame();
    expect(screen.getByTestId('latest-step').textContent).toBe('3 / 6');
    expect(screen.getByTestId('latest-loss').textContent).toBe('0.67');
    expect(screen.getByTestId('loss-points').textContent).toBe('3');
    expect(drawn.some((d) => d.points === 3)).toBe(true);
    expect((screen.getByRole('button', { name: 'Pause' }) as HTMLButtonElement).disabled).toBe(false);
    emit({ type: 'eval', result: { step: 3, epoch: 1, metrics: { accuracy: 0.75, f1: 0.8 } } });
    const rows = within(screen.getByTestId('eval-table')).getAllByTestId('eval-row');
    expect(rows[0].textContent).toContain('0.75');
  });

  it('shows every error event in an alert naming the file, place and expectation, and keeps the page', () => {
    const { emit } = setup();
    emit({ type: 'error', fatal: false, lastCheckpointStep: null, message: 'dev.tsv, line 12: label "2" is not in the label list (expected one of 0, 1)', file: 'dev.tsv', location: 'line 12', expected: 'one of 0, 1', code: 'label' });
    const alert = screen.getByRole('alert');
    expect(alert.textContent).toContain('dev.tsv, line 12');
    expect(alert.textContent).toContain('Expectedone of 0, 1');
    expect(screen.getByRole('button', { name: 'Try the demo' })).toBeTruthy();
    fireEvent.click(within(alert).getByRole('button', { name: /Dismiss error/ }));
    expect(screen.queryAllByTestId('error-item')).toHaveLength(0);
  });

  it('answers a QA question with the answer marked in the context', () => {
    const { sent, emit } = setup();
    emit({ type: 'runStarted', run: { runId: 'd', runName: 'demo', task: 'squad', settings: defaultSettings('squad'), labels: [], numTrainExamples: 10, numTrainFeatures: 10, numDevExamples: 2, stepsPerEpoch: 1, totalSteps: 1, resumedFromStep: 0, isDemo: true } });
    emit({ type: 'finished', runId: 'd', reason: 'completed', step: 1, metrics: { exact_match: 100, f1: 100 } });
    const context = 'Lina was born in 1950 in Oslo.';
    fireEvent.change(screen.getByLabelText('Context'), { target: { value: context } });
    fireEvent.change(screen.getByLabelText('Question'), { target: { value: 'When was Lina born?' } });
    fireEvent.click(screen.getByRole('button', { name: 'Answer' }));
    const predict = sent.find((c) => c.type === 'predict');
    // The demo asks for a look inside too: attention maps and integrated-gradient attributions.
    expect(predict?.type === 'predict' && predict.input).toEqual({ kind: 'qa', context, question: 'When was Lina born?', explain: { attentions: true, attributions: 'integrated-gradients', steps: 20 } });
    const requestId = predict?.type === 'predict' ? predict.requestId : -1;
    const best = { text: '1950', start: 17, end: 21, probability: 0.9, startLogit: 4, endLogit: 4 };
    const tokens = ['[CLS]', 'when', '[SEP]', '1950', '[SEP]'];
    const inside = {
      tokens, segmentIds: [0, 0, 0, 1, 1],
      attentions: { layers: 1, heads: 1, length: 5, probs: [new Float32Array(25).fill(0.2)] },
      attributions: { method: 'integrated-gradients' as const, steps: 20, target: 'span: start token 3 + end token 3', scores: [0, 0.5, 0, 2, -1], targetValue: 8, baselineValue: 6.5 },
    };
    emit({ type: 'prediction', requestId, result: { kind: 'qa', best, nbest: [best], windows: 1, inside } });
    expect(screen.getByTestId('answer-mark').textContent).toBe('1950');
    const tinted = screen.getAllByTestId('attributed-token');
    expect(tinted.map((t) => t.textContent)).toEqual(tokens);
    expect(tinted[3].style.background).toBe('rgba(22, 163, 74, 0.8)');
    expect(tinted[4].style.background).toMatch(/^rgba\(220, 38, 38, 0\.44/);
    expect(screen.getByTestId('attention-map')).toBeTruthy();
    expect(screen.getByTestId('attention-head')).toBeTruthy();
  });
});
