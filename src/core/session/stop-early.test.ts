/**
 * Stop during the first step's preparation (issue 12: "Stop is honoured during the first step"):
 * a Stop sent while the weights load ends the run as stopped before any step is taken, instead
 * of after the first (shader-compiling) step. Real core on WASM, tiny-uncased, real MRPC rows.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend/init';
import { bytesSource } from '../io/safetensors';
import { readShared, readSharedBytes } from '../../testing/shared';
import { createSession } from './session';
import type { SessionEvent } from './events';

const enc = new TextEncoder();
const rows = (n: number) => readShared('datasets', 'glue', 'MRPC', 'train.tsv').split('\n').slice(0, n + 1).join('\n') + '\n';

beforeAll(async () => {
  await initBackend('wasm');
});

describe('session: Stop before the first step', () => {
  it('a Stop while the weights load ends the run as stopped, with no step taken', async () => {
    const events: SessionEvent[] = [];
    let stopped = false;
    const session = createSession({
      preferredBackend: 'wasm',
      storage: null,
      emit(e) {
        events.push(e);
        if (e.type === 'progress' && e.phase === 'loading-weights' && !stopped) {
          stopped = true;
          session.stop();
        }
      },
    });
    await session.addFiles(
      ([
        ['m/config.json', readSharedBytes('fixtures', 'model', 'tiny-uncased', 'config.json')],
        ['m/model.safetensors', readSharedBytes('fixtures', 'model', 'tiny-uncased', 'model.safetensors')],
        ['m/vocab.txt', readSharedBytes('fixtures', 'vocab', 'bert-base-uncased.txt')],
        ['MRPC/train.tsv', enc.encode(rows(16))],
      ] as Array<[string, Uint8Array]>).map(([path, bytes]) => ({ path, source: bytesSource(bytes, path) })),
    );
    await session.configure({ edits: { trainBatchSize: 8, numTrainEpochs: 1, maxSeqLength: 32 } });
    await session.start({ runId: 's', runName: 's' });
    await session.idle();
    expect(stopped).toBe(true);
    expect(events.filter((e) => e.type === 'step')).toEqual([]);
    expect(events.filter((e) => e.type === 'error')).toEqual([]);
    expect(events.filter((e) => e.type === 'finished')).toEqual([expect.objectContaining({ reason: 'stopped', step: 0 })]);
    expect(session.lastRun()?.status).toBe('stopped');
  }, 120_000);
});
