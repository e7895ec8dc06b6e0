#!/usr/bin/env -S npx tsx
/**
 * bench/studio-ab: a training step in the real studio (the app page + its Web Worker), old build
 * against this build, measured alternately on the same machine (issue 8: "at least 2× faster than
 * today on the same machine, measured alternately against today's build").
 *
 *   npx tsx bench/studio-ab/run.ts [--old /work/wt/old | --old <git ref>] [--rounds 3]
 *                                  [--warmup 2] [--timed 4] [--batch 8] [--seq 128]
 *                                  [--first old|new] [--timeout-min 60] [--json]
 *   npx tsx bench/studio-ab/run.ts --from /tmp/tabtune-studio-ab-<pid>/results.json [--warmup 2 --timed 4]
 *                                  (the tables again from a finished run's raw results)
 *   BENCH_PORT=5411: the old build is served on BENCH_PORT, this build on BENCH_PORT + 1
 *
 * Both trees are built with their own `vite build` into /tmp and served by their own
 * `vite preview` (builds.ts). Each round runs the old studio, then the new one (or the reverse
 * with --first new), each in a fresh Chromium, dropping the same random-initialised BERT-Tiny
 * folder and MRPC rows (fixtures.ts) and setting the same form values (drive.ts). The page-side
 * probe (probe.ts) timestamps each step event's arrival; the first `warmup` steps are excluded
 * (the first compiles the shaders) and the next `timed` intervals are the step times (summary.ts).
 * Prints a table per round, the per-round and overall old/new ratios of the median step time,
 * the load average at each run and the browser / adapter. Exit 0 on success.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildAndServe, currentTree, oldTree, type Served, type Tree } from './builds';
import { measureRun, type RunResult, type RunSettingsWanted } from './drive';
import { writeBertTiny, writeMrpcLong } from './fixtures';
import { compareRounds, formatTable, median, perStepCount, spread, stepIntervals } from './summary';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * ../shared beside the repository: beside this tree, else beside the main checkout this worktree
 * belongs to (git's common directory), else TABTUNE_SHARED.
 */
function sharedDir(): string {
  const common = resolve(ROOT, execFileSync('git', ['rev-parse', '--git-common-dir'], { cwd: ROOT, encoding: 'utf8' }).trim());
  const candidates = [process.env.TABTUNE_SHARED, resolve(ROOT, '../shared'), resolve(dirname(common), '../shared')].filter((p): p is string => !!p);
  const found = candidates.find((p) => existsSync(join(p, 'datasets')));
  if (!found) throw new Error(`studio-ab: no ground truth (../shared with datasets/) at ${candidates.join(' or ')}`);
  return found;
}

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] && !process.argv[i + 1].startsWith('--') ? process.argv[i + 1] : fallback;
}
function intFlag(name: string, fallback: number, min: number): number {
  const v = Number(flag(name, String(fallback)));
  if (!Number.isInteger(v) || v < min) throw new Error(`studio-ab: --${name} must be a whole number ≥ ${min}, got ${flag(name, '')}`);
  return v;
}

const log = (line: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);

interface Measured {
  round: number;
  tree: Pick<Tree, 'label' | 'commit'>;
  result: RunResult;
  intervals: number[];
}

/** The worker's own figure for the same steps: batch ÷ examplesPerSec (its clock, one step per window). */
function workerStepS(m: Measured, warmup: number, timed: number): number {
  const batch = Number(runFacts(m.result).batch);
  return median(m.result.record.steps.slice(warmup, warmup + timed).map((s) => batch / s.examplesPerSec));
}

/** GPU dispatches / queue submits per step from the worker probe's running totals over the warm-up and timed steps ('n/a' without them). */
function perStep(m: Measured, key: 'dispatches' | 'submits', warmup: number, timed: number): string {
  const n = perStepCount(m.result.record.steps.slice(0, warmup + timed).map((s) => s[key]));
  return n === null ? 'n/a' : n.toFixed(0);
}

/** Median 1-minute load average at the timed steps' arrivals ('n/a' for results saved before it was recorded). */
function loadDuring(m: Measured, warmup: number, timed: number): string {
  const xs = m.result.loadAtSteps?.slice(warmup, warmup + timed) ?? [];
  return xs.length ? median(xs).toFixed(1) : 'n/a';
}

/** `--from results.json`: the tables again from a finished run's raw results. */
function loadResults(file: string): Measured[] {
  const raw = JSON.parse(readFileSync(file, 'utf8')) as Array<RunResult & { round: number; build: 'old' | 'new'; commit: string; intervals: number[] }>;
  return raw.map((r) => ({ round: r.round, tree: { label: r.build, commit: r.commit }, result: r, intervals: r.intervals }));
}

