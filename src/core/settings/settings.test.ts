import { describe, expect, it } from 'vitest';
import { TASK_NAMES } from '../data/glue-tasks';
import { defaultSettings, fieldDefault, fieldsForTask, SETTINGS_SCHEMA, settingField } from './schema';
import { parseSettingValue, resolveSettings, validateSettings } from './validate';
import { editsFromFlags, settingsFlagSpec, settingsHelp } from './flags';

describe('settings schema', () => {
  it("has run_classifier.py's and run_squad.py's defaults, each with its source", () => {
    const cls = defaultSettings('mrpc');
    expect([cls.maxSeqLength, cls.trainBatchSize, cls.learningRate, cls.numTrainEpochs, cls.warmupProportion]).toEqual([128, 32, 5e-5, 3, 0.1]);
    const sq = defaultSettings('squad2');
    expect([sq.maxSeqLength, sq.docStride, sq.maxQueryLength, sq.trainBatchSize, sq.learningRate, sq.numTrainEpochs, sq.warmupProportion]).toEqual([384, 128, 64, 32, 5e-5, 3, 0.1]);
    expect(fieldDefault(settingField('maxSeqLength'), 'squad').source).toMatch(/run_squad\.py --max_seq_length=384/);
    expect(fieldDefault(settingField('trainBatchSize'), 'classifier').source).toMatch(/run_classifier\.py --train_batch_size=32/);
    for (const f of SETTINGS_SCHEMA) {
      expect(f.classifier.source.length, f.key).toBeGreaterThan(3);
      expect(f.flag, f.key).toMatch(/^[a-z0-9-]+$/);
      expect(f.help.length, f.key).toBeGreaterThan(10);
      // Every default is valid for every task it applies to.
      for (const task of TASK_NAMES) expect(validateSettings(task, defaultSettings(task)), `${task} ${f.key}`).toEqual([]);
    }
    expect(new Set(SETTINGS_SCHEMA.map((f) => f.flag)).size).toBe(SETTINGS_SCHEMA.length);
  });

  it('scopes SQuAD fields to SQuAD and the no-answer threshold to SQuAD 2.0', () => {
    const keys = (t: Parameters<typeof fieldsForTask>[0]) => fieldsForTask(t).map((f) => f.key);
    expect(keys('mrpc')).not.toContain('docStride');
    expect(keys('squad')).toContain('docStride');
    expect(keys('squad')).not.toContain('nullScoreDiffThreshold');
    expect(keys('squad2')).toContain('nullScoreDiffThreshold');
  });

  it('parses typed values with one reason per mistake', () => {
    const lr = settingField('learningRate');
    expect(parseSettingValue(lr, '3e-5')).toEqual({ ok: true, value: 3e-5 });
    expect(parseSettingValue(lr, '0')).toEqual({ ok: false, error: 'expected more than 0' });
    expect(parseSettingValue(lr, 'fast')).toEqual({ ok: false, error: '“fast” is not a number' });
    expect(parseSettingValue(settingField('trainBatchSize'), '2.5')).toEqual({ ok: false, error: 'expected a whole number' });
    expect(parseSettingValue(settingField('warmupProportion'), '1')).toEqual({ ok: false, error: 'expected less than 1' });
    expect(parseSettingValue(settingField('schedule'), 'linear')).toEqual({ ok: true, value: 'linear' });
    expect(parseSettingValue(settingField('schedule'), 'cosine')).toMatchObject({ ok: false });
    expect(parseSettingValue(settingField('seqBuckets'), '32, 64')).toEqual({ ok: true, value: [32, 64] });
    expect(parseSettingValue(settingField('seqBuckets'), 'none')).toEqual({ ok: true, value: [] });
    expect(parseSettingValue(settingField('doLowerCase'), 'false')).toEqual({ ok: true, value: false });
  });
});

