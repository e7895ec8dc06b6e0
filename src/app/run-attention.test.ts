import { describe, expect, it } from 'vitest';
import { createStudioStore } from '../state/store';
import { defaultSettings } from '../core/settings';
import type { RunInfo } from '../protocol/events';
import { attachRunAttention, endNotice, runTitle } from './run-attention';

const run: RunInfo = {
  runId: 'r1', runName: 'MRPC run', task: 'mrpc', settings: defaultSettings('mrpc'), labels: ['0', '1'], numTrainExamples: 4, numTrainFeatures: 4,
  numDevExamples: 2, stepsPerEpoch: 50, totalSteps: 50, resumedFromStep: 0, isDemo: false,
};
const step = (n: number) => ({ step: n, epoch: 0, loss: 1, learningRate: 1e-4, gradNorm: 1, examplesPerSec: 1, tokensPerSec: 1, memoryBytes: 0, numTensors: 0 });

describe('runTitle', () => {
  it('shows the progress of the run, and nothing without one', () => {
    expect(runTitle({ status: 'idle', run: null, lastStep: null })).toBeNull();
    expect(runTitle({ status: 'training', run, lastStep: step(21) })).toBe('42% · Tabtune');
    expect(runTitle({ status: 'paused', run, lastStep: step(21) })).toBe('Paused 42% · Tabtune');
    expect(runTitle({ status: 'finished', run, lastStep: step(50) })).toBe('Finished · Tabtune');
    expect(runTitle({ status: 'preparing', run: null, lastStep: null })).toBe('Preparing · Tabtune');
  });
});

describe('attachRunAttention', () => {
  it('sets the title, holds a wake lock while training, notifies once at the end, and restores the title', async () => {
    const store = createStudioStore();
    const doc = { title: 'Tabtune: fine-tune BERT', visibilityState: 'visible', addEventListener() {}, removeEventListener() {} } as unknown as Document;
    const locks: Array<{ released: boolean; release(): Promise<void> }> = [];
    const wakeLock = {
      async request() {
        const l = { released: false, async release() { l.released = true; } };
        locks.push(l);
        return l;
      },
    };
    const notes: string[] = [];
    const detach = attachRunAttention(store, { document: doc, wakeLock, notify: (t, b) => notes.push(`${t}: ${b}`) });
    store.setState({ status: 'training', run, lastStep: step(10) });
    await Promise.resolve();
    expect(doc.title).toBe('20% · Tabtune');
    expect(locks).toHaveLength(1);
    store.setState({ lastStep: step(25) });
    expect(doc.title).toBe('50% · Tabtune');
    expect(locks).toHaveLength(1);
    store.setState({ status: 'finished', finished: { reason: 'completed', step: 50, metrics: { accuracy: 0.75 } } });
    expect(doc.title).toBe('Finished · Tabtune');
    expect(locks[0].released).toBe(true);
    expect(notes).toEqual(['MRPC run finished: step 50 · accuracy 0.750']);
    store.setState({ lastStep: step(50) });
    expect(notes).toHaveLength(1);
    detach();
    expect(doc.title).toBe('Tabtune: fine-tune BERT');
  });

  it('words the end notice for a stopped run', () => {
    expect(endNotice({ status: 'stopped', run, finished: { reason: 'stopped', step: 3, metrics: {} } })).toEqual({ title: 'MRPC run stopped', body: 'step 3' });
  });
});
