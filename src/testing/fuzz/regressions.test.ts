/** Every saved failing fuzz input (src/testing/fuzz/regressions/) now parses or is refused with a TabtuneError naming its file. */
import { describe, expect, it } from 'vitest';
import { checkInput } from './harness';
import { loadRegressions } from './regressions';
import { targetByName } from './targets';

const cases = loadRegressions();

describe('fuzz regressions', () => {
  it('the folder holds the inputs found so far', () => {
    expect(cases.length).toBeGreaterThan(0);
  });

  it.each(cases.map((c) => [c.id, c] as const))('%s', async (_id, c) => {
    const r = await checkInput(targetByName(c.target), c.files);
    // Time is judged by npm run fuzz (no timed unit tests): a slow input counts as handled here.
    expect(r.outcome, `found as ${c.found}; now: ${r.message}`).not.toBe('escape');
    expect(r.outcome, `found as ${c.found}; now: ${r.message}`).not.toBe('over-allocation');
  });
});
