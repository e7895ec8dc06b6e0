import { describe, expect, it } from 'vitest';
import { parseSettingValue, settingField } from '../../core/settings';
import { formatFieldValue } from './formatField';

describe('formatFieldValue', () => {
  it('shows small numbers in exponent form, lists with commas, and others as they are', () => {
    expect(formatFieldValue(5e-5)).toBe('5e-5');
    expect(formatFieldValue(3e-5)).toBe('3e-5');
    expect(formatFieldValue(1.5e-6)).toBe('1.5e-6');
    expect(formatFieldValue(0.01)).toBe('0.01');
    expect(formatFieldValue(128)).toBe('128');
    expect(formatFieldValue(0)).toBe('0');
    expect(formatFieldValue('bert-adam')).toBe('bert-adam');
    expect(formatFieldValue([32, 64])).toBe('32,64');
  });
  it("round-trips through the settings table's parser", () => {
    for (const v of [5e-5, 3e-5, 2e-5, 1.5e-6, 0.1, 0.01]) {
      expect(parseSettingValue(settingField('learningRate'), formatFieldValue(v))).toEqual({ ok: true, value: v });
    }
    expect(parseSettingValue(settingField('seqBuckets'), formatFieldValue([32, 64, 128]))).toEqual({ ok: true, value: [32, 64, 128] });
  });
});
