import { describe, expect, it } from 'vitest';
import { SETTINGS_FIELDS } from '../../state/settings-fields';
import { formatFieldValue, parseFieldValue } from './parseField';

const field = (key: string) => {
  const f = SETTINGS_FIELDS.find((x) => x.key === key);
  if (!f) throw new Error(`no settings field ${key}`);
  return f;
};

describe('parseFieldValue', () => {
  it('accepts numbers in range, including scientific notation', () => {
    expect(parseFieldValue(field('learningRate'), '5e-5')).toEqual({ ok: true, value: 5e-5 });
    expect(parseFieldValue(field('batchSize'), ' 16 ')).toEqual({ ok: true, value: 16 });
    expect(parseFieldValue(field('epochs'), '2.5')).toEqual({ ok: true, value: 2.5 });
  });
  it('explains what is wrong', () => {
    expect(parseFieldValue(field('batchSize'), '')).toEqual({ ok: false, error: 'enter a number' });
    expect(parseFieldValue(field('batchSize'), 'abc')).toEqual({ ok: false, error: '“abc” is not a number' });
    expect(parseFieldValue(field('batchSize'), '2.5')).toEqual({ ok: false, error: 'enter a whole number' });
    expect(parseFieldValue(field('batchSize'), '0')).toEqual({ ok: false, error: 'at least 1' });
    expect(parseFieldValue(field('warmupProportion'), '1.5')).toEqual({ ok: false, error: 'at most 1' });
  });
  it('reads selects and booleans', () => {
    expect(parseFieldValue(field('optimizer'), 'adamw')).toEqual({ ok: true, value: 'adamw' });
    expect(parseFieldValue(field('optimizer'), 'sgd')).toEqual({ ok: false, error: 'choose one of bert-adam, adamw' });
    expect(parseFieldValue(field('doLowerCase'), false)).toEqual({ ok: true, value: false });
  });
});

describe('formatFieldValue', () => {
  it('shows small numbers in exponent form and others as they are', () => {
    expect(formatFieldValue(5e-5)).toBe('5e-5');
    expect(formatFieldValue(3e-5)).toBe('3e-5');
    expect(formatFieldValue(1.5e-6)).toBe('1.5e-6');
    expect(formatFieldValue(0.01)).toBe('0.01');
    expect(formatFieldValue(128)).toBe('128');
    expect(formatFieldValue(0)).toBe('0');
    expect(formatFieldValue('bert-adam')).toBe('bert-adam');
  });
  it('round-trips through parseFieldValue', () => {
    for (const v of [5e-5, 3e-5, 2e-5, 1.5e-6, 0.1, 0.01]) {
      expect(parseFieldValue(field('learningRate'), formatFieldValue(v))).toEqual({ ok: true, value: v });
    }
  });
});
