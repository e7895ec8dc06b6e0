/**
 * A CSV of the user's own with mapped columns (issue 12 part 10): the label names written in the
 * file are the run's labels, Classify's labels and the export's id2label. Real core on WASM,
 * tiny-uncased fixture folder.
 */
import { unzipSync } from 'fflate';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend/init';
import { reviewsCsvDrop } from '../../testing/reviews-csv';
import { createSession } from './session';
import type { SessionEvent, SessionEventOf } from './events';



beforeAll(async () => {
  await initBackend('wasm');
});

describe('session: a mapped CSV', () => {
  it("names the labels as the file does in the run, in Classify and in the export's id2label", async () => {
    const events: SessionEvent[] = [];
    const of = <T extends SessionEvent['type']>(t: T) => events.filter((e): e is SessionEventOf<T> => e.type === t);
    const session = createSession({ preferredBackend: 'wasm', storage: null, emit: (e) => events.push(e) });
    await session.addFiles(reviewsCsvDrop());
    expect(of('taskDetected').at(-1)!.detection).toMatchObject({ task: 'tsv', columns: ['id', 'review', 'title', 'sentiment'] });
    await session.configure({ columns: { textA: 'review', label: 'sentiment' }, edits: { trainBatchSize: 4, numTrainEpochs: 1, maxSeqLength: 32 } });
    const plan = of('plan').at(-1)!.plan;
    expect(of('error')).toEqual([]);
    expect(plan.examples[0].tokens).toEqual(['[CLS]', 'a', 'wonderful', 'warm', 'film', '[SEP]']);
    expect(plan.examples[0].label).toBe('positive');
    expect(of('settings').at(-1)!.columns).toEqual({ textA: 'review', label: 'sentiment' });

    await session.start({ runId: 'csv', runName: 'csv' });
    await session.idle();
    expect(of('error')).toEqual([]);
    const labels = of('runStarted')[0].run.labels;
    expect([...labels].sort()).toEqual(['negative', 'positive']);

    await session.predict(1, { kind: 'classification', textA: 'a warm film' });
    const r = of('prediction')[0].result;
    expect(r).toMatchObject({ kind: 'classification', labels });

    await session.export(2);
    const zip = of('exported')[0].zip!;
    const entries = unzipSync(new Uint8Array(zip.data));
    const config = JSON.parse(new TextDecoder().decode(Object.entries(entries).find(([p]) => p.endsWith('/config.json'))![1])) as { id2label: Record<string, string> };
    expect(Object.values(config.id2label)).toEqual(labels);
  }, 120_000);
});
