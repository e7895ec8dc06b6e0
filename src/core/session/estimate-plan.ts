/**
 * How many evaluations a run makes, as the training loop schedules them (train/loop.ts): every
 * `evalEverySteps` optimizer steps (when > 0), at each epoch's end, and after the last step; a
 * step that is several of these evaluates once.
 */
export function evaluationCount(totalSteps: number, stepsPerEpoch: number, evalEverySteps: number): number {
  if (totalSteps <= 0) return 0;
  const at = new Set<number>([totalSteps]);
  for (let e = stepsPerEpoch; e <= totalSteps && stepsPerEpoch > 0; e += stepsPerEpoch) at.add(e);
  if (evalEverySteps > 0) for (let k = evalEverySteps; k <= totalSteps; k += evalEverySteps) at.add(k);
  return at.size;
}
