/**
 * The real files in ../shared/datasets: every row read, counts and label counts checked against
 * datasets/PROVENANCE.md (parsed from its table), SST-2 train with progress callbacks, and the
 * whole of both SQuAD files read and converted.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readShared, sharedPath } from '../../testing/shared';
import { convertExamples } from './classifier-features';
import { readGlue } from './glue-reader';
import { sourceFromFile } from '../../platform/node/data-source';
import { forEachSquadFeature } from './squad-features';
import { readSquad } from './squad-reader';
import { uncasedTokenizer } from '../../testing/test-tokenizer';
import type { GlueTask, Split } from './types';

/** PROVENANCE.md rows: local file -> records column text. */
const provenance = new Map(
  readShared('datasets/PROVENANCE.md')
    .split('\n')
    .filter((l) => l.startsWith('| glue/') || l.startsWith('| squad/'))
    .map((l) => l.split('|').map((c) => c.trim()))
    .map((cells) => [cells[1], cells[6]] as const),
);

function expectedRows(file: string): { rows: number; labels?: Record<string, number> } {
  const text = provenance.get(file);
  if (!text) throw new Error(`PROVENANCE.md has no row for ${file}`);
  const rows = Number(/^(\d+) rows/.exec(text)![1]);
  const counts = /\((.*)\)/.exec(text)?.[1];
  if (!counts || !counts.includes(':')) return { rows };
  const labels: Record<string, number> = {};
  for (const part of counts.split(',')) {
    const [label, n] = part.split(':').map((s) => s.trim());
    labels[label] = Number(n);
  }
  return { rows, labels };
}

function countLabels(labels: Array<string | undefined>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const l of labels) out[l!] = (out[l!] ?? 0) + 1;
  return out;
}

/** Lines of a file that hold a record (independent of the reader: non-empty lines minus the header). */
function dataLines(path: string, header: boolean): number {
  return readFileSync(path, 'utf8').split('\n').filter((l) => l !== '').length - (header ? 1 : 0);
}

const GLUE_FILES: Array<[GlueTask, string, Split]> = [
  ['cola', 'CoLA', 'dev'],
  ['cola', 'CoLA', 'test'],
  ['sst-2', 'SST-2', 'dev'],
  ['sst-2', 'SST-2', 'test'],
  ['rte', 'RTE', 'train'],
  ['rte', 'RTE', 'dev'],
  ['rte', 'RTE', 'test'],
];

describe('real GLUE files', () => {
  for (const [task, dir, split] of GLUE_FILES) {
    it(`reads ${dir}/${split}.tsv as PROVENANCE.md counts it`, async () => {
      const file = `glue/${dir}/${split}.tsv`;
      const data = await readGlue(task, sourceFromFile(sharedPath('datasets', file)));
      const expected = expectedRows(file);
      expect(data.split).toBe(split);
      expect(data.stats).toMatchObject({ records: expected.rows, kept: expected.rows, skipped: 0 });
      expect(data.examples.length).toBe(expected.rows);
      if (expected.labels) expect(countLabels(data.examples.map((e) => e.label))).toEqual(expected.labels);
      if (split === 'test') expect(new Set(data.examples.map((e) => e.label))).toEqual(new Set([data.labels![0]]));
    });
  }

  it('reads CoLA train and MRPC train/dev/test (every line a record)', async () => {
    for (const [task, dir, split, header] of [
      ['cola', 'CoLA', 'train', false],
      ['mrpc', 'MRPC', 'train', true],
      ['mrpc', 'MRPC', 'dev', true],
      ['mrpc', 'MRPC', 'test', true],
    ] as const) {
      const path = sharedPath('datasets/glue', dir, `${split}.tsv`);
      const data = await readGlue(task, sourceFromFile(path));
      expect(data.stats.skipped, `${dir}/${split}`).toBe(0);
      expect(data.examples.length, `${dir}/${split}`).toBe(dataLines(path, header));
      expect(data.examples[0].guid).toBe(`${split}-${header ? 1 : 0}`);
    }
  });

  it('reads and converts SST-2 train (67k rows) with progress callbacks', async () => {
    const file = 'glue/SST-2/train.tsv';
    const expected = expectedRows(file);
    const source = sourceFromFile(sharedPath('datasets', file));
    const readProgress: Array<[number, number]> = [];
    const data = await readGlue('sst-2', source, { onProgress: (done, total) => readProgress.push([done, total]) });
    expect(data.examples.length).toBe(expected.rows);
    expect(countLabels(data.examples.map((e) => e.label))).toEqual(expected.labels);
    expect(readProgress.length).toBeGreaterThan(10);
    expect(readProgress[readProgress.length - 1]).toEqual([source.size, source.size]);
    expect(readProgress.every(([d], i) => i === 0 || d > readProgress[i - 1][0])).toBe(true);

    const convertProgress: number[] = [];
    const features = convertExamples(data.examples, uncasedTokenizer(), { maxSeqLength: 64, labels: data.labels }, (done, total) => {
      expect(total).toBe(expected.rows);
      convertProgress.push(done);
    });
    expect(features.length).toBe(expected.rows);
    expect(convertProgress.length).toBeGreaterThanOrEqual(100);
    expect(convertProgress[convertProgress.length - 1]).toBe(expected.rows);
    expect(countLabels(features.map((f) => String(f.label_id)))).toEqual(expected.labels);
    for (const f of features) {
      expect(f.input_ids.length).toBe(64);
      expect(f.input_ids[0]).toBe(101);
    }
  });
});

