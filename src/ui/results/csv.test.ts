import { describe, expect, it } from 'vitest';
import { buildCsv, csvField, glueTsv, lossCurveCsv } from './csv';

describe('CSV building', () => {
  it('quotes fields with commas, quotes or line breaks (RFC 4180) and leaves others alone', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField(0.5)).toBe('0.5');
    expect(csvField(NaN)).toBe('');
    expect(csvField(undefined)).toBe('');
  });

  it('builds a header and rows, and refuses rows of the wrong width', () => {
    expect(buildCsv(['a', 'b'], [[1, 'x,y'], [2, null]])).toBe('a,b\n1,"x,y"\n2,\n');
    expect(() => buildCsv(['a', 'b'], [[1]])).toThrow(/1 fields, header has 2/);
  });

  it('writes the loss curve with smoothed loss, learning rate and gradient norm', () => {
    const csv = lossCurveCsv(
      [
        { step: 1, loss: 0.69, learningRate: 1e-5, gradNorm: 2.5 },
        { step: 2, loss: 0.5, learningRate: 2e-5, gradNorm: 1.25 },
      ],
      [0.69, 0.6],
    );
    expect(csv).toBe('step,loss,smoothed_loss,learning_rate,grad_norm\n1,0.69,0.69,0.00001,2.5\n2,0.5,0.6,0.00002,1.25\n');
    expect(() => lossCurveCsv([{ step: 1, loss: 1 }], [])).toThrow(RangeError);
  });

  it('writes GLUE submission TSV', () => {
    expect(glueTsv(['1', '0'])).toBe('index\tprediction\n0\t1\n1\t0\n');
  });
});
