/** Evaluation on the training file (no dev file) uses a bounded subset by default, and says so; the user's value wins. */
import { describe, expect, it } from 'vitest';
import { resolveSettings, TRAIN_FILE_EVAL_EXAMPLES } from './validate';
import { settingField } from './schema';

describe('max evaluation examples without a dev file', () => {
  it('adapts the default (all) to a bounded subset of the training file, with the reason', () => {
    const r = resolveSettings({ task: 'squad', context: { evalOnTrainFile: true } });
    expect(r.settings.maxEvalExamples).toBe(TRAIN_FILE_EVAL_EXAMPLES);
    expect(r.adapted).toContainEqual({ key: 'maxEvalExamples', from: 0, to: 500, reason: 'no dev file: evaluation uses the first 500 training examples, not the whole training file (set 0 for all)' });
  });
  it('keeps all of a dev file, and the user’s own value', () => {
    expect(resolveSettings({ task: 'squad' }).settings.maxEvalExamples).toBe(0);
    const r = resolveSettings({ task: 'mrpc', edits: { maxEvalExamples: 0 }, context: { evalOnTrainFile: true } });
    expect(r.settings.maxEvalExamples).toBe(0);
    expect(r.adapted).toEqual([]);
  });
  it('is a setting of the schema, so the form and the CLI have it', () => {
    expect(settingField('maxEvalExamples')).toMatchObject({ flag: 'max-eval-examples', label: 'Max evaluation examples', kind: 'int' });
  });
});
