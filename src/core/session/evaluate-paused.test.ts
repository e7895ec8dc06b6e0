/**
 * "Evaluate now" while a run is paused (issue 12): the session evaluates the current weights at
 * the step the run paused at (status evaluating, then paused again), a Resume sent during the
 * evaluation waits for it, and the run then completes. While training (not paused) it is refused
 * with the reason. Real core on WASM: tiny-uncased fixture folder, real MRPC rows.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend/init';
import { bytesSource } from '../io/safetensors';
import { createMemoryRunStorage } from '../io/run-storage';
import { readShared, readSharedBytes } from '../../testing/shared';
import { createSession } from './session';
import type { SessionEvent, SessionEventOf } from './events';
import type { SessionFile } from './files';

const enc = new TextEncoder();
const rows = (file: 'train.tsv' | 'dev.tsv', n: number) => readShared('datasets', 'glue', 'MRPC', file).split('\n').slice(0, n + 1).join('\n') + '\n';
const files = (): SessionFile[] =>
  ([
    ['m/config.json', readSharedBytes('fixtures', 'model', 'tiny-uncased', 'config.json')],
    ['m/model.safetensors', readSharedBytes('fixtures', 'model', 'tiny-uncased', 'model.safetensors')],
    ['m/vocab.txt', readSharedBytes('fixtures', 'vocab', 'bert-base-uncased.txt')],
    ['MRPC/train.tsv', enc.encode(rows('train.tsv', 48))],
    ['MRPC/dev.tsv', enc.encode(rows('dev.tsv', 8))],
  ] as Array<[string, Uint8Array]>).map(([path, bytes]) => ({ path, source: bytesSource(bytes, path) }));

beforeAll(async () => {
  await initBackend('wasm');
});

describe('session: Evaluate now while paused', () => {
  it('evaluates at the paused step, holds a Resume until it is done, and the run completes', async () => {
    const events: SessionEvent[] = [];
    let pausedAt: number | null = null;
    const session = createSession({
      preferredBackend: 'wasm',
      storage: createMemoryRunStorage(),
      emit(e) {
        events.push(e);
        // Pause as soon as the first step arrives (the loop stops at the next step boundary).
        if (e.type === 'step' && pausedAt === null) {
          pausedAt = e.steps[0].step;
          session.pause();
        }
      },
    });
    await session.addFiles(files());
    // evalEverySteps 0: no scheduled evaluation before the end, so the one at the paused step is ours.
    await session.configure({ edits: { trainBatchSize: 8, numTrainEpochs: 1, maxSeqLength: 32, evalEverySteps: 0 } });
    await session.start({ runId: 'p', runName: 'p' });
    await expect.poll(() => pausedAt, { timeout: 60_000 }).not.toBeNull();

    const evaluating = session.evaluate();
    // Resume at once: held until the evaluation ends.
    session.resume();
    await evaluating;
    await session.idle();

    const of = <T extends SessionEvent['type']>(t: T) => events.filter((e): e is SessionEventOf<T> => e.type === t);
    expect(of('error')).toEqual([]);
    const lastStepBeforeEval = (() => {
      const i = events.findIndex((e) => e.type === 'eval');
      return events.slice(0, i).filter((e): e is SessionEventOf<'step'> => e.type === 'step').flatMap((e) => e.steps).at(-1)!.step;
    })();
    const evals = of('eval').map((e) => e.result.step);
    expect(evals[0]).toBe(lastStepBeforeEval);
    expect(evals.at(-1)).toBe(6);
    // No step was taken during the evaluation: the eval event comes before any later step.
    const statuses = of('status').map((e) => e.status);
    // Paused, evaluating, then training again only once the evaluation is done (the held Resume).
    const from = statuses.indexOf('paused');
    expect(statuses.slice(from, from + 3)).toEqual(['paused', 'evaluating', 'training']);
    expect(statuses.at(-1)).toBe('finished');
    expect(of('finished').at(-1)).toMatchObject({ reason: 'completed', step: 6 });
  }, 180_000);

  it('is refused with the reason while the run trains', async () => {
    const events: SessionEvent[] = [];
    let asked = false;
    const session = createSession({
      preferredBackend: 'wasm',
      storage: null,
      emit(e) {
        events.push(e);
        if (e.type === 'step' && !asked) {
          asked = true;
          void session.evaluate();
        }
      },
    });
    await session.addFiles(files());
    await session.configure({ edits: { trainBatchSize: 8, numTrainEpochs: 1, maxSeqLength: 32, evalEverySteps: 0 } });
    await session.start({ runId: 't', runName: 't' });
    await session.idle();
    expect(events.some((e) => e.type === 'log' && e.level === 'warn' && /pause or stop the run to evaluate now/.test(e.message))).toBe(true);
    expect(events.filter((e) => e.type === 'eval').map((e) => (e as SessionEventOf<'eval'>).result.step)).toEqual([6]);
  }, 180_000);
});
