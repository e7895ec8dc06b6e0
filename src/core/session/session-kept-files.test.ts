/**
 * Runs that resume without a new drop (WASM, tiny-uncased on real MRPC rows): a run keeps its
 * files in the RunFileStore; after a "reload" (a fresh session over the same storage, no files
 * dropped) Resume reads them back, checks them against the run's fingerprint and continues from
 * the checkpoint; a finished run reopens (no step trained) with a model the demos can ask; a
 * failed resume names the checkpoint that is still kept.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend/init';
import { bytesSource } from '../io/safetensors';
import { createMemoryRunFileStore, createMemoryRunStorage, type RunFileStore, type RunStorage } from '../io/run-storage';
import { readShared, readSharedBytes } from '../../testing/shared';
import { createSession, type Session } from './session';
import type { SessionEvent, SessionEventOf, SessionEventType } from './events';
import type { SessionFile } from './files';

const enc = new TextEncoder();
const mrpcRows = (file: 'train.tsv' | 'dev.tsv', rows: number) => readShared('datasets', 'glue', 'MRPC', file).split('\n').slice(0, rows + 1).join('\n') + '\n';

function dropped(trainText = mrpcRows('train.tsv', 32)): SessionFile[] {
  const f = (path: string, bytes: Uint8Array): SessionFile => ({ path, source: bytesSource(bytes, path) });
  return [
    f('tiny-uncased/config.json', readSharedBytes('fixtures', 'model', 'tiny-uncased', 'config.json')),
    f('tiny-uncased/model.safetensors', readSharedBytes('fixtures', 'model', 'tiny-uncased', 'model.safetensors')),
    f('tiny-uncased/vocab.txt', readSharedBytes('fixtures', 'vocab', 'bert-base-uncased.txt')),
    f('MRPC/train.tsv', enc.encode(trainText)),
    f('MRPC/dev.tsv', enc.encode(mrpcRows('dev.tsv', 8))),
  ];
}

const SETTINGS = { maxSeqLength: 32, trainBatchSize: 8, numTrainEpochs: 1, learningRate: 1e-3, evalEverySteps: 0, saveCheckpointsSteps: 2, seed: 5 };

interface Harness {
  session: Session;
  events: SessionEvent[];
  of<T extends SessionEventType>(type: T): Array<SessionEventOf<T>>;
}

/** A page load: a fresh session over the browser's storage; `onEvent` sees each event as it is emitted. */
function pageLoad(storage: RunStorage, runFiles: RunFileStore, onEvent?: (e: SessionEvent, s: Session) => void): Harness {
  const events: SessionEvent[] = [];
  const session: Session = createSession({
    emit: (e) => {
      events.push(e);
      onEvent?.(e, session);
    },
    storage, runFiles, preferredBackend: 'wasm',
  });
  return { session, events, of: <T extends SessionEventType>(type: T) => events.filter((e): e is SessionEventOf<T> => e.type === type) };
}

/** Trains 2 of the run's 4 steps (checkpoint at step 2), then stops: what a reload mid-run leaves. */
async function interruptedRun(storage: RunStorage, runFiles: RunFileStore, keepFiles?: boolean): Promise<Harness> {
  const t = pageLoad(storage, runFiles, (e, s) => {
    if (e.type === 'checkpoint' && e.step === 2) s.stop();
  });
  await t.session.addFiles(dropped());
  await t.session.configure({ edits: SETTINGS });
  await t.session.start({ runId: 'run-1', runName: 'kept', keepFiles });
  await t.session.idle();
  expect(t.of('finished').at(-1)).toMatchObject({ reason: 'stopped', step: 2 });
  return t;
}

beforeAll(async () => {
  await initBackend('wasm');
});

