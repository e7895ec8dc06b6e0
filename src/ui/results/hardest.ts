/**
 * Hardest examples: the labelled dev predictions with the highest loss first, optionally only one
 * confusion-matrix cell (gold, predicted). Rows without a loss (older exports) follow, wrong ones
 * first.
 */
import type { PredictionRow } from './predictionRows';

export interface CellFilter {
  gold: string;
  predicted: string;
}

export function hardestExamples(rows: readonly PredictionRow[], cell: CellFilter | null = null): PredictionRow[] {
  const picked = rows.filter((r) => r.gold !== undefined && (!cell || (r.gold === cell.gold && r.predicted === cell.predicted)));
  const key = (r: PredictionRow) => (r.loss !== undefined ? r.loss : r.gold !== r.predicted ? -1 : -2);
  return picked.map((r, i) => ({ r, i })).sort((a, b) => key(b.r) - key(a.r) || a.i - b.i).map((x) => x.r);
}
