/**
 * Exponential moving average as TensorBoard draws it: debiased, so the first points are not
 * pulled towards zero. `weight` 0 = no smoothing, 0.99 = heavy. Incremental: `push` costs O(1),
 * so a 10k-point series is smoothed as it streams in.
 */
export interface Smoother {
  push(value: number): number;
  reset(): void;
}

export function createSmoother(weight: number): Smoother {
  if (!(weight >= 0 && weight < 1)) throw new RangeError(`smoothing weight ${weight} is outside [0, 1)`);
  let last = 0;
  let n = 0;
  let lastOut = NaN;
  return {
    push(value: number): number {
      if (!Number.isFinite(value)) return lastOut; // a NaN step does not poison the curve
      last = last * weight + (1 - weight) * value;
      n += 1;
      const debias = weight === 0 ? 1 : 1 - Math.pow(weight, n);
      lastOut = last / debias;
      return lastOut;
    },
    reset() {
      last = 0;
      n = 0;
      lastOut = NaN;
    },
  };
}

/** Smooths a whole series at once (same numbers as pushing each value). */
export function smoothSeries(values: ArrayLike<number>, weight: number): number[] {
  const s = createSmoother(weight);
  const out = new Array<number>(values.length);
  for (let i = 0; i < values.length; i++) out[i] = s.push(values[i]);
  return out;
}