describe('session: a run keeps its files', () => {
  it('resumes after a reload from the run list alone: the kept files are read back and checked', async () => {
    const storage = createMemoryRunStorage();
    const runFiles = createMemoryRunFileStore();
    const first = await interruptedRun(storage, runFiles);
    const record = (await storage.getRun('run-1'))!;
    expect(record.keptFiles).toEqual(['MRPC/dev.tsv', 'MRPC/train.tsv', 'tiny-uncased/config.json', 'tiny-uncased/model.safetensors', 'tiny-uncased/vocab.txt']);
    expect(record.lastCheckpointStep).toBe(2);
    expect((await runFiles.listFiles('run-1')).map((f) => f.size)).toEqual(dropped().sort((a, b) => (a.path < b.path ? -1 : 1)).map((f) => f.source.size));
    const firstSteps = first.of('step').flatMap((e) => e.steps);

    const t = pageLoad(storage, runFiles); // the reload: nothing dropped
    await t.session.resumeRun('run-1');
    await t.session.idle();
    expect(t.of('error')).toEqual([]);
    expect(t.of('fileRecognised').at(-1)!.files.map((f) => f.path).sort()).toEqual(record.keptFiles);
    expect(t.of('runStarted')[0].run).toMatchObject({ runId: 'run-1', resumedFromStep: 2, totalSteps: 4 });
    // The stored curve comes first, then the steps after the checkpoint.
    const steps = t.of('step').flatMap((e) => e.steps);
    expect(steps.map((s) => s.step)).toEqual([1, 2, 3, 4]);
    expect(steps.slice(0, 2).map((s) => s.loss)).toEqual(firstSteps.slice(0, 2).map((s) => s.loss));
    expect(t.of('finished').at(-1)).toMatchObject({ reason: 'completed', step: 4 });
    expect((await storage.getRun('run-1'))!.status).toBe('finished');
  });

  it('reopens a finished run without training a step, and its model answers', async () => {
    const storage = createMemoryRunStorage();
    const runFiles = createMemoryRunFileStore();
    const t0 = pageLoad(storage, runFiles);
    await t0.session.addFiles(dropped());
    await t0.session.configure({ edits: SETTINGS });
    await t0.session.start({ runId: 'done', runName: 'done' });
    await t0.session.idle();
    const before = (await storage.getRun('done'))!;
    expect(before).toMatchObject({ status: 'finished', lastCheckpointStep: 4 });

    const t = pageLoad(storage, runFiles);
    await t.session.resumeRun('done');
    await t.session.idle();
    expect(t.of('error')).toEqual([]);
    expect(t.of('runStarted')[0].run.resumedFromStep).toBe(4);
    expect(t.of('step').flatMap((e) => e.steps).map((s) => s.step)).toEqual([1, 2, 3, 4]);
    expect(t.of('eval').map((e) => e.result)).toEqual(before.evals);
    expect((await storage.getRun('done'))!).toMatchObject({ status: 'finished', finalMetrics: before.finalMetrics, lastStep: 4 });
    await t.session.predict(1, { kind: 'classification', textA: 'The cat sat.', textB: 'A cat was sitting.' });
    const answer = t.of('prediction').at(-1)!;
    expect(answer.error).toBeUndefined();
    expect(answer.result).toMatchObject({ kind: 'classification' });
  });

  it('keepFiles: false keeps none, and Resume without the files says the checkpoint is still there', async () => {
    const storage = createMemoryRunStorage();
    const runFiles = createMemoryRunFileStore();
    await interruptedRun(storage, runFiles, false);
    expect((await storage.getRun('run-1'))!.keptFiles).toEqual([]);
    expect(await runFiles.listRuns()).toEqual([]);

    const t = pageLoad(storage, runFiles);
    await t.session.resumeRun('run-1');
    await t.session.idle();
    const err = t.of('error').at(-1)!;
    expect(err).toMatchObject({ fatal: true, code: 'fingerprint', lastCheckpointStep: 2 });
    expect(err.message).toMatch(/drop those files again to resume/);
    expect(t.of('runStarted')).toEqual([]);
  });

  it('kept files gone from the store: Resume says so, and that the checkpoint is still there', async () => {
    const storage = createMemoryRunStorage();
    const runFiles = createMemoryRunFileStore();
    await interruptedRun(storage, runFiles);
    await runFiles.deleteFiles('run-1'); // the site's data cleared or evicted
    expect((await storage.getRun('run-1'))!.keptFiles).toHaveLength(5);

    const t = pageLoad(storage, runFiles);
    await t.session.resumeRun('run-1');
    await t.session.idle();
    const err = t.of('error').at(-1)!;
    expect(err).toMatchObject({ fatal: true, code: 'fingerprint', lastCheckpointStep: 2 });
    expect(err.message).toMatch(/its kept files are gone from this browser's storage \(the site's data was cleared or evicted\); drop those files again to resume/);
    expect(t.of('runStarted')).toEqual([]);
  });

  it('kept files that are not the run\'s data are refused (fingerprint)', async () => {
    const storage = createMemoryRunStorage();
    const runFiles = createMemoryRunFileStore();
    await interruptedRun(storage, runFiles);
    // Another training file under the same name replaces the kept one.
    const other = dropped(mrpcRows('train.tsv', 40)).map((f) => ({ path: f.path, source: f.source }));
    await runFiles.saveFiles('run-1', other);

    const t = pageLoad(storage, runFiles);
    await t.session.resumeRun('run-1');
    await t.session.idle();
    expect(t.of('error').at(-1)).toMatchObject({ code: 'fingerprint', lastCheckpointStep: 2, message: expect.stringMatching(/files kept for run "kept" do not match/) });
    expect(t.of('runStarted')).toEqual([]);
  });

  it('dropped files that are the run\'s own are used as they are (nothing read from the store)', async () => {
    const storage = createMemoryRunStorage();
    const runFiles = createMemoryRunFileStore();
    await interruptedRun(storage, runFiles);
    await runFiles.deleteFiles('run-1');
    const t = pageLoad(storage, runFiles);
    await t.session.addFiles(dropped());
    await t.session.resumeRun('run-1');
    await t.session.idle();
    expect(t.of('error')).toEqual([]);
    expect(t.of('finished').at(-1)).toMatchObject({ reason: 'completed', step: 4 });
  });
});

