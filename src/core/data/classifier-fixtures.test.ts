/**
 * Every line of every ../shared/fixtures/classifier file: the GLUE reader on the real file, then
 * convertExample, compared field by field and as the exact JSON line.
 */
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readShared, sharedPath } from '../../testing/shared';
import { convertExample, convertExamples } from './classifier-features';
import { readGlue } from './glue-reader';
import { sourceFromFile } from '../../platform/node/data-source';
import { pythonJson } from './python-json';
import { uncasedTokenizer } from '../../testing/test-tokenizer';
import type { ClassifierFeature, GlueTask, Split } from './types';

const DATASET_DIR: Record<string, string> = { mrpc: 'MRPC', cola: 'CoLA' };
const files = readdirSync(sharedPath('fixtures/classifier')).filter((f) => f.endsWith('.jsonl'));

describe('classifier fixtures', () => {
  it('shares frozen mask and segment arrays between features of one conversion', async () => {
    const data = await readGlue('cola', sourceFromFile(sharedPath('datasets/glue/CoLA/dev.tsv')));
    const features = convertExamples(data.examples, uncasedTokenizer(), { maxSeqLength: 32, labels: data.labels });
    expect(new Set(features.map((f) => f.segment_ids)).size).toBe(1);
    expect(new Set(features.map((f) => f.input_mask)).size).toBeLessThan(32);
    expect(Object.isFrozen(features[0].input_mask)).toBe(true);
    expect(() => {
      features[0].input_mask[0] = 5;
    }).toThrow(TypeError);
    expect(Object.isFrozen(features[0].input_ids)).toBe(false);
    const single = convertExample(data.examples[0], uncasedTokenizer(), { maxSeqLength: 32, labels: data.labels });
    expect(Object.isFrozen(single.input_mask)).toBe(false);
  });

  it('finds the five fixture files', () => {
    expect(files.sort()).toEqual(['cola-dev-32.jsonl', 'cola-dev-8.jsonl', 'mrpc-dev-128.jsonl', 'mrpc-dev-24.jsonl', 'mrpc-test-128.jsonl']);
  });

  for (const file of files) {
    it(`matches every line of ${file}`, async () => {
      const [, task, split, len] = /^(\w+)-(\w+)-(\d+)\.jsonl$/.exec(file)!;
      const lines = readShared('fixtures/classifier', file).split('\n').filter((l) => l !== '');
      const data = await readGlue(task as GlueTask, sourceFromFile(sharedPath('datasets/glue', DATASET_DIR[task], `${split}.tsv`)), { split: split as Split });
      expect(data.stats.skipped).toBe(0);
      expect(lines.length).toBe(200);
      const tokenizer = uncasedTokenizer();
      lines.forEach((line, i) => {
        const expected = JSON.parse(line) as ClassifierFeature;
        const feature = convertExample(data.examples[i], tokenizer, { maxSeqLength: Number(len), labels: data.labels });
        expect(feature, `${file} line ${i + 1}`).toEqual(expected);
        expect(pythonJson(feature), `${file} line ${i + 1} as text`).toBe(line);
      });
      // The batch converter (shared, frozen mask / segment arrays) gives the same features.
      const batch = convertExamples(data.examples.slice(0, 200), tokenizer, { maxSeqLength: Number(len), labels: data.labels });
      expect(batch.map((f) => pythonJson(f))).toEqual(lines);
    });
  }
});
