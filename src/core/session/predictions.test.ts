import { describe, expect, it } from 'vitest';
import { gluePredictionsFileName, predictionFiles, predictionRows } from './predictions';
import { readGlue } from '../data/glue-reader';
import { sourceFromText } from '../data/source';
import { parseSquadGold } from '../eval/squad-gold';
import type { DatasetCache } from '../train/task-types';
import { readShared } from '../../testing/shared';

/** Counts the reads of a file through the cache. */
function countingCache(): DatasetCache & { reads: number } {
  const kept = new Map<string, Promise<unknown>>();
  const c = {
    reads: 0,
    get<T>(key: string, read: () => Promise<T>): Promise<T> {
      if (!kept.has(key)) {
        c.reads++;
        kept.set(key, read());
      }
      return kept.get(key) as Promise<T>;
    },
  };
  return c;
}

const text = (f: { data: ArrayBuffer }) => new TextDecoder().decode(f.data);

describe('predictionFiles', () => {
  it('lists every MRPC dev prediction with its sentences and gold label, and writes the GLUE TSV', async () => {
    const devText = readShared('datasets', 'glue', 'MRPC', 'dev.tsv');
    const gold = await readGlue('mrpc', sourceFromText('dev.tsv', devText));
    // A "model" that flips every label, so predicted and gold differ on every row.
    const predicted = gold.examples.map((e) => (e.label === '1' ? '0' : '1'));
    const cache = countingCache();
    const input = {
      task: 'mrpc' as const,
      predictions: { kind: 'classification' as const, guids: gold.examples.map((e) => e.guid), labels: ['0', '1'], predicted, logits: [] },
      dev: sourceFromText('dev.tsv', devText),
      labels: ['0', '1'],
      cache,
    };
    const files = await predictionFiles(input);
    // After every evaluation: the dev file is not read again.
    await predictionFiles(input);
    expect(cache.reads).toBe(1);
    expect(files.map((f) => f.name)).toEqual(['eval_predictions.jsonl', 'MRPC.tsv']);
    const lines = text(files[0]).trim().split('\n').map((l) => JSON.parse(l) as Record<string, string>);
    expect(lines).toEqual(gold.examples.map((e, i) => ({ id: e.guid, text_a: e.textA, text_b: e.textB, gold: e.label, predicted: predicted[i] })));
    // The rows the page gets are the same objects, typed, from the same cached parse.
    expect(await predictionRows(input)).toEqual(lines);
    expect(cache.reads).toBe(1);
    expect(text(files[1])).toBe(['index\tprediction', ...predicted.map((p, i) => `${i}\t${p}`)].join('\n') + '\n');
  });

  it('writes predictions.json and the questions with their first gold answer for SQuAD', async () => {
    const devText = readShared('fixtures', 'squad', 'xquad.en', 'input.json');
    const predictions = JSON.parse(readShared('fixtures', 'squad', 'xquad.en', 'post-64-16-12-predictions.json')) as Record<string, string>;
    const files = await predictionFiles({ task: 'squad', predictions: { kind: 'span', predictions, nbest: {} }, dev: sourceFromText('dev.json', devText), labels: null, cache: countingCache() });
    expect(files.map((f) => f.name)).toEqual(['eval_predictions.jsonl', 'predictions.json']);
    expect(JSON.parse(text(files[1]))).toEqual(predictions);
    const gold = new Map(parseSquadGold(devText, 'dev.json').questions.map((q) => [q.id, q.answers[0]?.text]));
    const questions = new Map<string, string>();
    for (const a of (JSON.parse(devText) as { data: Array<{ paragraphs: Array<{ qas: Array<{ id: string; question: string }> }> }> }).data) {
      for (const p of a.paragraphs) for (const q of p.qas) questions.set(q.id, q.question);
    }
    const rows = text(files[0]).trim().split('\n').map((l) => JSON.parse(l) as Record<string, string>);
    expect(rows).toEqual(Object.entries(predictions).map(([id, predicted]) => ({ id, question: questions.get(id), gold: gold.get(id), predicted })));
  });

  it("names GLUE submission files as the benchmark does", () => {
    expect(gluePredictionsFileName('sst-2')).toBe('SST-2.tsv');
    expect(gluePredictionsFileName('mnli-mm')).toBe('MNLI-mm.tsv');
    expect(gluePredictionsFileName('tsv')).toBe('predictions.tsv');
  });
});
