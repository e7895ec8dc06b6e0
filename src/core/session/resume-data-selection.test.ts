/**
 * Resume checks how the run's files are read, not only which files (issue 13 §3, "resume on
 * different data"): a user's CSV mapped to other columns is other data, refused naming both
 * mappings; the run's own mapping resumes; a record stored before the selection was kept still
 * resumes by its files, with a warning. Real core on WASM, tiny-uncased fixture folder.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend/init';
import { createMemoryRunFileStore, createMemoryRunStorage, type RunStorage } from '../io/run-storage';
import { reviewsCsvDrop } from '../../testing/reviews-csv';
import { createSession, type Session } from './session';
import type { ColumnChoice } from './index';
import type { SessionEvent, SessionEventOf } from './events';

const files = reviewsCsvDrop;

const REVIEW: ColumnChoice = { textA: 'review', label: 'sentiment' };
const TITLE: ColumnChoice = { textA: 'title', label: 'sentiment' };

interface Page {
  session: Session;
  of<T extends SessionEvent['type']>(t: T): Array<SessionEventOf<T>>;
}

/** A page load over `storage` with the CSV dropped and mapped to `columns`. */
async function page(storage: RunStorage, columns: ColumnChoice): Promise<Page> {
  const events: SessionEvent[] = [];
  const session = createSession({ preferredBackend: 'wasm', storage, runFiles: createMemoryRunFileStore(), emit: (e) => events.push(e) });
  await session.addFiles(files());
  await session.configure({ columns, edits: { trainBatchSize: 4, numTrainEpochs: 1, maxSeqLength: 32, evalEverySteps: 0 } });
  return { session, of: <T extends SessionEvent['type']>(t: T) => events.filter((e): e is SessionEventOf<T> => e.type === t) };
}

beforeAll(async () => {
  await initBackend('wasm');
});

describe('session: resume and the column mapping', () => {
  it('stores the mapping with the run, refuses another mapping naming both, and resumes with its own', async () => {
    const storage = createMemoryRunStorage();
    const first = await page(storage, REVIEW);
    await first.session.start({ runId: 'csv', runName: 'reviews' });
    await first.session.idle();
    expect(first.of('error')).toEqual([]);
    expect((await storage.getRun('csv'))!.dataSelection).toEqual({ maxTrainExamples: 0, maxEvalExamples: expect.any(Number), columns: { textA: 'review', label: 'sentiment' } });

    const other = await page(storage, TITLE);
    await other.session.resumeRun('csv');
    await other.session.idle();
    expect(other.of('error').at(-1)).toMatchObject({
      code: 'fingerprint',
      message: expect.stringContaining('cannot resume run "reviews" on other data: its files are loaded, but they would be read differently (columns: text A "review", text B none, label "sentiment" for the run, text A "title", text B none, label "sentiment" now)'),
    });
    expect(other.of('runStarted')).toEqual([]);

    const same = await page(storage, REVIEW);
    await same.session.resumeRun('csv');
    await same.session.idle();
    expect(same.of('error')).toEqual([]);
    expect(same.of('runStarted')[0].run).toMatchObject({ runId: 'csv', resumedFromStep: 1 });
  }, 120_000);

  it('a record stored before the mapping was kept resumes by its files, with a warning that the mapping is not checked', async () => {
    const storage = createMemoryRunStorage();
    const first = await page(storage, REVIEW);
    await first.session.start({ runId: 'old', runName: 'old' });
    await first.session.idle();
    const record = (await storage.getRun('old'))!;
    delete record.dataSelection;
    await storage.putRun(record);

    const later = await page(storage, REVIEW);
    await later.session.resumeRun('old');
    await later.session.idle();
    expect(later.of('error')).toEqual([]);
    expect(later.of('log').map((l) => l.message)).toContain('run "old": the run was saved before its example limits and column mapping were recorded: only its files are checked, so resume with the same max-train-examples, max-eval-examples and columns it was started with');
    expect(later.of('runStarted')[0].run.resumedFromStep).toBe(1);
  }, 120_000);
});
