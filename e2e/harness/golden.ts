/**
 * The fixtures' golden batch and comparisons, for the browser harness (no vitest, no Node):
 *   hostBatchOf(golden)           input/* tensors -> HostBatch
 *   compareTensor(name, got, want) -> TensorDiff (largest |got − want| and the reference's scale)
 */
import type { LoadedTensor } from '../../src/core/io';
import type { HostBatch } from '../../src/core/model';

export interface TensorDiff {
  /** Golden tensor name, e.g. `grad_cls/bert.pooler.dense.weight`. */
  name: string;
  count: number;
  expectedCount: number;
  /** Largest |got − want| (Infinity when a value is NaN or the counts differ). */
  maxAbsDiff: number;
  /** Index of that element. */
  worstIndex: number;
  got: number;
  want: number;
  /** Largest |want|: the scale of the gradient bound. */
  maxAbsExpected: number;
}

export function hostBatchOf(golden: Map<string, LoadedTensor>, file: string): HostBatch {
  const need = (name: string): LoadedTensor => {
    const t = golden.get(name);
    if (!t) throw new Error(`${file}: tensor ${name} is missing`);
    return t;
  };
  const ids = need('input/input_ids');
  return {
    batchSize: ids.shape[0],
    seqLength: ids.shape[1],
    inputIds: ids.data as Int32Array,
    tokenTypeIds: need('input/token_type_ids').data as Int32Array,
    attentionMask: need('input/attention_mask').data as Int32Array,
    labels: golden.get('input/labels')?.data as Int32Array | undefined,
    startPositions: golden.get('input/start_positions')?.data as Int32Array | undefined,
    endPositions: golden.get('input/end_positions')?.data as Int32Array | undefined,
  };
}

export function compareTensor(name: string, got: ArrayLike<number>, want: LoadedTensor): TensorDiff {
  let worst = 0;
  let at = -1;
  let scale = 0;
  for (let i = 0; i < want.data.length; i++) scale = Math.max(scale, Math.abs(want.data[i]));
  const n = Math.min(got.length, want.data.length);
  for (let i = 0; i < n; i++) {
    const d = Math.abs(got[i] - want.data[i]);
    if (!(d <= worst)) {
      worst = Number.isNaN(d) ? Infinity : d;
      at = i;
    }
  }
  if (got.length !== want.data.length) worst = Infinity;
  return {
    name,
    count: got.length,
    expectedCount: want.data.length,
    maxAbsDiff: worst,
    worstIndex: at,
    got: at >= 0 ? got[at] : NaN,
    want: at >= 0 ? want.data[at] : NaN,
    maxAbsExpected: scale,
  };
}
