import { describe, expect, it } from 'vitest';
import { analyseFiles, buildPreview, buildTokenizer, columnsFor, countParameters, countRecords } from './analysis';
import { recogniseFile as recogniseSource } from './files';
import { errorInfo } from './errors';
import { TabtuneError } from '../errors';
import { bytesSource } from '../io/safetensors';
import { PRESETS } from '../model/config';
import { defaultSettings } from '../settings/schema';
import type { DatasetCache } from '../train/task-types';
import { readShared, readSharedBytes } from '../../testing/shared';

const enc = new TextEncoder();
const recogniseFile = (path: string, data: ArrayBuffer) => recogniseSource(path, bytesSource(new Uint8Array(data), path));
const vocabFile = () => recogniseFile('vocab.txt', readSharedBytes('fixtures', 'vocab', 'bert-base-uncased.txt').slice().buffer as ArrayBuffer);
/** A cache that keeps nothing: every use reads. */
const noCache: DatasetCache = { get: (_key, read) => read() };

describe('analysis', () => {
  it('previews SQuAD windows with the answer span, as run_squad builds them', async () => {
    const squad = await recogniseFile('squad/train-v1.1.json', readSharedBytes('fixtures', 'squad', 'xquad.en', 'input-train.json').slice().buffer as ArrayBuffer);
    expect(squad.report).toMatchObject({ kind: 'squad-json', use: 'train-data', accepted: true });
    const vocab = await vocabFile();
    const a = analyseFiles([squad, vocab], null);
    expect(a.task).toBe('squad');
    expect(a.detection.candidates).toEqual(['squad', 'squad2']);
    expect(a.detection.reason).toContain('no dev file');
    const settings = { ...defaultSettings('squad'), maxSeqLength: 64, docStride: 16, maxQueryLength: 12 };
    const preview = await buildPreview(a, await buildTokenizer(vocab, true), settings, noCache, undefined, 2);
    expect(preview.length).toBeGreaterThan(2);
    const windows = preview.filter((p) => p.guid.startsWith(preview[0].guid.split(' ')[0]));
    // The first question's context needs several windows; the preview shows the first ones.
    expect(windows[0].window!.count).toBeGreaterThan(1);
    expect(windows[0].window!.count).toBeGreaterThanOrEqual(windows.length);
    expect(windows.map((w) => w.window!.index)).toEqual(windows.map((_, i) => i));
    for (const p of preview) {
      expect(p.tokens.length).toBeLessThanOrEqual(64);
      expect(p.tokens[0]).toBe('[CLS]');
      const sep = p.tokens.indexOf('[SEP]');
      expect(p.segmentIds.slice(0, sep + 1).every((s) => s === 0)).toBe(true);
      expect(p.segmentIds.slice(sep + 1).every((s) => s === 1)).toBe(true);
      expect(typeof p.question).toBe('string');
      if (p.answer) {
        expect(p.answer.start).toBeGreaterThan(sep);
        expect(p.answer.end).toBeGreaterThanOrEqual(p.answer.start);
        expect(p.answer.text.length).toBeGreaterThan(0);
      }
    }
    expect(preview.some((p) => p.answer !== null)).toBe(true);
    expect(preview.some((p) => p.answer === null)).toBe(true);
    expect(preview.length).toBeLessThanOrEqual(4);
  });

  it("maps a user's CSV columns and previews it", async () => {
    const csv = await recogniseFile('reviews_train.csv', enc.encode('review,stars\n"Great, really great",5\nAwful,1\n').buffer as ArrayBuffer);
    expect(csv.report).toMatchObject({ kind: 'table', use: 'train-data' });
    const vocab = await vocabFile();
    const a = analyseFiles([csv, vocab], null);
    expect(a.task).toBe('tsv');
    expect(a.detection.columns).toEqual(['review', 'stars']);
    expect(columnsFor(undefined, a.detection.columns)).toEqual({ textA: 'review', label: 'stars' });
    expect(columnsFor(undefined, ['a', 'b', 'c'])).toEqual({ textA: 'a', textB: 'b', label: 'c' });
    expect(columnsFor({ textA: 1, label: 0 }, ['a', 'b'])).toEqual({ textA: 1, label: 0 });
    const preview = await buildPreview(a, await buildTokenizer(vocab, true), defaultSettings('tsv'), noCache, columnsFor(undefined, a.detection.columns));
    expect(preview.map((p) => [p.tokens, p.label])).toEqual([
      [['[CLS]', 'great', ',', 'really', 'great', '[SEP]'], '5'],
      [['[CLS]', 'awful', '[SEP]'], '1'],
    ]);
  });

  it('lets the user switch to a task the data allows, and ignores one it does not', async () => {
    const rte = await recogniseFile('RTE/train.tsv', enc.encode('index\tsentence1\tsentence2\tlabel\n0\tA man.\tA person.\tentailment\n').buffer as ArrayBuffer);
    expect(analyseFiles([rte], null).task).toBe('rte');
    expect(analyseFiles([rte], 'wnli').task).toBe('wnli');
    expect(analyseFiles([rte], 'wnli').detection.reason).toBe('chosen by you (detected: rte); no dev file: evaluation uses the training file');
    expect(analyseFiles([rte], 'squad').task).toBe('rte');
  });

  it('counts the usable rows of a dropped GLUE file and reports each bad row with its file and line', async () => {
    const rows = readShared('datasets', 'glue', 'MRPC', 'train.tsv').split('\n');
    const text = [rows[0], rows[1], rows[2], 'only\ttwo columns', rows[3].replace(/^[01]\t/, '7\t'), rows[4]].join('\n') + '\n';
    const f = await recogniseFile('MRPC/train.tsv', enc.encode(text).buffer as ArrayBuffer);
    const count = (await countRecords(f, 'mrpc', noCache, 'train', undefined, null))!;
    expect([count.records, count.skipped]).toEqual([3, 2]);
    expect(count.notes).toEqual([
      'train.tsv: 2 bad row(s) skipped',
      'train.tsv, line 4: the row has 2 columns (expected 5 tab-separated columns)',
      "train.tsv, line 5: label '7' is not one of the mrpc labels (expected one of 0, 1)",
    ]);
    // The full MRPC training file: every row is good.
    const full = await recogniseFile('MRPC/train.tsv', readSharedBytes('datasets', 'glue', 'MRPC', 'train.tsv').slice().buffer as ArrayBuffer);
    const n = readShared('datasets', 'glue', 'MRPC', 'train.tsv').split('\n').filter((l) => l.trim() !== '').length - 1;
    expect(await countRecords(full, 'mrpc', noCache, 'train', undefined, null)).toEqual({ records: n, skipped: 0, notes: [], labels: ['0', '1'] });
  });

  it('reports a SQuAD question whose answer_start lies outside its context, naming the file and question id', async () => {
    const squad = JSON.parse(readShared('fixtures', 'squad', 'xquad.en', 'input-train.json')) as { data: Array<{ paragraphs: Array<{ context: string; qas: Array<{ id: string }> }> }> };
    const p = squad.data[0].paragraphs[0];
    const bad = { ...p.qas[0], answers: [{ text: 'x', answer_start: 100000 }] };
    const json = { version: '1.1', data: [{ title: 't', paragraphs: [{ context: p.context, qas: [bad, ...p.qas.slice(1)] }] }] };
    const f = await recogniseFile('train-v1.1.json', enc.encode(JSON.stringify(json)).buffer as ArrayBuffer);
    const count = (await countRecords(f, 'squad', noCache, 'train', undefined, null))!;
    expect(count.skipped).toBe(1);
    expect(count.notes).toHaveLength(1);
    expect(count.notes[0]).toContain(`train-v1.1.json, question ${bad.id}`);
    expect(count.notes[0]).toContain('answer_start 100000');
    expect(count.records).toBeLessThanOrEqual(p.qas.length - 1);
  });

  it('counts BERT-Tiny and BERT-Base parameters', () => {
    // Encoder + pooler of bert-base-uncased: 109,482,240 (BertModel, without heads).
    expect(countParameters(PRESETS.base)).toBe(109482240);
    expect(countParameters(PRESETS.tiny)).toBe(4385920);
  });
});

describe('errorInfo', () => {
  it('keeps a TabtuneError\'s file, location and expected', () => {
    const e = new TabtuneError('bad row', { file: 'train.tsv', location: 'line 4', expected: '5 columns', code: 'tsv-columns' });
    expect(errorInfo(e)).toEqual({ message: 'train.tsv, line 4: bad row (expected 5 columns)', file: 'train.tsv', location: 'line 4', expected: '5 columns', code: 'tsv-columns' });
  });

  it('recognises out-of-memory and lost-device failures of the backend', () => {
    expect(errorInfo(new Error('Failed to allocate buffer of size 123')).code).toBe('out-of-memory');
    expect(errorInfo(new Error('Requested texture size [99999x2] greater than WebGL maximum')).code).toBeUndefined();
    expect(errorInfo(new Error('GPU device was lost: destroyed')).code).toBe('device-lost');
    expect(errorInfo('plain', 'x.bin')).toEqual({ message: 'x.bin: plain', file: 'x.bin', code: undefined });
  });
});
