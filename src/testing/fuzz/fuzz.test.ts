/**
 * The reader contract on a few hundred fuzzed inputs per reader (npm run fuzz runs 10,000):
 * every input parses or is refused with a TabtuneError naming its file; no RangeError,
 * TypeError or tfjs error escapes, and no input makes array-buffer memory grow past 64 x its
 * size. Time per input is judged by `npm run fuzz` only (no timed unit tests).
 */
import { describe, expect, it } from 'vitest';
import { fuzzTarget } from './harness';
import { FUZZ_TARGETS } from './targets';

const RUNS = 250;

describe('fuzzed readers', () => {
  for (const target of FUZZ_TARGETS) {
    it(`${target.name}: ${RUNS} seeded inputs parse or are refused with a TabtuneError naming the file`, async () => {
      const c = await fuzzTarget(target, { runs: RUNS, seed: 20261202 });
      expect(c.failures.filter((f) => f.kind !== 'hang').map((f) => `${f.kind} at input ${f.index}: ${f.message}`)).toEqual([]);
      expect(c.inputs).toBe(RUNS);
      // The mutations reach both outcomes: some inputs still parse, some are refused.
      expect(c.rejected).toBeGreaterThan(0);
      expect(c.parsed + c.rejected + c.hangs).toBe(RUNS);
    }, 120_000);
  }
});