describe('resolveSettings: the model and the data', () => {
  it("adapts a default max sequence length the model cannot take, and says so", () => {
    const r = resolveSettings({ task: 'mrpc', context: { maxPositions: 64 } });
    expect(r.settings.maxSeqLength).toBe(64);
    expect(r.adapted).toEqual([expect.objectContaining({ key: 'maxSeqLength', from: 128, to: 64 })]);
    expect(r.adapted[0].reason).toMatch(/64 positions/);
    expect(r.issues).toEqual([]);
  });

  it('never changes an edited value: it reports it', () => {
    const r = resolveSettings({ task: 'mrpc', edits: { maxSeqLength: 128 }, context: { maxPositions: 64 } });
    expect(r.settings.maxSeqLength).toBe(128);
    expect(r.adapted).toEqual([]);
    expect(r.issues).toEqual([{ key: 'maxSeqLength', message: expect.stringMatching(/128 exceeds the model's 64 positions/) }]);
  });

  it('keeps SQuAD windows consistent: the question length and stride follow an adapted sequence length', () => {
    const r = resolveSettings({ task: 'squad', context: { maxPositions: 64 } });
    expect([r.settings.maxSeqLength, r.settings.maxQueryLength, r.settings.docStride]).toEqual([64, 16, 45]);
    expect(r.issues).toEqual([]);
    const edited = resolveSettings({ task: 'squad', edits: { maxSeqLength: 64, maxQueryLength: 12, docStride: 60 } });
    expect(edited.issues).toEqual([{ key: 'docStride', message: expect.stringMatching(/60 skips context.*49 context tokens/) }]);
    const noRoom = resolveSettings({ task: 'squad', edits: { maxSeqLength: 64, maxQueryLength: 64 } });
    expect(noRoom.issues.map((i) => i.key)).toEqual(['maxSeqLength']);
  });

  it("checks the data's labels against a fine-tuned classification head", () => {
    const r = resolveSettings({ task: 'mnli', context: { headLabels: 2, dataLabels: ['contradiction', 'entailment', 'neutral'] } });
    expect(r.issues).toEqual([{ key: null, message: expect.stringMatching(/head has 2 labels but the data has 3/) }]);
    expect(resolveSettings({ task: 'mrpc', context: { headLabels: 2, dataLabels: ['0', '1'] } }).issues).toEqual([]);
  });

  it("checks the vocabulary against the model's embeddings", () => {
    expect(resolveSettings({ task: 'mrpc', context: { vocabSize: 30522, modelVocabSize: 99 } }).issues).toEqual([{ key: null, message: expect.stringMatching(/30522 tokens but the model's embeddings have 99/) }]);
  });

  it("follows the model's lower-casing unless the user chose", () => {
    expect(resolveSettings({ task: 'mrpc', context: { modelDoLowerCase: false } }).settings.doLowerCase).toBe(false);
    expect(resolveSettings({ task: 'mrpc', edits: { doLowerCase: true }, context: { modelDoLowerCase: false } }).settings.doLowerCase).toBe(true);
  });
});

describe('settings as command-line flags', () => {
  it('has one flag per setting (and a negation for booleans), read with the same parser as the form', () => {
    const spec = settingsFlagSpec();
    expect(spec['max-seq-length']).toEqual({ type: 'string' });
    expect(spec['no-lower-case']).toEqual({ type: 'boolean' });
    expect(spec['no-dropout']).toEqual({ type: 'boolean' });
    const r = editsFromFlags({ 'learning-rate': '3e-5', 'train-batch-size': '16', 'no-dropout': true, 'seq-buckets': 'none' });
    expect(r).toEqual({ edits: { learningRate: 3e-5, trainBatchSize: 16, dropout: false, seqBuckets: [] }, errors: [] });
    expect(editsFromFlags({ 'learning-rate': 'fast', 'do-lower-case': true, 'no-lower-case': true }).errors).toEqual([
      '--learning-rate: “fast” is not a number',
      '--do-lower-case and --no-lower-case contradict each other',
    ]);
  });

  it('lists every flag in --help with its default and the source of that default', () => {
    const help = settingsHelp();
    for (const f of SETTINGS_SCHEMA) expect(help).toContain(`--${f.flag}`);
    expect(help).toMatch(/--max-seq-length N .*\n\s+default 128 \[run_classifier\.py --max_seq_length=128\]; squad 384 \[run_squad\.py --max_seq_length=384\]/);
  });
});
