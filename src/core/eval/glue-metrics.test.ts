import { describe, expect, it } from 'vitest';
import { TabtuneError } from '../errors';
import { averageRanks, confusionMatrix, glueMetrics, matthewsCorrelation, pearson, spearman } from './glue-metrics';

// Binary example worked by hand: tp 3, fn 1, tn 2, fp 2.
const GOLD = ['1', '1', '1', '0', '0', '0', '1', '0'];
const PRED = ['1', '0', '1', '0', '1', '0', '1', '1'];

describe('GLUE metrics', () => {
  it('CoLA: Matthews correlation (tp·tn − fp·fn) / sqrt(...) = 4 / sqrt(240)', () => {
    expect(glueMetrics('cola', PRED, GOLD)).toEqual({ mcc: expect.closeTo(4 / Math.sqrt(240), 12) });
  });
  it('MRPC and QQP: F1 of class "1" = 2·3 / (2·3 + 2 + 1), accuracy 5/8', () => {
    for (const task of ['mrpc', 'qqp'] as const) {
      const m = glueMetrics(task, PRED, GOLD);
      expect(Object.keys(m)).toEqual(['f1', 'accuracy']);
      expect(m.f1).toBeCloseTo(6 / 9, 12);
      expect(m.accuracy).toBe(5 / 8);
    }
  });
  it('accuracy-only tasks compare label strings', () => {
    const gold = ['entailment', 'neutral', 'contradiction', 'neutral'];
    const pred = ['entailment', 'contradiction', 'contradiction', 'neutral'];
    for (const task of ['mnli', 'mnli-mm', 'sst-2', 'qnli', 'rte', 'wnli'] as const) {
      expect(glueMetrics(task, pred, gold)).toEqual({ accuracy: 0.75 });
    }
  });
  it('multiclass MCC (hand-computed: cov 18, sqrt(42·40))', () => {
    const g = ['a', 'b', 'c', 'a', 'b', 'c', 'a', 'a'];
    const p = ['a', 'c', 'c', 'a', 'b', 'b', 'b', 'a'];
    expect(matthewsCorrelation(p, g)).toBeCloseTo(18 / Math.sqrt(1680), 12);
  });
  it('MCC and F1 are 0 when undefined (a constant prediction), as sklearn returns', () => {
    expect(glueMetrics('cola', ['1', '1', '1'], ['1', '0', '1'])).toEqual({ mcc: 0 });
    expect(glueMetrics('mrpc', ['0', '0'], ['1', '0'])).toEqual({ f1: 0, accuracy: 0.5 });
  });
  it('STS-B: Pearson and Spearman with tied ranks (scipy: 0.8287248620773795, 0.7631578947368421)', () => {
    const x = [1, 2, 2, 3, 5];
    const y = ['2', '1', '4', '4', '6'];
    expect(averageRanks(x)).toEqual([1, 2.5, 2.5, 4, 5]);
    // By hand: centred ranks (-2,-.5,-.5,1,2) and (-1,-2,.5,.5,2): 7.25 / 9.5.
    expect(spearman(x, [2, 1, 4, 4, 6])).toBeCloseTo(7.25 / 9.5, 12);
    const m = glueMetrics('sts-b', x, y);
    expect(Object.keys(m)).toEqual(['pearson', 'spearman']);
    // By hand: sxy 9.8, sxx 9.2, syy 15.2.
    expect(m.pearson).toBeCloseTo(9.8 / Math.sqrt(9.2 * 15.2), 12);
    expect(m.pearson).toBeCloseTo(0.8287248620773795, 12);
    expect(m.spearman).toBeCloseTo(0.7631578947368421, 12);
    expect(pearson([1, 2, 3], [3, 2, 1])).toBe(-1);
  });
  it('bad inputs are TabtuneErrors', () => {
    expect(() => glueMetrics('mrpc', ['1'], ['1', '0'])).toThrow(TabtuneError);
    expect(() => glueMetrics('sts-b', ['x'], ['1'])).toThrow(/prediction 0 is 'x'/);
    expect(() => glueMetrics('rte', [], [])).toThrow(TabtuneError);
  });
  it('confusion matrix: rows gold, columns predicted, listed classes first', () => {
    expect(confusionMatrix(PRED, GOLD, ['0', '1'])).toEqual({ labels: ['0', '1'], counts: [[2, 2], [1, 3]] });
    expect(confusionMatrix(['x', 'b'], ['a', 'b'], ['a', 'b'])).toEqual({ labels: ['a', 'b', 'x'], counts: [[0, 0, 1], [0, 1, 0], [0, 0, 0]] });
  });
});
