/**
 * The masked-LM and trainable-parameter rows of the settings table: defaults with their
 * google-research/bert / peft sources, scopes, the TrainableSpec they make, cross-checks against
 * the model, and the CLI flags derived from them.
 */
import { describe, expect, it } from 'vitest';
import { defaultSettings, fieldDefault, fieldsForTask, settingField } from './schema';
import { resolveSettings, validateSettings } from './validate';
import { editsFromFlags, settingsFlagSpec } from './flags';
import { trainableSpecOf } from './trainable-settings';

describe('masked-LM settings', () => {
  it("default to create_pretraining_data.py's flags and apply to the mlm task only", () => {
    const s = defaultSettings('mlm');
    expect([s.maskedLmProb, s.maxPredictionsPerSeq, s.wholeWordMask, s.maxSeqLength, s.trainBatchSize, s.learningRate]).toEqual([0.15, 20, false, 128, 32, 5e-5]);
    expect(fieldDefault(settingField('maskedLmProb'), 'mlm').source).toMatch(/create_pretraining_data\.py --masked_lm_prob=0\.15/);
    expect(fieldDefault(settingField('maxPredictionsPerSeq'), 'mlm').source).toMatch(/--max_predictions_per_seq=20/);
    expect(fieldDefault(settingField('wholeWordMask'), 'mlm').source).toMatch(/--do_whole_word_mask/);
    expect(fieldDefault(settingField('trainBatchSize'), 'mlm').source).toMatch(/run_pretraining\.py --train_batch_size=32/);
    const keys = (t: Parameters<typeof fieldsForTask>[0]) => fieldsForTask(t).map((f) => f.key);
    expect(keys('mlm')).toEqual(expect.arrayContaining(['maskedLmProb', 'maxPredictionsPerSeq', 'wholeWordMask', 'mlmValidationSplit', 'trainableParameters']));
    expect(keys('mlm')).not.toContain('docStride');
    expect(keys('mlm')).not.toContain('liveSpanCount');
    expect(keys('mrpc')).not.toContain('maskedLmProb');
    expect(keys('squad')).not.toContain('wholeWordMask');
  });

  it('bounds the mask probability to (0, 1) and the predictions to at least 1', () => {
    const s = { ...defaultSettings('mlm'), maskedLmProb: 1, maxPredictionsPerSeq: 0 };
    expect(validateSettings('mlm', s).map((i) => i.key)).toEqual(['maskedLmProb', 'maxPredictionsPerSeq']);
    // Out-of-scope values do not bother other tasks.
    expect(validateSettings('mrpc', { ...defaultSettings('mrpc'), maskedLmProb: 2 })).toEqual([]);
  });
});

describe('trainable-parameter settings', () => {
  it("default to full fine-tuning and peft's LoRA r 8 on query/value, for every task", () => {
    for (const task of ['mrpc', 'squad', 'mlm'] as const) {
      const s = defaultSettings(task);
      expect([s.trainableParameters, s.loraRank, s.loraAlpha, s.loraDropout, s.loraTargets, s.freezeEmbeddings, s.freezeLayers]).toEqual(['full', 8, 16, 0.1, 'query,value', false, 0]);
      expect(fieldsForTask(task).map((f) => f.key)).toContain('trainableParameters');
    }
    expect(fieldDefault(settingField('loraRank'), 'classifier').source).toMatch(/peft LoraConfig r=8/);
    expect(fieldDefault(settingField('loraTargets'), 'classifier').source).toMatch(/"query", "value"/);
  });

  it('make the model’s TrainableSpec', () => {
    const s = defaultSettings('mrpc');
    expect(trainableSpecOf(s)).toEqual({ kind: 'full' });
    expect(trainableSpecOf({ ...s, trainableParameters: 'lora', loraRank: 4, loraTargets: 'query,key,value,attention.output,intermediate,output' })).toEqual({
      kind: 'lora', rank: 4, alpha: 16, dropout: 0.1, targets: ['query', 'key', 'value', 'attention.output', 'intermediate', 'output'],
    });
    expect(trainableSpecOf({ ...s, trainableParameters: 'freeze', freezeEmbeddings: true, freezeLayers: 2 })).toEqual({ kind: 'freeze', embeddings: true, layers: 2 });
  });

  it('refuses rank 0, dropout 1, more frozen layers than the model has, and a freeze that freezes nothing', () => {
    const s = defaultSettings('mrpc');
    expect(validateSettings('mrpc', { ...s, trainableParameters: 'lora', loraRank: 0, loraDropout: 1 }).map((i) => i.key)).toEqual(['loraRank', 'loraDropout']);
    const r = resolveSettings({ task: 'mrpc', edits: { trainableParameters: 'freeze', freezeLayers: 13 }, context: { numLayers: 12 } });
    expect(r.issues).toEqual([{ key: 'freezeLayers', message: expect.stringMatching(/13 exceeds the model's 12 layers \(num_hidden_layers\); use at most 12/) }]);
    expect(resolveSettings({ task: 'mrpc', edits: { trainableParameters: 'freeze' } }).issues).toEqual([{ key: 'freezeLayers', message: expect.stringMatching(/freezes nothing/) }]);
    expect(resolveSettings({ task: 'mrpc', edits: { trainableParameters: 'freeze', freezeEmbeddings: true } }).issues).toEqual([]);
    // Frozen layers only matter in freeze mode.
    expect(resolveSettings({ task: 'mrpc', edits: { freezeLayers: 13 }, context: { numLayers: 12 } }).issues).toEqual([]);
  });

  it('come from the CLI as --trainable lora --lora-rank 8 ... (flags derived from the table)', () => {
    const spec = settingsFlagSpec();
    for (const flag of ['trainable', 'lora-rank', 'lora-alpha', 'lora-dropout', 'lora-targets', 'freeze-embeddings', 'no-freeze-embeddings', 'freeze-layers', 'masked-lm-prob', 'max-predictions-per-seq', 'whole-word-mask', 'validation-split-percentage']) {
      expect(spec[flag], flag).toBeDefined();
    }
    expect(editsFromFlags({ trainable: 'lora', 'lora-rank': '4', 'lora-targets': 'query,key,value', 'whole-word-mask': true })).toEqual({
      edits: { trainableParameters: 'lora', loraRank: 4, loraTargets: 'query,key,value', wholeWordMask: true }, errors: [],
    });
    expect(editsFromFlags({ trainable: 'half', 'lora-rank': '0' }).errors).toEqual([
      '--trainable: expected one of full, lora, freeze',
      '--lora-rank: expected at least 1',
    ]);
  });
});
