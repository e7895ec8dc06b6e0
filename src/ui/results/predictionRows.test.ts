import { describe, expect, it } from 'vitest';
import { filterRows, parseGlueTsv, predictionRowsFromDev, predictionRowsFromFiles } from './predictionRows';

const bytes = (s: string) => new TextEncoder().encode(s).buffer as ArrayBuffer;

describe('predictionRowsFromFiles', () => {
  it('prefers eval_predictions.jsonl (with gold labels and inputs)', () => {
    const files = [
      { name: 'model/dev_predictions.tsv', data: bytes('index\tprediction\n0\t1\n') },
      { name: 'eval_predictions.jsonl', data: bytes('{"id":"dev-1","text_a":"A cat.","text_b":"A dog.","gold":"0","predicted":"1","loss":1.5}\n{"id":"dev-2","text_a":"Hi","gold":1,"predicted":"1"}\n') },
    ];
    const p = predictionRowsFromFiles(files);
    expect(p?.source).toBe('eval_predictions.jsonl');
    expect(p?.hasGold).toBe(true);
    expect(p?.rows).toEqual([
      { id: 'dev-1', input: 'A cat. ‖ A dog.', gold: '0', predicted: '1', loss: 1.5, textA: 'A cat.', textB: 'A dog.' },
      { id: 'dev-2', input: 'Hi', gold: '1', predicted: '1', textA: 'Hi' },
    ]);
  });
  it('reads SQuAD predictions.json', () => {
    const p = predictionRowsFromFiles([{ name: 'predictions.json', data: bytes('{"q1": "Paris", "q2": ""}') }]);
    expect(p).toEqual({ source: 'predictions.json', hasGold: false, rows: [{ id: 'q1', predicted: 'Paris' }, { id: 'q2', predicted: '' }] });
  });
  it('reads GLUE TSV and returns null when no predictions file is there', () => {
    expect(parseGlueTsv('index\tprediction\n0\tentailment\n1\tneutral\n')).toEqual([
      { id: '0', predicted: 'entailment' },
      { id: '1', predicted: 'neutral' },
    ]);
    expect(predictionRowsFromFiles([{ name: 'config.json', data: bytes('{}') }])).toBeNull();
  });
});

describe('predictionRowsFromDev', () => {
  it("reads the session's rows as they come (no bytes): inputs joined, gold, loss and texts kept", () => {
    const p = predictionRowsFromDev([
      { id: 'dev-1', text_a: 'A cat.', text_b: 'A dog.', gold: '0', predicted: '1', loss: 0.75 },
      { id: 'q7', question: 'Who?', predicted: 'Ada' },
    ], 'the evaluation at step 4');
    expect(p).toEqual({
      source: 'the evaluation at step 4', hasGold: true,
      rows: [{ id: 'dev-1', input: 'A cat. ‖ A dog.', gold: '0', predicted: '1', loss: 0.75, textA: 'A cat.', textB: 'A dog.' }, { id: 'q7', input: 'Who?', gold: undefined, predicted: 'Ada' }],
    });
    expect(predictionRowsFromDev([{ id: 'x', predicted: '1' }]).hasGold).toBe(false);
  });
});

describe('filterRows', () => {
  const rows = [
    { id: 'q1', input: 'Where is the Eiffel tower?', predicted: 'Paris' },
    { id: 'q2', input: 'Who wrote Faust?', gold: 'Goethe', predicted: 'Schiller' },
  ];
  it('matches id, input, gold or prediction, case-insensitively', () => {
    expect(filterRows(rows, 'eiffel').map((r) => r.id)).toEqual(['q1']);
    expect(filterRows(rows, 'GOETHE').map((r) => r.id)).toEqual(['q2']);
    expect(filterRows(rows, 'q').map((r) => r.id)).toEqual(['q1', 'q2']);
    expect(filterRows(rows, '  ')).toHaveLength(2);
    expect(filterRows(rows, 'berlin')).toEqual([]);
  });
});
