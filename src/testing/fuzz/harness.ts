/**
 * Runs a fuzz target and checks the readers' contract on every input:
 *  - it parses, or throws a TabtuneError whose `file` names one of the input's files;
 *    anything else (RangeError, TypeError, a tfjs error, a TabtuneError without a file) is an
 *    ESCAPE;
 *  - it takes at most 1 s of CPU time per MB of input (a floor of 250 ms absorbs garbage
 *    collection and compilation): over the limit in three runs out of three is a HANG. The time
 *    is the process's CPU time (process.cpuUsage, user + system, all its threads: the main
 *    thread, GC helpers, wasm workers), not wall time: on the shared 2-core machine (load 3-14)
 *    wall time also counts the time the OS gave other processes. In the round that found 11
 *    "hangs" of 251-453 ms, those inputs had used 4-28 ms of CPU (and 3-6 ms when re-run):
 *    the process had been waiting for a core, not working. CPU time over-counts if anything
 *    (GC and other threads of this process are in it), so it hides no work a reader does. What it
 *    cannot see is a reader that waits without working (a timer, an I/O that never comes); the
 *    readers take bytes in memory and use no timers, and an input whose wall time is over the
 *    limit while its CPU time is not is counted as a STALL and printed, not hidden;
 *  - array-buffer memory grows by at most 64 x the input size + 64 MB during the call:
 *    more is an OVER-ALLOCATION.
 * Input i is made from (seed, i) alone, so a failure can be made again; failures are also
 * written as regression folders (see regressions.ts).
 */
import { isTabtuneError } from '../../core/errors';
import { rng } from './mutate';
import type { FuzzFile, FuzzTarget } from './targets';

export type FailureKind = 'escape' | 'hang' | 'over-allocation';

export interface FuzzFailure {
  kind: FailureKind;
  index: number;
  message: string;
  files: FuzzFile[];
}

export interface FuzzCounts {
  target: string;
  inputs: number;
  parsed: number;
  /** Refused with a TabtuneError naming the file. */
  rejected: number;
  /** Of those, errors without a location (line, tensor, key...). */
  unlocated: number;
  escapes: number;
  hangs: number;
  overAllocations: number;
  /** Inputs whose wall time was over the limit while their CPU time was not (the machine was busy). */
  stalls: number;
  /** Most CPU time an input took, in ms per MB (inputs under 0.25 MB counted as 0.25 MB). */
  worstMsPerMb: number;
  /** Most wall time an input took, in ms per MB (same rule). */
  worstWallMsPerMb: number;
  failures: FuzzFailure[];
}

export function inputFor(target: FuzzTarget, seed: number, index: number): FuzzFile[] {
  return target.make(rng((seed * 0x9e3779b1) ^ (index * 0x85ebca77) ^ 0x5bd1e995));
}

export interface CheckResult {
  outcome: 'parsed' | 'rejected' | FailureKind;
  located: boolean;
  message: string;
  /** CPU time of the process during the call (user + system). */
  ms: number;
  /** Wall time of the call. */
  wallMs: number;
  mb: number;
  /** Wall time over the limit, CPU time not: the process waited for a core. */
  stalled: boolean;
}

/** The time limit for an input of `bytes` bytes: 1 s per MB, at least 250 ms. */
export function timeLimitMs(bytes: number): number {
  return 1000 * Math.max(0.25, bytes / 1e6);
}

/**
 * Judges one timed call: a hang when the CPU time is over the limit; a stall (reported, not a
 * failure) when only the wall time is.
 */
export function judgeTime(cpuMs: number, wallMs: number, bytes: number): 'ok' | 'hang' | 'stall' {
  const limit = timeLimitMs(bytes);
  if (cpuMs > limit) return 'hang';
  return wallMs > limit ? 'stall' : 'ok';
}

function cpuMsSince(start: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1000;
}

/** Runs one input and judges it against the contract. */
export async function checkInput(target: FuzzTarget, files: FuzzFile[]): Promise<CheckResult> {
  const bytes = files.reduce((a, f) => a + f.bytes.length, 0);
  const mb = Math.max(0.25, bytes / 1e6);
  const before = process.memoryUsage().arrayBuffers;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let outcome: CheckResult['outcome'] = 'parsed';
  let message = '';
  let located = true;
  try {
    await target.run(files);
  } catch (e) {
    const names = files.map((f) => f.name);
    if (isTabtuneError(e) && typeof e.file === 'string' && names.some((n) => e.file!.includes(n))) {
      outcome = 'rejected';
      located = !!e.location;
      message = e.message;
    } else {
      outcome = 'escape';
      message = e instanceof Error ? `${e.name}: ${e.message}${isTabtuneError(e) ? ` (file: ${String(e.file)})` : ''}` : String(e);
    }
  }
  const wallMs = performance.now() - t0;
  const ms = cpuMsSince(cpu0);
  const grown = process.memoryUsage().arrayBuffers - before;
  const time = judgeTime(ms, wallMs, bytes);
  if (outcome !== 'escape') {
    if (time === 'hang') {
      outcome = 'hang';
      message = `${ms.toFixed(0)} ms of CPU (${wallMs.toFixed(0)} ms wall) for ${(bytes / 1e6).toFixed(3)} MB, limit ${timeLimitMs(bytes).toFixed(0)} ms`;
    } else if (grown > 64 * bytes + 64e6) {
      outcome = 'over-allocation';
      message = `array buffers grew by ${grown} bytes for a ${bytes}-byte input`;
    }
  }
  return { outcome, located, message, ms, wallMs, mb, stalled: time === 'stall' };
}

