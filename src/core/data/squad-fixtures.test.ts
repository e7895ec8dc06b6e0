/**
 * Every line of every ../shared/fixtures/squad/<set>/features-*.jsonl: read_squad_examples on
 * input-train.json (train) or input.json (eval), then convert_examples_to_features with the
 * parameters in the file name, compared field by field and as the exact JSON line.
 */
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readShared, sharedPath } from '../../testing/shared';
import { sourceFromFile } from '../../platform/node/data-source';
import { pythonJson } from './python-json';
import { convertSquadExamples } from './squad-features';
import { readSquad } from './squad-reader';
import { uncasedTokenizer } from '../../testing/test-tokenizer';
import type { SquadFeature } from './types';

const sets = readdirSync(sharedPath('fixtures/squad'));

describe('squad feature fixtures', () => {
  it('finds both sets with four feature files each', () => {
    expect(sets.sort()).toEqual(['cs224n-dev-v2.0', 'xquad.en']);
    for (const set of sets) expect(readdirSync(sharedPath('fixtures/squad', set)).filter((f) => f.startsWith('features-')).length).toBe(4);
  });

  for (const set of sets) {
    for (const file of readdirSync(sharedPath('fixtures/squad', set)).filter((f) => /^features-.*\.jsonl$/.test(f))) {
      it(`matches every line of ${set}/${file}`, async () => {
        const [, mode, seq, stride, query] = /^features-(train|eval)-(\d+)-(\d+)-(\d+)\.jsonl$/.exec(file)!;
        const training = mode === 'train';
        const input = sharedPath('fixtures/squad', set, training ? 'input-train.json' : 'input.json');
        const { examples, stats } = await readSquad(sourceFromFile(input), { training, version2: set.includes('v2.0') });
        expect(stats.skipped).toBe(0);
        const features = convertSquadExamples(examples, uncasedTokenizer(), {
          maxSeqLength: Number(seq),
          docStride: Number(stride),
          maxQueryLength: Number(query),
          training,
        });
        const lines = readShared('fixtures/squad', set, file).split('\n').filter((l) => l !== '');
        expect(features.length).toBe(lines.length);
        lines.forEach((line, i) => {
          expect(features[i], `${file} line ${i + 1}`).toEqual(JSON.parse(line) as SquadFeature);
          expect(pythonJson(features[i]), `${file} line ${i + 1} as text`).toBe(line);
        });
      });
    }
  }
});
