/**
 * Axis tick labels that stay readable for learning rates (5e-5) and large counts, where uPlot's
 * default formatting would print "0" or long digit strings.
 */
export function formatTick(v: number, splits: readonly number[]): string {
  if (v === 0) return '0';
  const step = splits.length > 1 ? Math.abs(splits[1] - splits[0]) : Math.abs(v);
  const a = Math.abs(v);
  if (step < 1e-3 || a >= 1e6) return trimExp(v.toExponential(step < 1e-3 ? digitsFor(v, step) : 1));
  return v.toFixed(decimalsFor(step));
}

/** The fewest decimals that write the tick spacing exactly (0.25 -> 2, 0.2 -> 1, 500 -> 0). */
function decimalsFor(step: number): number {
  for (let d = 0; d < 6; d++) if (Math.abs(Number(step.toFixed(d)) - step) <= step * 1e-9) return d;
  return 6;
}

/** Enough mantissa digits for neighbouring ticks to differ. */
function digitsFor(v: number, step: number): number {
  const expV = Math.floor(Math.log10(Math.abs(v)));
  const expS = Math.floor(Math.log10(step));
  return Math.max(0, Math.min(4, expV - expS));
}

function trimExp(s: string): string {
  return s.replace(/\.?0+e/, 'e').replace('e+', 'e');
}

export function tickFormatter() {
  return (_u: unknown, splits: number[]) => splits.map((v) => (v === null || v === undefined ? '' : formatTick(v, splits)));
}