/**
 * The run's totals as the worker announced them; both builds must agree. Setting names differ
 * between builds (old RunSettings: batchSize, epochs; new Settings: trainBatchSize, numTrainEpochs).
 */
function runFacts(r: RunResult): Record<string, unknown> {
  const run = r.record.runStarted[0]?.run as { settings?: Record<string, unknown>; stepsPerEpoch?: number; numTrainFeatures?: number; numTrainExamples?: number; task?: string } | undefined;
  if (!run) throw new Error(`studio-ab: ${r.label}: no runStarted event was seen`);
  const s = run.settings ?? {};
  return {
    task: run.task,
    trainExamples: run.numTrainExamples,
    trainFeatures: run.numTrainFeatures,
    stepsPerEpoch: run.stepsPerEpoch,
    batch: s.batchSize ?? s.trainBatchSize,
    seq: s.maxSeqLength,
    epochs: s.epochs ?? s.numTrainEpochs,
    maxTrainExamples: s.maxTrainExamples,
    seed: s.seed,
    learningRate: s.learningRate,
    optimizer: s.optimizer,
    gradientAccumulationSteps: s.gradientAccumulationSteps,
    backend: r.record.backend.at(-1)?.name,
  };
}

function checkRun(m: Measured, warmup: number, timed: number): void {
  const facts = runFacts(m.result);
  if (facts.backend !== 'webgpu') throw new Error(`studio-ab: ${m.tree.label} round ${m.round}: backend ${String(facts.backend)}, expected webgpu`);
  // Every sequence is > 64 WordPieces (fixtures.ts), so every batch pads to 128: the mean real
  // tokens per example of each timed step must be above 64.
  for (const s of m.result.record.steps.slice(warmup, warmup + timed)) {
    const perExample = s.tokensPerSec / s.examplesPerSec;
    if (!(perExample > 64)) throw new Error(`studio-ab: ${m.tree.label} round ${m.round} step ${s.step}: ${perExample.toFixed(1)} tokens per example, expected > 64 (batches would not pad to 128)`);
  }
}

async function main(): Promise<void> {
  const rounds = intFlag('rounds', 3, 1);
  const warmup = intFlag('warmup', 2, 1);
  const timed = intFlag('timed', 4, 1);
  const batch = intFlag('batch', 8, 1);
  const seq = intFlag('seq', 128, 8);
  const timeoutMs = intFlag('timeout-min', 60, 1) * 60_000;
  const from = flag('from', '');
  if (from) {
    const measured = loadResults(from);
    for (const round of [...new Set(measured.map((m) => m.round))]) printRound(measured.filter((m) => m.round === round), warmup, timed);
    printSummary(measured, warmup, timed);
    return;
  }
  const first = flag('first', 'old');
  if (first !== 'old' && first !== 'new') throw new Error(`studio-ab: --first must be old or new, got ${first}`);
  const basePort = Number(process.env.BENCH_PORT ?? 5196);
  const workDir = join('/tmp', `tabtune-studio-ab-${process.pid}`);
  mkdirSync(workDir, { recursive: true });

  // One epoch of warmup + timed + 1 steps: the epoch-end evaluation comes after the last timed step.
  const stepsPerEpoch = warmup + timed + 1;
  const settings: RunSettingsWanted = { maxSeqLength: seq, batchSize: batch, epochs: 1, maxTrainExamples: batch * stepsPerEpoch, seed: 42, saveCheckpointsSteps: 1000 };
  const shared = sharedDir();
  const files = [...writeBertTiny(join(workDir, 'files'), shared), ...writeMrpcLong(join(workDir, 'files'), shared, settings.maxTrainExamples, 8)];
  log(`files in ${join(workDir, 'files')}: ${files.map((f) => f.split('/').pop()).join(', ')}`);

  const trees = { old: oldTree(flag('old', '/work/wt/old'), ROOT, workDir), new: currentTree(ROOT) };
  const served: Partial<Record<'old' | 'new', Served>> = {};
  const measured: Measured[] = [];
  try {
    served.old = await buildAndServe(trees.old, join(workDir, 'dist-old'), basePort);
    served.new = await buildAndServe(trees.new, join(workDir, 'dist-new'), basePort + 1);
    const order: Array<'old' | 'new'> = first === 'old' ? ['old', 'new'] : ['new', 'old'];
    for (let round = 1; round <= rounds; round++) {
      for (const which of order) {
        const tree = trees[which];
        log(`round ${round}/${rounds}: ${which} build (${tree.commit}) at ${served[which]!.url}`);
        const result = await measureRun({ label: `${which} r${round}`, url: served[which]!.url, files, settings, warmup, timed, timeoutMs, log });
        const m: Measured = { round, tree, result, intervals: stepIntervals(result.record.steps, warmup, timed) };
        checkRun(m, warmup, timed);
        measured.push(m);
        writeFileSync(join(workDir, 'results.json'), JSON.stringify(measured.map((x) => ({ round: x.round, build: x.tree.label, commit: x.tree.commit, intervals: x.intervals, ...x.result })), null, 2));
      }
      printRound(measured.filter((m) => m.round === round), warmup, timed);
    }
  } finally {
    served.old?.stop();
    served.new?.stop();
    trees.old.dispose();
  }
  printSummary(measured, warmup, timed);
  log(`raw results: ${join(workDir, 'results.json')}`);
  if (process.argv.includes('--json')) console.log(JSON.stringify(measured.map((m) => ({ round: m.round, build: m.tree.label, commit: m.tree.commit, intervals: m.intervals, load: m.result.loadBefore }))));
}

