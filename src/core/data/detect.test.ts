/** detectDataset on the head (first 4 KB) of every real file in ../shared and on made-up cases. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readSharedBytes, sharedPath } from '../../testing/shared';
import { detectDataset } from './detect';

const head = (...parts: string[]) => readFileSync(sharedPath(...parts), 'utf8').slice(0, 4096);

describe('detectDataset', () => {
  it('recognises each real GLUE file from its header and name', () => {
    const cases: Array<[string, string, object]> = [
      ['MRPC', 'train.tsv', { kind: 'glue', task: 'mrpc', split: 'train' }],
      ['MRPC', 'dev.tsv', { kind: 'glue', task: 'mrpc', split: 'dev' }],
      ['MRPC', 'test.tsv', { kind: 'glue', task: 'mrpc', split: 'test' }],
      ['CoLA', 'train.tsv', { kind: 'glue', task: 'cola', split: 'train' }],
      ['CoLA', 'dev.tsv', { kind: 'glue', task: 'cola', split: 'dev' }],
      ['CoLA', 'test.tsv', { kind: 'glue', task: 'cola', split: 'test' }],
      ['SST-2', 'train.tsv', { kind: 'glue', task: 'sst-2', split: 'train' }],
      ['SST-2', 'dev.tsv', { kind: 'glue', task: 'sst-2', split: 'dev' }],
      ['SST-2', 'test.tsv', { kind: 'glue', task: 'sst-2', split: 'test' }],
      ['RTE', 'train.tsv', { kind: 'glue', task: 'rte', split: 'train' }],
      ['RTE', 'dev.tsv', { kind: 'glue', task: 'rte', split: 'dev' }],
      ['RTE', 'test.tsv', { kind: 'glue', task: 'rte', split: 'test' }],
    ];
    for (const [dir, file, expected] of cases) {
      expect(detectDataset(`${dir}/${file}`, head('datasets/glue', dir, file)), `${dir}/${file}`).toEqual(expected);
    }
  });

  it('names the alternatives when only the header is known', () => {
    expect(detectDataset('test.tsv', head('datasets/glue/CoLA/test.tsv'))).toEqual({ kind: 'glue', task: 'sst-2', split: 'test', alternatives: ['cola'] });
    // RTE and WNLI share a header; the first row's label settles it.
    expect(detectDataset('dev.tsv', head('datasets/glue/RTE/dev.tsv'))).toEqual({ kind: 'glue', task: 'rte', split: 'dev', alternatives: ['wnli'] });
    expect(detectDataset('train.tsv', 'index\tsentence1\tsentence2\tlabel\n0\tI stuck a pin.\tI stuck.\t1\n')).toMatchObject({ task: 'wnli' });
    expect(detectDataset('dev_mismatched.tsv', 'index\tpromptID\tpairID\tgenre\ts1\ts2\tp1\tp2\tsentence1\tsentence2\tlabel1\tgold_label\n')).toEqual({ kind: 'glue', task: 'mnli-mm', split: 'dev' });
    expect(detectDataset('MNLI/test_matched.tsv', 'index\tpromptID\tpairID\tgenre\tsentence1_binary_parse\tsentence2_binary_parse\tsentence1_parse\tsentence2_parse\tsentence1\tsentence2\n0\t1\t2\n')).toEqual({ kind: 'glue', task: 'mnli', split: 'test' });
    expect(detectDataset('train.tsv', 'index\tpromptID\tpairID\tgenre\ts1b\ts2b\ts1p\ts2p\tsentence1\tsentence2\tlabel1\tgold_label\n')).toEqual({ kind: 'glue', task: 'mnli', split: 'train', alternatives: ['mnli-mm'] });
    expect(detectDataset('qqp/dev.tsv', 'id\tqid1\tqid2\tquestion1\tquestion2\tis_duplicate\n1\t2\t3\ta\tb\t0\n')).toEqual({ kind: 'glue', task: 'qqp', split: 'dev' });
  });

  it('tells SQuAD v1.1 from v2.0 by the version field or is_impossible', () => {
    expect(detectDataset('xquad.en.json', head('datasets/squad/xquad.en.json'))).toEqual({ kind: 'squad', version: 1 });
    expect(detectDataset('dev-v2.0.json', head('datasets/squad/cs224n-dev-v2.0.json'))).toEqual({ kind: 'squad', version: 2 });
    expect(detectDataset('input.json', head('fixtures/squad/cs224n-dev-v2.0/input.json'))).toEqual({ kind: 'squad', version: 2 });
    expect(detectDataset('x.json', '{"data": [{"paragraphs": [{"context": "a", "qas": [{"id": "1", "is_impossible": true')).toEqual({ kind: 'squad', version: 2 });
    expect(detectDataset('x.json', '{"data": [{"paragraphs": [{"context": "a", "qas": []}]}]}')).toEqual({ kind: 'squad', version: 1 });
  });

  it('reports a user table with its columns', () => {
    expect(detectDataset('reviews.csv', 'id,"review, text",stars\n1,"good",5\n')).toEqual({ kind: 'csv', columns: ['id', 'review, text', 'stars'] });
    expect(detectDataset('mine.tsv', 'text\tlabel\nhello\tpos\n')).toEqual({ kind: 'tsv', columns: ['text', 'label'] });
  });

  it('says why a file is unknown', () => {
    expect(detectDataset('empty.tsv', '')).toEqual({ kind: 'unknown', reason: 'the file is empty' });
    const bytes = readSharedBytes('fixtures/model/tiny-odd/model.safetensors').subarray(0, 4096);
    expect(detectDataset('model.safetensors', new TextDecoder().decode(bytes))).toEqual({ kind: 'unknown', reason: 'a binary file, not text' });
    expect(detectDataset('list.json', '[1, 2, 3]').kind).toBe('unknown');
    expect(detectDataset('config.json', '{"hidden_size": 768}')).toEqual({ kind: 'unknown', reason: 'JSON without a "data" list: not a SQuAD file' });
    expect(detectDataset('notes.txt', 'just some words\nand more\n')).toEqual({ kind: 'text' });
    expect(detectDataset('notes.txt', 'Hello, world.\nA second, longer sentence.\n\nNext document.\n')).toEqual({ kind: 'text' });
    expect(detectDataset('corpus', 'One sentence per line\nno separators at all\n')).toEqual({ kind: 'text' });
    expect(detectDataset('train.txt', 'sentence\tlabel\nhello\t1\n')).toEqual({ kind: 'glue', task: 'sst-2', split: 'train' });
  });
});
