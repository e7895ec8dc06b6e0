/**
 * bench/studio-ab: the pure arithmetic of the comparison (no I/O):
 *   stepIntervals(arrivals, warmup, timed)  seconds between the arrivals of consecutive steps,
 *                                           after `warmup` steps (the first compiles the shaders)
 *   median(xs), spread(xs)                  the middle value; min / max
 *   perStepCount(totals)                    GPU dispatches (or submits) per step from running
 *                                           totals read at each step's arrival
 *   compareRounds(rounds)                   per-round old/new ratios of the median step time and
 *                                           the overall ratio (pooled intervals, and the geometric
 *                                           mean of the per-round ratios)
 *   formatTable(headers, rows)              a right-aligned text table
 */

/** A step event as the page received it: the optimizer step number and performance.now() (ms). */
export interface StepArrival {
  step: number;
  t: number;
}

/**
 * Intervals (s) between the arrivals of steps warmup → warmup+1, …, warmup+timed-1 → warmup+timed,
 * counting steps in the order they arrived (step numbers must rise by 1: a gap means an event was
 * lost or the run resumed, and the figure would be wrong).
 */
export function stepIntervals(arrivals: readonly StepArrival[], warmup: number, timed: number): number[] {
  if (!Number.isInteger(warmup) || warmup < 1) throw new Error(`stepIntervals: warmup must be a whole number ≥ 1 (the first step compiles shaders), got ${warmup}`);
  if (!Number.isInteger(timed) || timed < 1) throw new Error(`stepIntervals: timed must be a whole number ≥ 1, got ${timed}`);
  const need = warmup + timed;
  if (arrivals.length < need) throw new Error(`stepIntervals: expected at least ${need} step arrivals (${warmup} warm-up + ${timed} timed), got ${arrivals.length}`);
  for (let i = 1; i < need; i++) {
    if (arrivals[i].step !== arrivals[i - 1].step + 1) {
      throw new Error(`stepIntervals: step numbers must rise by 1, got step ${arrivals[i - 1].step} then ${arrivals[i].step} (arrival ${i})`);
    }
  }
  const out: number[] = [];
  for (let i = warmup; i < need; i++) out.push((arrivals[i].t - arrivals[i - 1].t) / 1000);
  return out;
}

export function median(xs: readonly number[]): number {
  if (xs.length === 0) throw new Error('median of no values');
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function spread(xs: readonly number[]): { min: number; max: number } {
  if (xs.length === 0) throw new Error('spread of no values');
  return { min: Math.min(...xs), max: Math.max(...xs) };
}

/**
 * Per-step count from running totals taken when each step's event was posted: the median of the
 * differences between consecutive steps. A pipelined build has already submitted step k+1 when
 * step k is reported, except where it stops enqueueing (an epoch's end), so one difference may be
 * 0 or doubled; the median ignores that edge.
 */
export function perStepCount(totals: ReadonlyArray<number | undefined>): number | null {
  if (totals.length < 2 || totals.some((t) => t === undefined)) return null;
  const t = totals as readonly number[];
  return median(t.slice(1).map((x, i) => x - t[i]));
}

/** One round: the timed step intervals (s) of the old build's run and of the new build's run. */
export interface RoundIntervals {
  old: readonly number[];
  new: readonly number[];
}

export interface Comparison {
  rounds: Array<{ oldMedian: number; newMedian: number; ratio: number }>;
  /** median(all old intervals) / median(all new intervals). */
  pooledRatio: number;
  /** Geometric mean of the per-round ratios. */
  geomeanRatio: number;
  /** Smallest and largest per-round ratio. */
  ratioRange: { min: number; max: number };
}

/** Ratio > 1: the old build's step takes longer (the new build is that many times faster). */
export function compareRounds(rounds: readonly RoundIntervals[]): Comparison {
  if (rounds.length === 0) throw new Error('compareRounds: no rounds');
  const per = rounds.map((r, i) => {
    if (!r.old.length || !r.new.length) throw new Error(`compareRounds: round ${i + 1} has no timed steps for the ${r.old.length ? 'new' : 'old'} build`);
    const oldMedian = median(r.old);
    const newMedian = median(r.new);
    return { oldMedian, newMedian, ratio: oldMedian / newMedian };
  });
  const pooledRatio = median(rounds.flatMap((r) => r.old)) / median(rounds.flatMap((r) => r.new));
  const geomeanRatio = Math.exp(per.reduce((a, r) => a + Math.log(r.ratio), 0) / per.length);
  return { rounds: per, pooledRatio, geomeanRatio, ratioRange: spread(per.map((r) => r.ratio)) };
}

export function formatTable(headers: readonly string[], rows: ReadonlyArray<readonly (string | number)[]>): string {
  const cells = [headers, ...rows].map((r) => r.map(String));
  for (const [i, r] of cells.entries()) {
    if (r.length !== headers.length) throw new Error(`formatTable: row ${i} has ${r.length} cells, expected ${headers.length}`);
  }
  const w = headers.map((_, i) => Math.max(...cells.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => c.padStart(w[i])).join('  ');
  return [line(cells[0]), w.map((n) => '-'.repeat(n)).join('  '), ...cells.slice(1).map(line)].join('\n');
}
