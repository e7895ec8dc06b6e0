/**
 * The masked-LM task through the session in Node (WASM backend), on the tiny-uncased fixture
 * folder and a small corpus written here:
 * - a dropped .txt is recognised as text, and selects the mlm task only when no labelled dataset
 *   is present (or when picked by hand); the plan counts packed sequences and previews masks;
 * - a run trains with LoRA, streams loss and evaluates masked-token accuracy on a held-out share;
 * - fill-mask answers through predict; export writes BertForMaskedLM (LoRA merged) or peft's
 *   adapter files;
 * - "fine-tune next" makes the adapted encoder the pre-trained model of a classification run.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend/init';
import { bytesSource, readSafetensors } from '../io/safetensors';
import { readShared, readSharedBytes } from '../../testing/shared';
import { sessionHarness, type SessionHarness } from '../../testing/session-harness';
import type { SessionFile } from './files';

const enc = new TextEncoder();

/** Four short documents of clinic-note style text (one sentence per line, blank line between documents). */
const CORPUS = [
  'The patient was admitted with chest pain and shortness of breath.',
  'An electrocardiogram showed no acute changes.',
  'She was given aspirin and observed overnight.',
  '',
  'The patient reports a mild headache since this morning.',
  'Blood pressure was high on arrival and fell after rest.',
  'No fever was recorded during the visit.',
  '',
  'A follow up visit is planned in two weeks.',
  'The doctor advised more water and less salt.',
  'The patient was discharged home in good condition.',
  '',
  'Lab results show normal kidney function.',
  'The white cell count was slightly raised.',
  'Antibiotics were not started.',
  '',
].join('\n');

const model = (): SessionFile[] => [
  { path: 'tiny-uncased/config.json', source: bytesSource(readSharedBytes('fixtures', 'model', 'tiny-uncased', 'config.json'), 'config.json') },
  { path: 'tiny-uncased/model.safetensors', source: bytesSource(readSharedBytes('fixtures', 'model', 'tiny-uncased', 'model.safetensors'), 'model.safetensors') },
  { path: 'tiny-uncased/vocab.txt', source: bytesSource(readSharedBytes('fixtures', 'vocab', 'bert-base-uncased.txt'), 'vocab.txt') },
];
const corpus = (): SessionFile => ({ path: 'notes.txt', source: bytesSource(enc.encode(CORPUS), 'notes.txt') });
const mrpc = (file: 'train.tsv' | 'dev.tsv', rows: number): SessionFile => ({
  path: `MRPC/${file}`,
  source: bytesSource(enc.encode(readShared('datasets', 'glue', 'MRPC', file).split('\n').slice(0, rows + 1).join('\n') + '\n'), file),
});

const harness = (): SessionHarness => sessionHarness();

const SMALL = { maxSeqLength: 32, trainBatchSize: 2, numTrainEpochs: 1, evalEverySteps: 2, learningRate: 1e-3, seqBuckets: [16] };

beforeAll(async () => {
  await initBackend('wasm');
});

