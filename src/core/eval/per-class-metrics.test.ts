import { describe, expect, it } from 'vitest';
import { confusionMatrix, glueMetrics } from './glue-metrics';
import { perClassMetrics } from './per-class-metrics';

describe('perClassMetrics', () => {
  it('gives precision, recall, F1 and support per class; class "1"’s F1 is MRPC’s F1', () => {
    const gold = ['1', '1', '1', '0', '0', '1', '0', '1'];
    const pred = ['1', '0', '1', '0', '1', '1', '0', '0'];
    const rows = perClassMetrics(confusionMatrix(pred, gold, ['0', '1']));
    expect(rows.map((r) => r.label)).toEqual(['0', '1']);
    // class 1: tp 3, predicted 4, gold 5; class 0: tp 2, predicted 4, gold 3
    expect(rows[1]).toMatchObject({ precision: 3 / 4, recall: 3 / 5, support: 5 });
    expect(rows[0]).toMatchObject({ precision: 2 / 4, recall: 2 / 3, support: 3 });
    expect(rows[1].f1).toBeCloseTo(glueMetrics('mrpc', pred, gold).f1, 12);
    expect(rows[0].f1).toBeCloseTo((2 * 0.5 * (2 / 3)) / (0.5 + 2 / 3), 12);
  });

  it('is 0, not NaN, for a class never predicted or never gold', () => {
    const rows = perClassMetrics(confusionMatrix(['a', 'a'], ['a', 'b'], ['a', 'b', 'c']));
    expect(rows[1]).toEqual({ label: 'b', precision: 0, recall: 0, f1: 0, support: 1 });
    expect(rows[2]).toEqual({ label: 'c', precision: 0, recall: 0, f1: 0, support: 0 });
  });
});
