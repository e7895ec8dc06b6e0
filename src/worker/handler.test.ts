/**
 * The worker's command handler (transport over the session) driven as a pure function in Node,
 * on the real core (WASM backend): the tiny-uncased fixture model, the bert-base-uncased
 * vocabulary and real MRPC rows from ../shared. Covers the messages of a drop (one detection,
 * one plan), recognition, the preview, a full run with evaluation and checkpoints into run
 * storage, prediction, export, pause / stop, bad input, and resuming an interrupted run from its
 * checkpoint with the same losses as the uninterrupted run.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createWorkerHandler, type WorkerHandler } from './handler';
import { createMemoryRunStorage, readSafetensors, stepsFromSeries, type RunStorage } from '../core/io';
import { readShared, readSharedBytes } from '../testing/shared';
import type { Command, FileInput } from '../protocol/commands';
import type { EventOf, EventType, WorkerEvent } from '../protocol/events';
import type { Settings } from '../core/settings';
import { DEMO_MODEL_CONFIG, DEMO_SETTINGS } from '../core/data';

const enc = new TextEncoder();
const buf = (bytes: Uint8Array): ArrayBuffer => bytes.slice().buffer as ArrayBuffer;
const mrpcRows = (file: 'train.tsv' | 'dev.tsv', rows: number) => readShared('datasets', 'glue', 'MRPC', file).split('\n').slice(0, rows + 1).join('\n') + '\n';

function modelFiles(): FileInput[] {
  return [
    { path: 'tiny-uncased/config.json', data: buf(readSharedBytes('fixtures', 'model', 'tiny-uncased', 'config.json')) },
    { path: 'tiny-uncased/model.safetensors', data: buf(readSharedBytes('fixtures', 'model', 'tiny-uncased', 'model.safetensors')) },
    { path: 'tiny-uncased/vocab.txt', data: buf(readSharedBytes('fixtures', 'vocab', 'bert-base-uncased.txt')) },
  ];
}

function dataFiles(trainRows = 32, devRows = 16): FileInput[] {
  return [
    { path: 'MRPC/train.tsv', data: buf(enc.encode(mrpcRows('train.tsv', trainRows))) },
    { path: 'MRPC/dev.tsv', data: buf(enc.encode(mrpcRows('dev.tsv', devRows))) },
  ];
}

const SETTINGS: Partial<Settings> = {
  maxSeqLength: 32, trainBatchSize: 8, numTrainEpochs: 1, learningRate: 1e-3, warmupProportion: 0, evalEverySteps: 2, saveCheckpointsSteps: 2, seed: 7,
};

interface Harness {
  h: WorkerHandler;
  events: WorkerEvent[];
  storage: RunStorage;
  of<T extends EventType>(type: T): Array<EventOf<T>>;
  run(cmd: Command): Promise<void>;
  onEvent?: (ev: WorkerEvent) => void;
}

/** Every handler a test made: disposed after it, so no session's calibration outlives its test and competes with the next one's run. */
const made: WorkerHandler[] = [];
afterEach(async () => {
  for (const h of made.splice(0)) {
    await h.idle();
    h.dispose();
  }
});

function harness(storage: RunStorage = createMemoryRunStorage()): Harness {
  const events: WorkerEvent[] = [];
  const hs: Harness = {
    events,
    storage,
    h: createWorkerHandler({
      post: (ev) => {
        events.push(ev);
        hs.onEvent?.(ev);
      },
      storage,
      throttleMs: 10,
      loadDemoVocab: async () => readShared('fixtures', 'vocab', 'bert-base-uncased.txt').split('\n').slice(0, 30522),
    }),
    of: <T extends EventType>(type: T) => events.filter((e): e is EventOf<T> => e.type === type),
    async run(cmd) {
      await hs.h.handle(cmd);
    },
  };
  made.push(hs.h);
  return hs;
}

async function loaded(): Promise<Harness> {
  const t = harness();
  await t.run({ type: 'loadFiles', files: [...modelFiles(), ...dataFiles()] });
  await t.run({ type: 'configure', task: 'mrpc', edits: SETTINGS });
  return t;
}

