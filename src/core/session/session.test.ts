/**
 * The session in Node on the real core (WASM backend): the tiny-uncased fixture folder (64
 * positions), the bert-base-uncased vocabulary and real MRPC rows from ../shared.
 * - a drop is analysed once (one detection, one settings answer, one plan) and each dataset file
 *   is parsed once for counting, preview, training, evaluation and the dev predictions;
 * - the defaults adapt to the model (max sequence length 128 -> 64, and the session says so), and
 *   Start with the defaults trains;
 * - an edit the model cannot take is reported and Start is refused with the reason.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend/init';
import { bytesSource, type ByteSource } from '../io/safetensors';
import { readShared, readSharedBytes } from '../../testing/shared';
import { sessionHarness, type SessionHarness } from '../../testing/session-harness';
import type { SessionFile } from './files';

const enc = new TextEncoder();
const mrpcRows = (file: 'train.tsv' | 'dev.tsv', rows: number) => readShared('datasets', 'glue', 'MRPC', file).split('\n').slice(0, rows + 1).join('\n') + '\n';

/** Counts the reads that start at byte 0: the recognition's head, and each pass over the whole file. */
function counted(name: string, bytes: Uint8Array, reads: Map<string, number>): ByteSource {
  const src = bytesSource(bytes, name);
  return {
    name, size: src.size,
    read(b, e) {
      if (b === 0) reads.set(name, (reads.get(name) ?? 0) + 1);
      return src.read(b, e);
    },
  };
}

function files(trainRows: number, devRows: number, reads = new Map<string, number>()): SessionFile[] {
  const f = (path: string, bytes: Uint8Array): SessionFile => ({ path, source: counted(path, bytes, reads) });
  return [
    f('tiny-uncased/config.json', readSharedBytes('fixtures', 'model', 'tiny-uncased', 'config.json')),
    f('tiny-uncased/model.safetensors', readSharedBytes('fixtures', 'model', 'tiny-uncased', 'model.safetensors')),
    f('tiny-uncased/vocab.txt', readSharedBytes('fixtures', 'vocab', 'bert-base-uncased.txt')),
    f('MRPC/train.tsv', enc.encode(mrpcRows('train.tsv', trainRows))),
    f('MRPC/dev.tsv', enc.encode(mrpcRows('dev.tsv', devRows))),
  ];
}

const harness = (): SessionHarness => sessionHarness();

beforeAll(async () => {
  await initBackend('wasm');
});

describe('session: a drop', () => {
  it('is analysed once: one detection, one settings answer, one plan', async () => {
    const t = harness();
    await t.session.addFiles(files(32, 16));
    expect(t.events.map((e) => e.type).filter((x) => x !== 'progress' && x !== 'log')).toEqual(['fileRecognised', 'taskDetected', 'settings', 'plan']);
    expect(t.of('taskDetected')[0].detection).toMatchObject({ task: 'mrpc', ready: true, counts: { train: 32, dev: 16, test: 0 }, labels: ['0', '1'] });
    const plan = t.of('plan')[0].plan;
    expect(plan).toMatchObject({ trainExamples: 32, devExamples: 16, estimatedSteps: 3 });
    expect(plan.examples).toHaveLength(3);
    expect(plan.examples[0].tokens[0]).toBe('[CLS]');
  });

  it("adapts the defaults to the model's 64 positions and says so; the form's values are the settings in force", async () => {
    const t = harness();
    await t.session.addFiles(files(32, 16));
    const s = t.of('settings')[0];
    expect(s.task).toBe('mrpc');
    expect(s.settings).toMatchObject({ maxSeqLength: 64, trainBatchSize: 32, learningRate: 5e-5, numTrainEpochs: 3, warmupProportion: 0.1 });
    expect(s.adapted).toEqual([expect.objectContaining({ key: 'maxSeqLength', from: 128, to: 64 })]);
    expect(s.issues).toEqual([]);
    expect(t.session.settings().settings.maxSeqLength).toBe(64);
  });

  it('reports an edit the model cannot take, and refuses to start with the reason', async () => {
    const t = harness();
    await t.session.addFiles(files(32, 16));
    await t.session.configure({ edits: { maxSeqLength: 128 } });
    const s = t.of('settings').at(-1)!;
    expect(s.edited).toEqual(['maxSeqLength']);
    expect(s.issues).toEqual([{ key: 'maxSeqLength', message: expect.stringMatching(/128 exceeds the model's 64 positions/) }]);
    await t.session.start({ runId: 'r', runName: 'r' });
    expect(t.of('error').at(-1)).toMatchObject({ fatal: true, code: 'settings', message: expect.stringMatching(/cannot start: Max sequence length: 128 exceeds/) });
    expect(t.of('runStarted')).toEqual([]);
    // Back to the defaults: valid again.
    await t.session.configure({ reset: true });
    expect(t.of('settings').at(-1)!.issues).toEqual([]);
  });
});

describe('session: a run with the defaults', () => {
  it('trains the tiny-uncased folder on MRPC with the defaults, parsing each data file once', async () => {
    const reads = new Map<string, number>();
    const t = harness();
    await t.session.addFiles(files(32, 16, reads));
    await t.session.configure({ edits: { learningRate: 5e-5 } }); // an edit that changes nothing of the data
    await t.session.start({ runId: 'defaults', runName: 'defaults' });
    await t.session.idle();
    expect(t.of('error')).toEqual([]);
    const run = t.of('runStarted')[0].run;
    expect(run).toMatchObject({ task: 'mrpc', numTrainExamples: 32, numDevExamples: 16, totalSteps: 3 });
    expect(run.settings.maxSeqLength).toBe(64);
    const steps = t.of('step').flatMap((e) => e.steps);
    expect(steps.map((s) => s.step)).toEqual([1, 2, 3]);
    for (const s of steps) expect(Number.isFinite(s.loss)).toBe(true);
    expect(t.of('eval').map((e) => e.result.step)).toEqual([1, 2, 3]);
    expect(t.of('finished').at(-1)).toMatchObject({ reason: 'completed', step: 3 });
    expect(t.of('evalPredictions')).toHaveLength(3);
    // Recognised (the head), then counted, previewed, trained on, evaluated three times and its
    // predictions listed three times from one parse: two passes from byte 0 per file.
    expect([reads.get('MRPC/train.tsv'), reads.get('MRPC/dev.tsv')]).toEqual([2, 2]);
  });
});
