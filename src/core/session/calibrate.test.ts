/**
 * Measured estimates before Start, in Node on the real core (WASM): the tiny-uncased folder with
 * MRPC rows. Once model and data are loaded the session calibrates (real training steps at the
 * chosen batch and sequence length, discarded: no tensor left behind) and reports seconds per
 * step, per epoch, the whole run with its evaluations and the measured peak memory; a batch
 * change is measured again; the measured step feeds the batch-size check; a run's real speed is
 * within 3x of the calibrated one.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend/init';
import { bytesSource } from '../io/safetensors';
import { readShared, readSharedBytes } from '../../testing/shared';
import { createSession } from './session';
import type { SessionEvent, SessionEventOf, SessionEventType } from './events';
import type { SessionFile } from './files';
import { evaluationCount } from './estimate-plan';

const enc = new TextEncoder();
const mrpcRows = (file: 'train.tsv' | 'dev.tsv', rows: number) => readShared('datasets', 'glue', 'MRPC', file).split('\n').slice(0, rows + 1).join('\n') + '\n';
const f = (path: string, bytes: Uint8Array): SessionFile => ({ path, source: bytesSource(bytes, path) });
const files = (): SessionFile[] => [
  f('tiny-uncased/config.json', readSharedBytes('fixtures', 'model', 'tiny-uncased', 'config.json')),
  f('tiny-uncased/model.safetensors', readSharedBytes('fixtures', 'model', 'tiny-uncased', 'model.safetensors')),
  f('tiny-uncased/vocab.txt', readSharedBytes('fixtures', 'vocab', 'bert-base-uncased.txt')),
  f('MRPC/train.tsv', enc.encode(mrpcRows('train.tsv', 48))),
  f('MRPC/dev.tsv', enc.encode(mrpcRows('dev.tsv', 16))),
];

beforeAll(async () => {
  await initBackend('wasm');
});

describe('calibration before Start', () => {
  it('measures the loaded model, states per step / epoch / whole run with evaluations and peak memory, and leaves no tensor behind', async () => {
    const events: SessionEvent[] = [];
    const of = <T extends SessionEventType>(type: T) => events.filter((e): e is SessionEventOf<T> => e.type === type);
    const session = createSession({ emit: (e) => events.push(e), storage: null, preferredBackend: 'wasm', calibrationDebounceMs: 0 });
    await session.configure({ edits: { trainBatchSize: 8, numTrainEpochs: 2, evalEverySteps: 4 } });
    const tensorsBefore = tf.memory().numTensors;
    await session.addFiles(files());
    await session.calibrated();
    expect(of('error')).toEqual([]);
    const [measuring, done] = of('estimate').map((e) => e.estimate);
    expect(measuring).toMatchObject({ status: 'measuring', backend: 'wasm', batchSize: 8, seqLength: 64 });
    expect(done).toMatchObject({ status: 'done', backend: 'wasm', batchSize: 8, seqLength: 64, stepsPerEpoch: 6, totalSteps: 12, evalExamples: 16 });
    expect(done.evaluations).toBe(evaluationCount(12, 6, 4)); // steps 4, 6, 8, 12
    expect(done.evaluations).toBe(4);
    expect(done.secondsPerStep).toBeGreaterThan(0);
    expect(done.secondsPerEpoch).toBeCloseTo(6 * done.secondsPerStep!, 9);
    expect(done.evalSeconds).toBeGreaterThan(0);
    expect(done.totalSeconds).toBeGreaterThanOrEqual(12 * done.secondsPerStep! + done.evalSeconds!);
    expect(done.peakBytes).toBeGreaterThan(0);
    expect(tf.memory().numTensors).toBe(tensorsBefore);

    // Epochs change only the arithmetic: answered at once from the same measurement.
    await session.configure({ edits: { numTrainEpochs: 4 } });
    const again = of('estimate').at(-1)!.estimate;
    expect(again).toMatchObject({ status: 'done', totalSteps: 24, secondsPerStep: done.secondsPerStep });
    // A batch change is measured again.
    await session.configure({ edits: { trainBatchSize: 4 } });
    await session.calibrated();
    expect(of('estimate').at(-1)!.estimate).toMatchObject({ status: 'done', batchSize: 4, stepsPerEpoch: 12 });
    expect(tf.memory().numTensors).toBe(tensorsBefore);

    // The run's real speed agrees with the calibration within 3x.
    await session.configure({ edits: { numTrainEpochs: 1, evalEverySteps: 0 } });
    const calibrated = of('estimate').at(-1)!.estimate.secondsPerStep!;
    await session.start({ runId: 'r', runName: 'r' });
    await session.idle();
    const steps = of('step').flatMap((e) => e.steps).slice(2); // past the first (warm-up) steps
    const live = steps.reduce((a, s) => a + 4 / s.examplesPerSec, 0) / steps.length;
    expect(live / calibrated).toBeLessThan(3);
    expect(calibrated / live).toBeLessThan(3);
    session.dispose();
  });

  it('feeds the measured step to the batch-size check: Start is refused with the measured peak and the limit', async () => {
    // First the peak at batch 8 with no budget, then a session whose budget lies between batch 4's and batch 8's peaks.
    const probe: SessionEvent[] = [];
    const first = createSession({ emit: (e) => probe.push(e), storage: null, preferredBackend: 'wasm', calibrationDebounceMs: 0 });
    await first.configure({ edits: { trainBatchSize: 8 } });
    await first.addFiles(files());
    await first.calibrated();
    const at8 = probe.filter((e): e is SessionEventOf<'estimate'> => e.type === 'estimate').at(-1)!.estimate.peakBytes!;
    first.dispose();
    await first.calibrated();

    const events: SessionEvent[] = [];
    const of = <T extends SessionEventType>(type: T) => events.filter((e): e is SessionEventOf<T> => e.type === type);
    const budget = Math.floor(at8 * 0.97);
    const session = createSession({ emit: (e) => events.push(e), storage: null, preferredBackend: 'wasm', calibrationDebounceMs: 0, memoryBudgetBytes: budget });
    await session.configure({ edits: { trainBatchSize: 8 } });
    await session.addFiles(files());
    await session.calibrated();
    const [issue] = session.settings().issues;
    expect(issue.key).toBe('trainBatchSize');
    expect(issue.message).toMatch(/^Batch size: at batch 8 and sequence length 64 a step's measured peak is [\d.]+ MiB, over the memory available of [\d.]+ MiB; use a batch size of at most [1-7] /);
    // The over-budget batch is not timed; the estimate still shows the measured peak.
    expect(of('estimate').at(-1)!.estimate).toMatchObject({ status: 'done', batchSize: 8, reason: 'the batch does not fit, so its speed was not measured' });
    expect(of('settings').at(-1)!.issues).toEqual([issue]);
    await session.start({ runId: 'x', runName: 'x' });
    expect(of('runStarted')).toEqual([]);
    expect(of('error').at(-1)!.message).toContain("cannot start: Batch size: at batch 8");
    session.dispose();
  });
});