describe('worker handler: files', () => {
  it('answers a drop with one analysis: one detection, one settings answer, one plan', async () => {
    const t = harness();
    await t.run({ type: 'loadFiles', files: [...modelFiles(), ...dataFiles()] });
    await t.h.idle();
    const posted = t.events.map((e) => e.type).filter((x) => x !== 'progress' && x !== 'log');
    expect(posted).toEqual(['fileRecognised', 'taskDetected', 'settings', 'plan']);
    // The page shows these; it sends nothing back unless the user changes something.
    expect(t.of('settings')[0]).toMatchObject({ task: 'mrpc', issues: [], settings: { maxSeqLength: 64 } });
  });

  it('recognises each file, says what it is for, and rejects bad ones with the reason', async () => {
    const t = harness();
    await t.run({
      type: 'loadFiles',
      files: [
        ...modelFiles(),
        ...dataFiles(),
        { path: 'notes/empty.tsv', data: new ArrayBuffer(0) },
        { path: 'notes/blob.dat', data: buf(new Uint8Array([0, 1, 2, 0, 255, 254, 0, 7])) },
        { path: 'broken/config.json', data: buf(enc.encode('{"hidden_size": ')) },
      ],
    });
    const files = t.of('fileRecognised').at(-1)!.files;
    const byPath = new Map(files.map((f) => [f.path, f]));
    expect(byPath.get('tiny-uncased/config.json')).toMatchObject({ kind: 'hf-config', accepted: true, use: 'model-config' });
    expect(byPath.get('tiny-uncased/config.json')!.description).toContain('hidden 32, 2 layers');
    expect(byPath.get('tiny-uncased/model.safetensors')).toMatchObject({ kind: 'safetensors', accepted: true, use: 'weights' });
    expect(byPath.get('tiny-uncased/vocab.txt')).toMatchObject({ kind: 'vocab', accepted: true, use: 'vocabulary' });
    expect(byPath.get('tiny-uncased/vocab.txt')!.description).toContain('30,522 tokens');
    expect(byPath.get('MRPC/train.tsv')).toMatchObject({ kind: 'glue-tsv', accepted: true, use: 'train-data' });
    expect(byPath.get('MRPC/dev.tsv')).toMatchObject({ kind: 'glue-tsv', accepted: true, use: 'dev-data' });
    expect(byPath.get('notes/empty.tsv')).toMatchObject({ accepted: false, reason: 'the file is empty' });
    expect(byPath.get('notes/blob.dat')).toMatchObject({ accepted: false, reason: 'a binary file, not text' });
    const broken = byPath.get('broken/config.json')!;
    expect(broken.accepted).toBe(false);
    expect(broken.error?.file).toBe('config.json');
    expect(broken.reason).toMatch(/not valid JSON/);

    const detection = t.of('taskDetected').at(-1)!.detection;
    expect(detection).toMatchObject({ task: 'mrpc', ready: true, missing: [], labels: ['0', '1'], counts: { train: 32, dev: 16, test: 0 } });
    expect(detection.candidates[0]).toBe('mrpc');
    expect(detection.model).toMatchObject({ source: 'huggingface', hiddenSize: 32, numLayers: 2, numHeads: 2, vocabSize: 30522 });

    const preview = t.of('plan').at(-1)!.plan.examples;
    expect(preview).toHaveLength(3);
    const first = preview[0];
    expect(first.tokens[0]).toBe('[CLS]');
    expect(first.tokens.at(-1)).toBe('[SEP]');
    expect(first.tokens).toContain('am');
    expect(first.segmentIds).toHaveLength(first.tokens.length);
    const sep = first.tokens.indexOf('[SEP]');
    expect(first.segmentIds.slice(0, sep + 1).every((s) => s === 0)).toBe(true);
    expect(first.segmentIds.slice(sep + 1).every((s) => s === 1)).toBe(true);
    expect(first.label).toBe('1');
    // Edits that change the features change the preview: max sequence length, lower case.
    expect(Math.max(...preview.map((p) => p.tokens.length))).toBeGreaterThan(16);
    await t.run({ type: 'configure', edits: { maxSeqLength: 16 } });
    const short = t.of('plan').at(-1)!.plan.examples;
    expect(short.map((p) => p.tokens.length)).toEqual(preview.map(() => 16));
    for (const p of short) expect(p.tokens.at(-1)).toBe('[SEP]');
    expect(t.of('settings').at(-1)).toMatchObject({ edited: ['maxSeqLength'], settings: { maxSeqLength: 16 } });
    await t.run({ type: 'configure', edits: { learningRate: 1e-4 } });
    expect(t.of('plan').at(-1)!.plan.examples).toEqual(short);
    expect(t.of('settings').at(-1)!.settings).toMatchObject({ maxSeqLength: 16, learningRate: 1e-4 });
    await t.run({ type: 'configure', edits: { doLowerCase: false } });
    expect(t.of('plan').at(-1)!.plan.examples[0].tokens.some((tok) => tok === '[UNK]' || /[A-Z]/.test(tok))).toBe(true);
    // Detection ran once for the drop: edits do not analyse the files again.
    expect(t.of('taskDetected')).toHaveLength(1);
    // Nothing crashed: no fatal error was sent.
    expect(t.of('error').filter((e) => e.fatal)).toEqual([]);
  });

  it('says what is missing, and forgets removed files', async () => {
    const t = harness();
    await t.run({ type: 'loadFiles', files: dataFiles() });
    const d = t.of('taskDetected').at(-1)!.detection;
    expect(d.ready).toBe(false);
    expect(d.missing).toEqual([
      'a vocabulary (vocab.txt or tokenizer.json)',
      'a model config (config.json or bert_config.json)',
      'model weights (model.safetensors, pytorch_model.bin, or a TensorFlow checkpoint)',
    ]);
    await t.run({ type: 'removeFile', path: 'MRPC/train.tsv' });
    expect(t.of('fileRecognised').at(-1)!.files.map((f) => f.path)).toEqual(['MRPC/dev.tsv']);
    await t.run({ type: 'start', runId: 'r', runName: 'r' });
    const err = t.of('error').at(-1)!;
    expect(err.fatal).toBe(true);
    expect(err.message).toMatch(/cannot start yet: missing a training file for mrpc/);
    expect(t.of('status').at(-1)).toEqual({ type: 'status', status: 'failed', runId: 'r' });
  });

  it('reports a bad TSV row with its file and line through the run, keeping the good rows', async () => {
    const t = harness();
    const bad = mrpcRows('train.tsv', 16).split('\n');
    bad.splice(3, 0, 'only\ttwo columns');
    await t.run({ type: 'loadFiles', files: [...modelFiles(), { path: 'train.tsv', data: buf(enc.encode(bad.join('\n'))) }] });
    await t.run({ type: 'configure', task: 'mrpc', edits: { ...SETTINGS, numTrainEpochs: 1, evalEverySteps: 0 } });
    await t.run({ type: 'start', runId: 'bad-row', runName: 'bad row' });
    await t.h.idle();
    const warning = t.of('log').find((l) => l.level === 'warn' && /train\.tsv/.test(l.message) && /line 4/.test(l.message));
    expect(warning?.message).toBeDefined();
    expect(t.of('runStarted')[0].run.numTrainExamples).toBe(16);
    expect(t.of('finished').at(-1)?.reason).toBe('completed');
  });
});

