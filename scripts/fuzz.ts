/**
 * npm run fuzz [-- --runs N] [--seed S] [--target NAME]: N inputs (default 10,000) per reader
 * through the seeded mutation fuzzer (src/testing/fuzz), printing per reader the inputs, how
 * many parsed or were refused with a TabtuneError, and the escapes, hangs and over-allocations.
 * Each failing input is saved as a regression folder (src/testing/fuzz/regressions/). Exits 1
 * when any reader broke the contract.
 */
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { fuzzTarget, minimize, type FuzzFailure } from '../src/testing/fuzz/harness';
import { saveRegression } from '../src/testing/fuzz/regressions';
import { FUZZ_TARGETS } from '../src/testing/fuzz/targets';

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '10000' }, seed: { type: 'string', default: '1' }, target: { type: 'string' } },
});
const runs = Number(values.runs);
const seed = Number(values.seed);
const targets = values.target ? FUZZ_TARGETS.filter((t) => t.name === values.target) : FUZZ_TARGETS;

const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');
console.log(`fuzz: ${runs} inputs per reader, seed ${seed}, node ${process.version}, ${cpus().length} cores, load average ${load()}`);
console.log('Times are CPU time of this process (a hang: over 1 s per MB, at least 250 ms, three times); stalls: wall time over that, CPU time not.');
console.log('reader            inputs  parsed  refused  unlocated  escapes  hangs  over-alloc  stalls  worst cpu ms/MB  worst wall ms/MB   seconds');
let bad = 0;
for (const t of targets) {
  const t0 = performance.now();
  const failures: FuzzFailure[] = [];
  const c = await fuzzTarget(t, { runs, seed, onFailure: (f) => failures.push(f) });
  for (const f of failures) {
    // A hang is saved as found (shrinking by timing is slow and noisy); escapes are shrunk.
    const small = f.kind === 'hang' ? f : await minimize(t, f);
    const dir = saveRegression(t.name, seed, small);
    console.log(`  ${f.kind} at input ${f.index}: ${f.message.slice(0, 300)}\n    saved ${dir} (${small.files[0].bytes.length} of ${f.files[0].bytes.length} bytes)`);
  }
  bad += c.escapes + c.hangs + c.overAllocations;
  console.log(
    `${t.name.padEnd(16)} ${String(c.inputs).padStart(7)} ${String(c.parsed).padStart(7)} ${String(c.rejected).padStart(8)} ${String(c.unlocated).padStart(10)} ${String(c.escapes).padStart(8)} ${String(c.hangs).padStart(6)} ${String(c.overAllocations).padStart(11)} ${String(c.stalls).padStart(7)} ${c.worstMsPerMb.toFixed(0).padStart(16)} ${c.worstWallMsPerMb.toFixed(0).padStart(17)} ${((performance.now() - t0) / 1000).toFixed(1).padStart(9)}`,
  );
}
console.log(`load average at the end: ${load()}`);
process.exit(bad > 0 ? 1 : 0);