/**
 * A slow input is timed twice more and counts as a hang only if every run is over the limit
 * (the least CPU time of the three is reported): a major garbage collection of earlier inputs'
 * garbage, or the first compilation of a code path, is CPU time of this process but not this
 * input's work, and does not recur on a re-run.
 */
async function confirmed(target: FuzzTarget, files: FuzzFile[], first: CheckResult): Promise<CheckResult> {
  if (first.outcome !== 'hang') return first;
  let best = first;
  for (let k = 0; k < 2; k++) {
    const again = await checkInput(target, files);
    if (again.outcome !== 'hang') return again;
    if (again.ms < best.ms) best = again;
  }
  return best;
}

export async function fuzzTarget(target: FuzzTarget, options: { runs: number; seed: number; onFailure?: (f: FuzzFailure) => void }): Promise<FuzzCounts> {
  const c: FuzzCounts = { target: target.name, inputs: 0, parsed: 0, rejected: 0, unlocated: 0, escapes: 0, hangs: 0, overAllocations: 0, stalls: 0, worstMsPerMb: 0, worstWallMsPerMb: 0, failures: [] };
  for (let i = 0; i < options.runs; i++) {
    const files = inputFor(target, options.seed, i);
    const r = await confirmed(target, files, await checkInput(target, files));
    c.inputs++;
    c.worstMsPerMb = Math.max(c.worstMsPerMb, r.ms / r.mb);
    c.worstWallMsPerMb = Math.max(c.worstWallMsPerMb, r.wallMs / r.mb);
    if (r.stalled && r.outcome !== 'hang') c.stalls++;
    if (r.outcome === 'parsed') c.parsed++;
    else if (r.outcome === 'rejected') {
      c.rejected++;
      if (!r.located) c.unlocated++;
    } else {
      if (r.outcome === 'escape') c.escapes++;
      else if (r.outcome === 'hang') c.hangs++;
      else c.overAllocations++;
      const failure: FuzzFailure = { kind: r.outcome, index: i, message: r.message, files };
      c.failures.push(failure);
      options.onFailure?.(failure);
    }
  }
  return c;
}

/**
 * Shrinks a failing input before it is saved: removes ranges of the first file (halving their
 * size), then zeroes ranges, while the input still fails the same way (same kind, same error
 * class), within a budget of checks. Saved regressions stay small and hold little of the seed they came from.
 */
export async function minimize(target: FuzzTarget, failure: FuzzFailure, budget = 400): Promise<FuzzFailure> {
  const errorClass = (m: string) => m.split(':')[0];
  let files = failure.files;
  let message = failure.message;
  let checks = 0;
  for (let size = files[0].bytes.length >> 1; size >= 1 && checks < budget; size >>= 1) {
    for (let off = 0; off < files[0].bytes.length && checks < budget; ) {
      const b = files[0].bytes;
      const candidate = [{ ...files[0], bytes: new Uint8Array([...b.subarray(0, off), ...b.subarray(off + size)]) }, ...files.slice(1)];
      checks++;
      const r = await checkInput(target, candidate);
      if (r.outcome === failure.kind && (failure.kind !== 'escape' || errorClass(r.message) === errorClass(failure.message))) {
        files = candidate;
        message = r.message;
      } else {
        off += size;
      }
    }
  }
  // Then zero what must stay in place (offsets from the end of a zip, say): the saved bytes keep
  // the structure that fails and none of the seed's content.
  for (let size = files[0].bytes.length >> 1; size >= 1 && checks < budget * 2; size >>= 1) {
    for (let off = 0; off < files[0].bytes.length && checks < budget * 2; off += size) {
      const b = files[0].bytes;
      const end = Math.min(b.length, off + size);
      if (b.subarray(off, end).every((x) => x === 0)) continue;
      const z = b.slice();
      z.fill(0, off, end);
      const candidate = [{ ...files[0], bytes: z }, ...files.slice(1)];
      checks++;
      const r = await checkInput(target, candidate);
      if (r.outcome === failure.kind && (failure.kind !== 'escape' || errorClass(r.message) === errorClass(failure.message))) {
        files = candidate;
        message = r.message;
      }
    }
  }
  return { ...failure, files, message };
}