function squadCounts(file: string) {
  const json = JSON.parse(readShared('datasets', file)) as {
    data: Array<{ paragraphs: Array<{ qas: Array<{ answers: unknown[]; is_impossible?: boolean }> }> }>;
  };
  const qas = json.data.flatMap((a) => a.paragraphs.flatMap((p) => p.qas));
  return {
    paragraphs: json.data.reduce((n, a) => n + a.paragraphs.length, 0),
    questions: qas.length,
    impossible: qas.filter((q) => q.is_impossible === true).length,
    oneAnswer: qas.filter((q) => q.is_impossible !== true && q.answers.length === 1).length,
  };
}

describe('real SQuAD files', () => {
  it('reads xquad.en (v1.1) in both modes and converts it at 384/128/64', async () => {
    const file = 'squad/xquad.en.json';
    const counts = squadCounts(file);
    expect(provenance.get(file)).toContain(`${counts.paragraphs} paragraphs, ${counts.questions} questions`);
    const evalData = await readSquad(sourceFromFile(sharedPath('datasets', file)), { training: false });
    expect(evalData.stats).toMatchObject({ version: 1, paragraphs: 240, records: 1190, kept: 1190, skipped: 0, unrecoverable: 0 });
    const train = await readSquad(sourceFromFile(sharedPath('datasets', file)), { training: true });
    // One answer per question and every span checks out (PROVENANCE.md): nothing is dropped.
    expect(train.stats).toMatchObject({ kept: counts.oneAnswer, skipped: 0, unrecoverable: 0, impossible: 0 });
    let n = 0;
    const progress: number[] = [];
    const features = forEachSquadFeature(
      train.examples,
      uncasedTokenizer(),
      { maxSeqLength: 384, docStride: 128, maxQueryLength: 64, training: true },
      (f) => {
        expect(f.unique_id).toBe(1000000000 + n++);
        expect(f.start_position! >= 0 && f.end_position! >= f.start_position!).toBe(true);
      },
      (done) => progress.push(done),
    );
    expect(features).toBe(n);
    expect(features).toBeGreaterThanOrEqual(1190);
    expect(progress[progress.length - 1]).toBe(1190);
  });

  it('reads cs224n-dev-v2.0 (v2.0) in both modes; training counts questions with several answers as bad', async () => {
    const file = 'squad/cs224n-dev-v2.0.json';
    const counts = squadCounts(file);
    expect(provenance.get(file)).toContain(`${counts.paragraphs} paragraphs, ${counts.questions} questions`);
    expect(provenance.get(file)).toContain(`${counts.impossible} is_impossible`);
    const evalData = await readSquad(sourceFromFile(sharedPath('datasets', file)), { training: false });
    expect(evalData.stats).toMatchObject({ version: 2, paragraphs: 646, records: 6078, kept: 6078, skipped: 0 });
    expect(evalData.examples.every((e) => !e.isImpossible)).toBe(true);

    const train = await readSquad(sourceFromFile(sharedPath('datasets', file)), { training: true });
    expect(train.stats.impossible).toBe(counts.impossible);
    expect(train.stats.kept + train.stats.unrecoverable).toBe(counts.impossible + counts.oneAnswer);
    expect(train.stats.skipped).toBe(counts.questions - counts.impossible - counts.oneAnswer);
    expect(train.stats.firstErrors[0].code).toBe('squad-answers');

    const first = await readSquad(sourceFromFile(sharedPath('datasets', file)), { training: true, useFirstAnswer: true });
    expect(first.stats.skipped).toBe(0);
    expect(first.stats.kept + first.stats.unrecoverable).toBe(counts.questions);
    expect(first.stats.records).toBe(6078);
  });
});