function printRound(runs: Measured[], warmup: number, timed: number): void {
  console.log(`\n=== round ${runs[0].round} (steps ${warmup + 1}..${warmup + timed} timed: intervals between step arrivals in the page) ===`);
  console.log(
    formatTable(
      ['build', 'commit', 'load 1/5/15 min at start', 'load at timed steps', 'first step s', 'timed step intervals s', 'median s', 'min-max s', 'worker s/step', 'dispatches/step', 'submits/step', 'steps/epoch', 'batch', 'seq', 'backend'],
      runs.map((m) => {
        const f = runFacts(m.result);
        const sp = spread(m.intervals);
        return [m.tree.label, m.tree.commit, m.result.loadBefore.join(' '), loadDuring(m, warmup, timed), m.result.firstStepS.toFixed(1), m.intervals.map((x) => x.toFixed(2)).join(' '), median(m.intervals).toFixed(2), `${sp.min.toFixed(2)}-${sp.max.toFixed(2)}`, workerStepS(m, warmup, timed).toFixed(2), perStep(m, 'dispatches', warmup, timed), perStep(m, 'submits', warmup, timed), String(f.stepsPerEpoch), String(f.batch), String(f.seq), String(f.backend)];
      }),
    ),
  );
}

function printSummary(measured: Measured[], warmup: number, timed: number): void {
  const byRound = new Map<number, { old?: number[]; new?: number[] }>();
  for (const m of measured) byRound.set(m.round, { ...byRound.get(m.round), [m.tree.label]: m.intervals });
  const complete = [...byRound.entries()].filter(([, r]) => r.old && r.new);
  if (!complete.length) throw new Error('studio-ab: no complete round (both builds measured)');
  const facts = measured.map((m) => JSON.stringify(runFacts(m.result)));
  const same = facts.every((f) => f === facts[0]);
  const cmp = compareRounds(complete.map(([, r]) => ({ old: r.old!, new: r.new! })));
  const r0 = measured[0].result;
  console.log(`\n=== old/new ratio of the median step time (> 1: the new studio's step is that many times faster) ===`);
  console.log(`browser: Chromium ${r0.browserVersion}; WebGPU adapter: ${r0.adapterInfo}; machine: ${cpus().length} cores`);
  console.log(`run facts (from runStarted / backend events) ${same ? 'identical in every run' : 'DIFFER between runs'}: ${facts[0]}`);
  if (!same) for (const [i, f] of facts.entries()) console.log(`  run ${i + 1} (${measured[i].tree.label} r${measured[i].round}): ${f}`);
  console.log(`form: old ${JSON.stringify(measured.find((m) => m.tree.label === 'old')?.result.form)}; new ${JSON.stringify(measured.find((m) => m.tree.label === 'new')?.result.form)}`);
  console.log(
    formatTable(
      ['round', 'old median s', 'new median s', 'old/new', 'load at old start / timed steps', 'load at new start / timed steps'],
      complete.map(([round], i) => {
        const c = cmp.rounds[i];
        const at = (label: string) => {
          const m = measured.find((x) => x.round === round && x.tree.label === label)!;
          return `${m.result.loadBefore[0].toFixed(1)} / ${loadDuring(m, warmup, timed)}`;
        };
        return [round, c.oldMedian.toFixed(2), c.newMedian.toFixed(2), c.ratio.toFixed(2), at('old'), at('new')];
      }),
    ),
  );
  console.log(`overall: median of all old intervals / median of all new intervals = ${cmp.pooledRatio.toFixed(2)}; geometric mean of the per-round ratios = ${cmp.geomeanRatio.toFixed(2)} (per-round range ${cmp.ratioRange.min.toFixed(2)}-${cmp.ratioRange.max.toFixed(2)}); ${warmup} warm-up steps excluded, ${timed} timed per run`);
  if (!same) throw new Error('studio-ab: the runs did not train the same thing (see run facts above)');
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  },
);