describe('session: masked LM on dropped text', () => {
  it('recognises a .txt, picks mlm without a labelled dataset, and plans packed, masked sequences', async () => {
    const t = harness();
    await t.session.addFiles([...model(), corpus()]);
    expect(t.of('fileRecognised').at(-1)!.files.find((f) => f.path === 'notes.txt')).toMatchObject({ kind: 'text-corpus', accepted: true, use: 'train-data' });
    expect(t.of('taskDetected').at(-1)!.detection).toMatchObject({ task: 'mlm', ready: true, counts: { train: 12 } });
    const s = t.of('settings').at(-1)!;
    expect(s.settings).toMatchObject({ maskedLmProb: 0.15, maxPredictionsPerSeq: 20, wholeWordMask: false, trainableParameters: 'full' });
    expect(s.issues).toEqual([]);
    await t.session.configure({ edits: { maxSeqLength: 32 } });
    const plan = t.of('plan').at(-1)!.plan;
    // 4 documents of ~30-40 tokens each, packed to 30 tokens + [CLS]/[SEP]; 5% (at least 1) held out.
    expect(plan.trainExamples).toBeGreaterThanOrEqual(4);
    expect(plan.devExamples).toBe(1);
    expect(plan.examples[0].tokens[0]).toBe('[CLS]');
    expect(plan.examples[0].tokens).toContain('[MASK]');
    expect(plan.examples[0].label).toMatch(/^predict \d+:/);
  });

  it('prefers a labelled dataset over text, and takes mlm when picked by hand', async () => {
    const t = harness();
    await t.session.addFiles([...model(), corpus(), mrpc('train.tsv', 8), mrpc('dev.tsv', 4)]);
    expect(t.of('taskDetected').at(-1)!.detection.task).toBe('mrpc');
    await t.session.configure({ task: 'mlm' });
    expect(t.of('taskDetected').at(-1)!.detection).toMatchObject({ task: 'mlm', ready: true });
    expect(t.session.settings().task).toBe('mlm');
  });

  it('refuses freezing more layers than the model has, naming the setting', async () => {
    const t = harness();
    await t.session.addFiles([...model(), corpus()]);
    await t.session.configure({ edits: { trainableParameters: 'freeze', freezeLayers: 3 } });
    expect(t.of('settings').at(-1)!.issues).toEqual([{ key: 'freezeLayers', message: expect.stringMatching(/3 exceeds the model's 2 layers/) }]);
  });

  it('trains with LoRA, evaluates masked-token accuracy, fills masks, exports merged or as an adapter, then fine-tunes the adapted encoder on MRPC', async () => {
    const t = harness();
    await t.session.addFiles([...model(), corpus()]);
    await t.session.configure({ edits: { ...SMALL, trainableParameters: 'lora', loraRank: 4, loraAlpha: 8 } });
    await t.session.start({ runId: 'mlm-lora', runName: 'mlm-lora' });
    await t.session.idle();
    expect(t.of('error')).toEqual([]);
    const run = t.of('runStarted')[0].run;
    expect(run.task).toBe('mlm');
    const steps = t.of('step').flatMap((e) => e.steps);
    expect(steps.length).toBe(run.totalSteps);
    for (const s of steps) expect(Number.isFinite(s.loss) && s.loss > 0).toBe(true);
    const evals = t.of('eval').map((e) => e.result.metrics);
    expect(evals.length).toBeGreaterThanOrEqual(1);
    for (const m of evals) {
      expect(m.masked_accuracy).toBeGreaterThanOrEqual(0);
      expect(m.masked_accuracy).toBeLessThanOrEqual(1);
      expect(m.perplexity).toBeCloseTo(Math.exp(m.mlm_loss), 3);
    }
    const last = t.session.lastRun()!;
    expect(last.model!.head.kind).toBe('mlm');
    expect(last.model!.lora).toMatchObject({ rank: 4, alpha: 8 });
    // Only the adapters and the head train.
    expect([...last.model!.variables.keys()].every((n) => /lora_[AB]|^cls\./.test(n))).toBe(true);

    await t.session.predict(1, { kind: 'fill-mask', text: 'the patient was [MASK] home.' });
    const pred = t.of('prediction').at(-1)!;
    expect(pred.error).toBeUndefined();
    expect(pred.result).toMatchObject({ kind: 'fill-mask' });
    if (pred.result?.kind !== 'fill-mask') throw new Error('not a fill-mask result');
    expect(pred.result.masks).toHaveLength(1);
    expect(pred.result.masks[0].candidates).toHaveLength(5);
    const scores = pred.result.masks[0].candidates.map((c) => c.score);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);

    await t.session.export(2);
    const merged = t.of('exported').at(-1)!;
    expect(merged.error).toBeUndefined();
    const cfg = JSON.parse(new TextDecoder().decode(merged.files.find((f) => f.name === 'config.json')!.data));
    expect(cfg.architectures).toEqual(['BertForMaskedLM']);
    const mergedNames = [...readSafetensors(new Uint8Array(merged.files.find((f) => f.name === 'model.safetensors')!.data)).tensors.keys()];
    expect(mergedNames).toContain('cls.predictions.bias');
    expect(mergedNames.some((n) => n.includes('lora_'))).toBe(false);

    await t.session.export(3, { lora: 'adapter' });
    const adapter = t.of('exported').at(-1)!;
    expect(adapter.error).toBeUndefined();
    expect(adapter.files.map((f) => f.name)).toEqual(expect.arrayContaining(['adapter_model.safetensors', 'adapter_config.json', 'vocab.txt']));
    const ac = JSON.parse(new TextDecoder().decode(adapter.files.find((f) => f.name === 'adapter_config.json')!.data));
    expect(ac).toMatchObject({ peft_type: 'LORA', r: 4, lora_alpha: 8, target_modules: ['query', 'value'] });

    // One click: the adapted encoder becomes the pre-trained model; a labelled dataset is the next task.
    await t.session.fineTuneNext();
    expect(t.of('error')).toEqual([]);
    const files = t.of('fileRecognised').at(-1)!.files;
    expect(files.filter((f) => f.path.startsWith('tiny-uncased/'))).toEqual([]);
    expect(files.filter((f) => f.path.startsWith('adapted-model-mlm-lora/') && f.accepted).map((f) => f.kind).sort()).toEqual(['hf-config', 'safetensors', 'tokenizer-config', 'vocab']);
    await t.session.addFiles([mrpc('train.tsv', 4), mrpc('dev.tsv', 2)]);
    expect(t.of('taskDetected').at(-1)!.detection).toMatchObject({ task: 'mrpc', ready: true });
    await t.session.configure({ reset: true });
    await t.session.configure({ edits: { maxSeqLength: 32, trainBatchSize: 4, numTrainEpochs: 1 } });
    await t.session.start({ runId: 'next', runName: 'next' });
    await t.session.idle();
    expect(t.of('error')).toEqual([]);
    expect(t.of('runStarted').at(-1)!.run.task).toBe('mrpc');
    const next = t.session.lastRun()!;
    expect(next.model!.head.kind).toBe('classification');
    // The encoder is the merged one: W' = W + (α/r)·B·A differs from the fixture's query weight.
    const w = (await next.model!.exportWeights()).get('bert.encoder.layer.0.attention.self.query.weight')!;
    const base = readSafetensors(readSharedBytes('fixtures', 'model', 'tiny-uncased', 'model.safetensors')).tensors.get('bert.encoder.layer.0.attention.self.query.weight')!;
    expect(w.shape).toEqual(base.shape);
    expect(Array.from(w.data).some((v, i) => v !== base.data[i])).toBe(true);
  }, 300_000);
});