describe('session: the demos during training', () => {
  it('answer with the latest weights while the run trains', async () => {
    const storage = createMemoryRunStorage();
    let asked: Promise<void> | null = null;
    const t = pageLoad(storage, createMemoryRunFileStore(), (e, s) => {
      if (e.type === 'step' && e.steps.some((m) => m.step === 1) && !asked) asked = s.predict(7, { kind: 'classification', textA: 'The cat sat.', textB: 'A cat sat.' });
    });
    await t.session.addFiles(dropped());
    await t.session.configure({ edits: SETTINGS });
    await t.session.start({ runId: 'live', runName: 'live' });
    await t.session.idle();
    expect(asked).not.toBeNull();
    await asked;
    const answer = t.of('prediction').find((p) => p.requestId === 7)!;
    expect(answer.error).toBeUndefined();
    expect(answer.result).toMatchObject({ kind: 'classification', labels: ['0', '1'] });
    // Asked after step 1, answered before the run ended.
    const types = t.events.map((e) => e.type);
    expect(types.indexOf('prediction')).toBeLessThan(types.lastIndexOf('finished'));
  });
});

describe('session: an unfinished run opens without training', () => {
  it('loads its last checkpoint for the demos, leaves the stored run as it was, and Resume then continues it', async () => {
    const storage = createMemoryRunStorage();
    const runFiles = createMemoryRunFileStore();
    const first = await interruptedRun(storage, runFiles);
    const ask = async (t: Harness, requestId: number): Promise<number[]> => {
      await t.session.predict(requestId, { kind: 'classification', textA: 'The cat sat on the mat.', textB: 'A cat was sitting on a mat.' });
      const answer = t.of('prediction').find((p) => p.requestId === requestId)!;
      expect(answer.error).toBeUndefined();
      if (answer.result?.kind !== 'classification') throw new Error('expected a classification answer');
      return answer.result.probabilities;
    };
    const atStop = await ask(first, 1); // the weights at step 2, in the session that trained them
    const before = (await storage.getRun('run-1'))!;

    const t = pageLoad(storage, runFiles); // a reload, then Open from the run list
    await t.session.openRun('run-1');
    await t.session.idle();
    expect(t.of('error')).toEqual([]);
    expect(t.of('runStarted')[0].run).toMatchObject({ runId: 'run-1', resumedFromStep: 2 });
    expect(t.of('step').flatMap((e) => e.steps).map((s) => s.step)).toEqual([1, 2]); // the stored curve, no new step
    expect(t.of('checkpoint')).toEqual([]);
    expect(t.of('status').at(-1)).toMatchObject({ status: 'stopped', runId: 'run-1' });
    expect(await storage.getRun('run-1')).toEqual(before);
    // The checkpoint's weights, not the pre-trained ones: the same answer as where training stopped.
    expect(await ask(t, 2)).toEqual(atStop);

    await t.session.resumeRun('run-1');
    await t.session.idle();
    expect(t.of('error')).toEqual([]);
    expect(t.of('finished').at(-1)).toMatchObject({ reason: 'completed', step: 4 });
    expect((await storage.getRun('run-1'))!.status).toBe('finished');
  });
});