describe('worker handler: a run', () => {
  it('trains through core, streams steps / evals / checkpoints, stores the run, predicts and exports', async () => {
    const t = await loaded();
    await t.run({ type: 'start', runId: 'run-1', runName: 'first' });
    await t.h.idle();
    const backend = t.of('backend')[0];
    expect(['wasm', 'cpu']).toContain(backend.name);
    const started = t.of('runStarted')[0].run;
    expect(started).toMatchObject({ runId: 'run-1', runName: 'first', task: 'mrpc', labels: ['0', '1'], numTrainExamples: 32, numTrainFeatures: 32, numDevExamples: 16, totalSteps: 4, resumedFromStep: 0, isDemo: false });
    const steps = t.of('step').flatMap((e) => e.steps);
    expect(steps.map((s) => s.step)).toEqual([1, 2, 3, 4]);
    for (const s of steps) expect(Number.isFinite(s.loss)).toBe(true);
    expect(t.of('eval').map((e) => e.result.step)).toEqual([2, 4]);
    expect(Object.keys(t.of('eval')[0].result.metrics).sort()).toEqual(['accuracy', 'f1']);
    expect(t.of('checkpoint').map((c) => c.step)).toEqual([2, 4]);
    // Weights and both Adam moments of at least the 30522 x 32 word embeddings, in float32.
    for (const c of t.of('checkpoint')) expect(c.bytes).toBeGreaterThan(3 * 4 * 30522 * 32);
    expect(t.of('finished')).toEqual([{ type: 'finished', runId: 'run-1', reason: 'completed', step: 4, metrics: t.of('eval')[1].result.metrics }]);
    expect(t.of('status').map((s) => s.status)).toEqual(['preparing', 'training', 'finished']);
    expect(t.of('progress').some((p) => p.phase === 'featurizing' && p.done === p.total)).toBe(true);
    expect(t.of('error')).toEqual([]);

    const record = await t.storage.getRun('run-1');
    expect(record).toMatchObject({ name: 'first', task: 'mrpc', status: 'finished', lastStep: 4, lastCheckpointStep: 4, totalSteps: 4, labels: ['0', '1'], isDemo: false });
    expect(record!.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(record!.evals.map((e) => e.step)).toEqual([2, 4]);
    expect(stepsFromSeries((await t.storage.getSeries('run-1'))!).map((s) => s.loss)).toEqual(steps.map((s) => s.loss));
    expect((await t.storage.listCheckpoints('run-1')).map((c) => c.step)).toEqual([2, 4]);

    await t.run({ type: 'predict', requestId: 1, input: { kind: 'classification', textA: 'The cat sat on the mat .', textB: 'A cat was sitting on the mat .' } });
    const p = t.of('prediction').at(-1)!;
    expect(p.requestId).toBe(1);
    expect(p.error).toBeUndefined();
    if (p.result?.kind !== 'classification') throw new Error('expected a classification result');
    expect(p.result.labels).toEqual(['0', '1']);
    expect(p.result.probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    await t.run({ type: 'predict', requestId: 2, input: { kind: 'qa', context: 'x', question: 'y' } });
    expect(t.of('prediction').at(-1)).toMatchObject({ requestId: 2, result: null, error: { code: 'predict-task' } });

    await t.run({ type: 'evaluate' });
    expect(t.of('eval').at(-1)!.result).toEqual({ ...t.of('eval')[1].result, epoch: 1 });

    await t.run({ type: 'export', requestId: 9 });
    const ex = t.of('exported').at(-1)!;
    expect(ex.error).toBeUndefined();
    expect(ex.files.map((f) => f.name).sort()).toEqual(['MRPC.tsv', 'config.json', 'eval_predictions.jsonl', 'metrics.json', 'model.safetensors', 'tokenizer_config.json', 'vocab.txt']);
    // The dev predictions: after each evaluation, and in the export (GLUE TSV and the rows with gold labels).
    // (the third: the "evaluate" command after the run)
    expect(t.of('evalPredictions').map((e) => [e.runId, e.step])).toEqual([['run-1', 2], ['run-1', 4], ['run-1', 4]]);
    const devRows = mrpcRows('dev.tsv', 16).split('\n').slice(1).filter((l) => l !== '').map((l) => l.split('\t'));
    const predictedRows = (data: ArrayBuffer) => new TextDecoder().decode(data).trim().split('\n').map((l) => JSON.parse(l) as Record<string, string>);
    for (const e of t.of('evalPredictions')) {
      const rows = e.rows;
      expect(rows.map((r) => [r.gold, r.text_a, r.text_b])).toEqual(devRows.map((c) => [c[0], c[3], c[4]]));
      for (const r of rows) expect(['0', '1']).toContain(r.predicted);
    }
    const exported = predictedRows(ex.files.find((f) => f.name === 'eval_predictions.jsonl')!.data);
    const tsv = new TextDecoder().decode(ex.files.find((f) => f.name === 'MRPC.tsv')!.data);
    expect(tsv).toBe(['index\tprediction', ...exported.map((r, i) => `${i}\t${r.predicted}`)].join('\n') + '\n');
    expect(ex.zip?.name).toBe('tabtune-mrpc-model.zip');
    const file = (name: string) => new Uint8Array(ex.files.find((f) => f.name === name)!.data);
    const config = JSON.parse(new TextDecoder().decode(file('config.json'))) as Record<string, unknown>;
    expect(config.architectures).toEqual(['BertForSequenceClassification']);
    expect(config.hidden_size).toBe(32);
    const metrics = JSON.parse(new TextDecoder().decode(file('metrics.json'))) as { train: Array<{ step: number; loss: number }>; eval: unknown[] };
    expect(metrics.train.map((s) => s.loss)).toEqual(steps.map((s) => s.loss));
    expect(metrics.eval).toHaveLength(2);
    const tensors = readSafetensors(file('model.safetensors')).tensors;
    expect(tensors.get('classifier.weight')?.shape).toEqual([2, 32]);
    expect(new TextDecoder().decode(file('vocab.txt')).split('\n')[101]).toBe('[CLS]');
  });

  it('resumes an interrupted run from its last checkpoint with the losses of the uninterrupted run', async () => {
    const t = await loaded();
    await t.run({ type: 'start', runId: 'full', runName: 'full' });
    await t.h.idle();
    const full = t.of('step').flatMap((e) => e.steps);
    expect(full).toHaveLength(4);
    // A reload after the step-2 checkpoint: the step-4 checkpoint never happened.
    await t.storage.deleteCheckpoint('full', 4);
    await t.storage.updateRun('full', { status: 'running' });
    expect(await t.storage.markInterrupted()).toEqual(['full']);
    const before = t.events.length;
    await t.run({ type: 'resumeRun', runId: 'full' });
    await t.h.idle();
    const after = t.events.slice(before);
    const started = after.find((e): e is EventOf<'runStarted'> => e.type === 'runStarted')!;
    expect(started.run.resumedFromStep).toBe(2);
    const steps = after.filter((e): e is EventOf<'step'> => e.type === 'step').flatMap((e) => e.steps);
    // First the stored history (steps 1-2), then the new steps 3-4.
    expect(steps.map((s) => s.step)).toEqual([1, 2, 3, 4]);
    expect(steps.slice(2).map((s) => s.loss)).toEqual(full.slice(2).map((s) => s.loss));
    expect((await t.storage.getRun('full'))?.status).toBe('finished');
  });

  it('refuses to resume on different data, naming the files it needs', async () => {
    const t = await loaded();
    await t.run({ type: 'start', runId: 'r', runName: 'r' });
    await t.h.idle();
    await t.run({ type: 'loadFiles', files: [{ path: 'MRPC/train.tsv', data: buf(enc.encode(mrpcRows('train.tsv', 24))) }] });
    await t.run({ type: 'resumeRun', runId: 'r' });
    const err = t.of('error').at(-1)!;
    expect(err).toMatchObject({ fatal: true, code: 'fingerprint' });
    expect(err.expected).toContain('MRPC/train.tsv');
  });

  it('pauses, resumes and stops a run; stop keeps the checkpoints and reports a stopped run', async () => {
    // Transport of pause / resume / stop, driven by the run's own events (no timers). That a
    // paused loop takes no step until resumed is core/train/loop.test.ts's check.
    const t = await loaded();
    await t.run({ type: 'configure', task: 'mrpc', edits: { ...SETTINGS, numTrainEpochs: 6, evalEverySteps: 0, saveCheckpointsSteps: 3 } });
    let markPaused!: () => void;
    const pausedSeen = new Promise<void>((resolve) => (markPaused = resolve));
    let paused = false;
    t.onEvent = (ev) => {
      if (ev.type === 'step' && !paused) {
        paused = true;
        void t.h.handle({ type: 'pause' });
      }
      if (ev.type === 'status' && ev.status === 'paused') markPaused();
    };
    await t.run({ type: 'start', runId: 'p', runName: 'p' });
    await pausedSeen;
    expect(t.of('status').at(-1)?.status).toBe('paused');
    expect((await t.storage.getRun('p'))?.status).toBe('paused');
    let resumedSteps = 0;
    t.onEvent = (ev) => {
      if (ev.type === 'step') {
        resumedSteps += ev.steps.length;
        if (resumedSteps >= 4) {
          t.onEvent = undefined;
          void t.h.handle({ type: 'stop' });
        }
      }
    };
    await t.run({ type: 'resume' });
    await t.h.idle();
    const fin = t.of('finished').at(-1)!;
    expect(fin.reason).toBe('stopped');
    expect(fin.step).toBeLessThan(24);
    expect(t.of('status').map((s) => s.status)).toEqual(['preparing', 'training', 'paused', 'training', 'stopping', 'stopped']);
    expect((await t.storage.getRun('p'))?.status).toBe('stopped');
    expect((await t.storage.listCheckpoints('p')).length).toBeGreaterThan(0);
    // The stopped model still answers.
    await t.run({ type: 'predict', requestId: 5, input: { kind: 'classification', textA: 'yes' } });
    expect(t.of('prediction').at(-1)?.result?.kind).toBe('classification');
  });
});

describe('worker handler: the demo', () => {
  it('generates the data, trains a BERT from scratch, offers held-out questions, answers with a span of the context, and resumes', async () => {
    const t = harness();
    await t.run({ type: 'demo', runId: 'demo-1', runName: 'Demo', options: { seed: 4, size: 'full', settings: { numTrainEpochs: 0.05, saveCheckpointsSteps: 2 } } });
    await t.h.idle();
    expect(t.of('error')).toEqual([]);
    const run = t.of('runStarted')[0].run;
    expect(run).toMatchObject({ runId: 'demo-1', task: 'squad', isDemo: true, resumedFromStep: 0 });
    expect(run.numTrainExamples).toBeGreaterThan(1000);
    expect(run.settings.maxSeqLength).toBe(DEMO_SETTINGS.maxSeqLength);
    const steps = t.of('step').flatMap((e) => e.steps);
    expect(steps.length).toBe(run.totalSteps);
    expect(steps[0].loss).toBeGreaterThan(3); // about ln(72) for untrained start and end logits
    expect(t.of('spanPredictions').at(-1)!.items.length).toBe(3);
    const questions = t.of('demoData').at(-1)!.questions;
    expect(questions).toHaveLength(5);
    for (const q of questions) {
      expect(q.qasId).toMatch(/^demo-dev-/);
      expect(q.context).toContain(q.answer);
    }
    const stored = await t.storage.getRun('demo-1');
    expect(stored).toMatchObject({ isDemo: true, demoSeed: 4, demoSize: 'full', status: 'finished', model: { source: 'scratch', hiddenSize: DEMO_MODEL_CONFIG.hiddenSize, numLayers: DEMO_MODEL_CONFIG.numHiddenLayers } });

    const q = questions[0];
    await t.run({ type: 'predict', requestId: 1, input: { kind: 'qa', context: q.context, question: q.question } });
    const p = t.of('prediction').at(-1)!;
    if (p.result?.kind !== 'qa') throw new Error(`expected a QA result, got ${JSON.stringify(p)}`);
    expect(p.result.windows).toBe(1);
    expect(p.result.nbest.length).toBeGreaterThan(0);
    for (const a of [p.result.best!, ...p.result.nbest]) expect(q.context.slice(a.start, a.end)).toBe(a.text);
    const total = p.result.nbest.reduce((s, a) => s + a.probability, 0);
    expect(total).toBeLessThanOrEqual(1 + 1e-6);
    await t.run({ type: 'predict', requestId: 2, input: { kind: 'qa', context: q.context, question: '  ' } });
    expect(t.of('prediction').at(-1)).toMatchObject({ requestId: 2, result: null, error: { location: 'Question', code: 'predict-input' } });

    // Resume the demo from its step-2 checkpoint: the data is regenerated from the stored seed.
    const last = (await t.storage.listCheckpoints('demo-1')).map((c) => c.step);
    for (const s of last) if (s > 2) await t.storage.deleteCheckpoint('demo-1', s);
    if (!(await t.storage.getCheckpoint('demo-1', 2))) throw new Error(`no step-2 checkpoint among ${last.join(', ')}`);
    const before = t.events.length;
    await t.run({ type: 'resumeRun', runId: 'demo-1' });
    await t.h.idle();
    const resumed = t.events.slice(before).filter((e): e is EventOf<'step'> => e.type === 'step').flatMap((e) => e.steps);
    expect(resumed.map((s) => s.step)).toEqual(steps.map((s) => s.step));
    expect(resumed.slice(2).map((s) => s.loss)).toEqual(steps.slice(2).map((s) => s.loss));
  });
});
