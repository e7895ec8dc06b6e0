import { describe, expect, it } from 'vitest';
import { etaSeconds, formatBytes, formatDuration, formatMetric, formatPercent, formatRate } from './numbers';

describe('number formatting', () => {
  it('formats byte sizes', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.50 KB');
    expect(formatBytes(440 * 1024 * 1024)).toBe('440 MB');
    expect(formatBytes(12.5 * 1024 ** 3)).toBe('12.5 GB');
    expect(formatBytes(-1)).toBe('–');
  });
  it('formats durations', () => {
    expect(formatDuration(42)).toBe('0:42');
    expect(formatDuration(185)).toBe('3:05');
    expect(formatDuration(3723)).toBe('1:02:03');
    expect(formatDuration(2 * 86400 + 4 * 3600 + 5)).toBe('2 d 4 h');
    expect(formatDuration(NaN)).toBe('–');
  });
  it('formats metrics and losses', () => {
    expect(formatMetric(0.693147)).toBe('0.6931');
    expect(formatMetric(12.3456)).toBe('12.35');
    expect(formatMetric(5e-5)).toBe('5.00e-5');
    expect(formatMetric(0)).toBe('0');
    expect(formatMetric(null)).toBe('–');
    expect(formatMetric(NaN)).toBe('–');
    expect(formatMetric(Infinity)).toBe('∞');
  });
  it('formats rates and percentages', () => {
    expect(formatRate(3.456, 'ex')).toBe('3.46 ex/s');
    expect(formatRate(123.4, 'ex')).toBe('123 ex/s');
    expect(formatPercent(0.8765)).toBe('88%');
    expect(formatPercent(0.012)).toBe('1.2%');
  });
  it('computes an ETA', () => {
    expect(etaSeconds(10, 110, 4)).toBe(25);
    expect(etaSeconds(110, 110, 4)).toBe(0);
    expect(etaSeconds(10, 110, 0)).toBeNaN();
  });
});
