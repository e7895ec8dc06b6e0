import { describe, expect, it } from 'vitest';
import { hardestExamples } from './hardest';
import type { PredictionRow } from './predictionRows';

const rows: PredictionRow[] = [
  { id: 'a', gold: '1', predicted: '1', loss: 0.1 },
  { id: 'b', gold: '1', predicted: '0', loss: 2.3 },
  { id: 'c', gold: '0', predicted: '1', loss: 1.1 },
  { id: 'd', gold: '0', predicted: '0', loss: 0.7 },
  { id: 'e', predicted: '0' },
  { id: 'f', gold: '1', predicted: '0', loss: 0.9 },
];

describe('hardestExamples', () => {
  it('lists labelled examples by loss, highest first', () => {
    expect(hardestExamples(rows).map((r) => r.id)).toEqual(['b', 'c', 'f', 'd', 'a']);
  });
  it('keeps one confusion-matrix cell', () => {
    expect(hardestExamples(rows, { gold: '1', predicted: '0' }).map((r) => r.id)).toEqual(['b', 'f']);
    expect(hardestExamples(rows, { gold: '0', predicted: '0' }).map((r) => r.id)).toEqual(['d']);
  });
  it('without losses, puts the wrong predictions first', () => {
    const bare = rows.map(({ loss: _loss, ...r }) => r);
    expect(hardestExamples(bare).map((r) => r.id)).toEqual(['b', 'c', 'f', 'a', 'd']);
  });
});
