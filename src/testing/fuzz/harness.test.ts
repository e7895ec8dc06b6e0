/**
 * The fuzz harness's time rule, on given numbers (nothing here is timed): a hang is CPU time
 * over 1 s per MB (at least 250 ms); wall time over the limit with CPU time under it is a stall
 * (the process waited for a core on a busy machine), reported but not a failure.
 */
import { describe, expect, it } from 'vitest';
import { judgeTime, timeLimitMs } from './harness';

describe('fuzz time rule', () => {
  it('gives 1 s per MB with a 250 ms floor', () => {
    expect(timeLimitMs(46_598)).toBe(250);
    expect(timeLimitMs(250_000)).toBe(250);
    expect(timeLimitMs(2_000_000)).toBe(2000);
  });

  it('calls a slow wall time with little CPU a stall, not a hang (the 11 tokenizer-json "hangs" of the last round)', () => {
    // 46,598 bytes: 799 ms wall, 10.5 ms CPU, as measured for input 9669 of seed 1 under load 12.
    expect(judgeTime(10.5, 799, 46_598)).toBe('stall');
    expect(judgeTime(10.5, 200, 46_598)).toBe('ok');
  });

  it('calls CPU time over the limit a hang, whatever the wall time', () => {
    expect(judgeTime(251, 260, 46_598)).toBe('hang');
    expect(judgeTime(2100, 2100, 2_000_000)).toBe('hang');
    expect(judgeTime(1900, 5000, 2_000_000)).toBe('stall');
  });
});
