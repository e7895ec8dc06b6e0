/**
 * Reference-GPU estimate of the OLD build's training step (issue 8's "today's build", commit
 * 9951189: stock tfjs kernels only) against the current build's, from recorded WebGPU steps:
 *
 *   node bench/browser-train/old-build/run.mjs --tree <old checkout> --preset base --batch 8 --noop --out old-base.json
 *   node bench/browser-train/old-build/run.mjs --tree .              --preset base --batch 8 --noop --out cur-base.json
 *   npx tsx bench/browser-train/old-build-estimate.ts old-base.json cur-base.json [old-tiny.json cur-tiny.json ...]
 *   npx tsx bench/browser-train/old-build-estimate.ts --check computed.json noop.json   # same step, call by call and profile entry by entry
 *
 * Per record: dispatches and submits of one step (counted at the WebGPU API, warm-up excluded),
 * tf.profile's kernel count, and the roofline of roofline.ts (the one bench.ts's --profile
 * prints): GFLOP, MB moved, Σ max(F/peak, B/bandwidth), + dispatches × 25–70 µs -> ms/step,
 * seq/s; also without tf.customGrad's wrapper entries, and over only the calls that dispatched
 * GPU work (step-record.ts stepEstimate). Then, for each preset / batch / seq
 * recorded for both builds, old ÷ current of the step estimate. Exit 1 when a record is
 * inconsistent (step-record.ts checkRecord) or --check finds a difference.
 */
import { readFileSync } from 'node:fs';
import { REFERENCE_GPU } from './reference-gpu';
import { checkRecord, compareCalls, dispatchesByKernel, rooflineByKernel, stepEstimate, type StepRecord } from './step-record';
import type { RooflineEstimate } from './roofline';

function readRecord(file: string): StepRecord {
  const r = JSON.parse(readFileSync(file, 'utf8')) as StepRecord;
  for (const k of ['build', 'preset', 'batch', 'seq', 'dispatches', 'calls', 'profile'] as const) {
    if (r[k] === undefined) throw new Error(`${file}: no '${k}' (expected a record written by bench/browser-train/old-build/run.mjs)`);
  }
  return r;
}

const fmt = (e: RooflineEstimate) =>
  `${(e.flops / 1e9).toFixed(2)} GFLOP, ${(e.bytes / 1e6).toFixed(1)} MB -> roofline ${e.computeMs.toFixed(2)} ms; + dispatches -> ` +
  `${e.stepMs[0].toFixed(1)}-${e.stepMs[1].toFixed(1)} ms/step, ${e.seqPerS[1].toFixed(1)}-${e.seqPerS[0].toFixed(1)} seq/s`;

function main(args: string[]): number {
  if (args[0] === '--check') {
    if (args.length !== 3) throw new Error('old-build-estimate.ts --check: give two records of the same step (e.g. computed.json noop.json)');
    const [a, b] = [readRecord(args[1]), readRecord(args[2])];
    const diff = compareCalls(a, b);
    console.log(`${args[1]}: ${a.dispatches} dispatches, ${a.submits} submits, ${a.calls.length} calls${a.noop ? ' (noop)' : ''}`);
    console.log(`${args[2]}: ${b.dispatches} dispatches, ${b.submits} submits, ${b.calls.length} calls${b.noop ? ' (noop)' : ''}`);
    console.log(diff ? `differ at #${diff.index}: ${diff.a} vs ${diff.b}` : 'same kernel calls (input / output shapes, depth, dispatches per call) and the same tf.profile list');
    return diff ? 1 : 0;
  }
  if (args.length === 0) throw new Error('old-build-estimate.ts: give one or more records (JSON from bench/browser-train/old-build/run.mjs)');
  console.log(`reference GPU: ${REFERENCE_GPU.name}, ${REFERENCE_GPU.flops / 1e12} TFLOP/s, ${REFERENCE_GPU.bytesPerS / 1e9} GB/s, ${REFERENCE_GPU.dispatchUs.join('-')} us per dispatch`);
  let problems = 0;
  const rows = args.map((file) => {
    const r = readRecord(file);
    for (const p of checkRecord(r, file)) {
      console.log(`  problem: ${p}`);
      problems++;
    }
    const e = stepEstimate(r);
    console.log(`\n${r.build} build, ${r.preset} batch ${r.batch} seq ${r.seq}${r.noop ? ' (dispatches counted, not run)' : ''}: ${r.dispatches} dispatches (warm-up step ${r.warmupDispatches}), ${r.submits} submits, ${r.profile.length} tfjs kernels (${file})`);
    console.log(`  as bench.ts --profile:     ${fmt(e.asProfiled)}`);
    console.log(`  without customGrad entries: ${fmt(e.withoutWrappers)}`);
    console.log(`  dispatching calls only:     ${fmt(e.dispatching)}`);
    console.log(`  dispatches by kernel (calls/dispatches): ${dispatchesByKernel(r).filter(([, , d]) => d > 0).map(([n, c, d]) => `${n} ${c}/${d}`).join(', ')}`);
    console.log(`  roofline by kernel (calls, ms): ${rooflineByKernel(r.profile).slice(0, 12).map(([n, c, ms]) => `${n} ${c}× ${ms.toFixed(2)}`).join(', ')}`);
    return { r, e };
  });
  const key = (r: StepRecord) => `${r.preset} batch ${r.batch} seq ${r.seq}`;
  for (const old of rows.filter((x) => x.r.build === 'old')) {
    const cur = rows.find((x) => x.r.build === 'current' && key(x.r) === key(old.r));
    if (!cur) continue;
    console.log(`\nold / current, ${key(old.r)}: dispatches ${old.r.dispatches} / ${cur.r.dispatches} = ${(old.r.dispatches / cur.r.dispatches).toFixed(2)}×`);
    for (const v of ['asProfiled', 'withoutWrappers', 'dispatching'] as const) {
      const [o, c] = [old.e[v], cur.e[v]];
      console.log(`  ${v.padEnd(15)}: roofline ${(o.computeMs / c.computeMs).toFixed(2)}×; step at 25 us/dispatch ${(o.stepMs[0] / c.stepMs[0]).toFixed(2)}×, at 70 us ${(o.stepMs[1] / c.stepMs[1]).toFixed(2)}×`);
    }
  }
  return problems ? 1 : 0;
}

process.exitCode = main(process.argv.slice(2));
