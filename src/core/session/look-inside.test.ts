/**
 * The session's predict command with `explain` (the demos' look inside) and the per-example dev
 * loss in its prediction files (hardest examples): a short MRPC run of the tiny-uncased fixture
 * folder on WASM, then one classification with attention maps and integrated gradients.
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
const mrpcRows = (file: 'train.tsv' | 'dev.tsv', rows: number) => readShared('datasets', 'glue', 'MRPC', file).split('\n').slice(0, rows + 1).join('\n') + '\n';
const file = (path: string, bytes: Uint8Array): SessionFile => ({ path, source: bytesSource(bytes, path) });

beforeAll(async () => {
  await initBackend('wasm');
});

describe('session: look inside', () => {
  it('answers predict with attention maps and attributions, and writes each dev example’s loss', async () => {
    const events: SessionEvent[] = [];
    const session = createSession({ emit: (e) => events.push(e), storage: createMemoryRunStorage(), preferredBackend: 'wasm' });
    await session.addFiles([
      file('tiny-uncased/config.json', readSharedBytes('fixtures', 'model', 'tiny-uncased', 'config.json')),
      file('tiny-uncased/model.safetensors', readSharedBytes('fixtures', 'model', 'tiny-uncased', 'model.safetensors')),
      file('tiny-uncased/vocab.txt', readSharedBytes('fixtures', 'vocab', 'bert-base-uncased.txt')),
      file('MRPC/train.tsv', enc.encode(mrpcRows('train.tsv', 16))),
      file('MRPC/dev.tsv', enc.encode(mrpcRows('dev.tsv', 8))),
    ]);
    await session.configure({ edits: { maxSeqLength: 32, trainBatchSize: 16, numTrainEpochs: 1 } });
    await session.start({ runId: 'inside', runName: 'inside' });
    await session.idle();
    expect(events.filter((e) => e.type === 'error')).toEqual([]);

    const preds = events.filter((e): e is SessionEventOf<'evalPredictions'> => e.type === 'evalPredictions').at(-1)!;
    const rows = preds.rows;
    expect(rows).toHaveLength(8);
    for (const r of rows) expect(r.loss!).toBeGreaterThan(0);

    await session.predict(7, { kind: 'classification', textA: 'The company said profits rose.', textB: 'Profits went up.', explain: { attentions: true, attributions: 'integrated-gradients', steps: 20 } });
    const answer = events.filter((e): e is SessionEventOf<'prediction'> => e.type === 'prediction').at(-1)!;
    expect(answer.error).toBeUndefined();
    expect(answer.requestId).toBe(7);
    const result = answer.result!;
    if (result.kind !== 'classification') throw new Error(`expected a classification answer, got ${result.kind}`);
    const inside = result.inside!;
    expect(inside.tokens[0]).toBe('[CLS]');
    expect(inside.attentions!.layers).toBe(2);
    expect(inside.attentions!.probs[0]).toHaveLength(inside.attentions!.heads * inside.tokens.length ** 2);
    const a = inside.attributions!;
    const sum = a.scores.reduce((s, x) => s + x, 0);
    expect(Math.abs(sum - (a.targetValue - a.baselineValue!))).toBeLessThan(0.05 * Math.abs(a.targetValue - a.baselineValue!) + 1e-4);

    // Without explain, the answer is as before.
    await session.predict(8, { kind: 'classification', textA: 'The company said profits rose.' });
    const plain = events.filter((e): e is SessionEventOf<'prediction'> => e.type === 'prediction').at(-1)!;
    expect(plain.result && 'inside' in plain.result).toBe(false);
    session.dispose();
  });
});
