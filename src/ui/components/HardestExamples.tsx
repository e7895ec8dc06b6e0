/**
 * Hardest examples: the dev examples with the highest loss first (or one confusion-matrix cell's
 * examples), with their inputs, gold and predicted labels. "Look inside" asks the model about one
 * example again with attention maps and attributions (shown in the Try-the-model panel).
 */
import { useMemo } from 'react';
import { PredictionTable } from './PredictionTable';
import { hardestExamples, type CellFilter } from '../results/hardest';
import type { PredictionRow } from '../results/predictionRows';

export interface HardestExamplesProps {
  rows: PredictionRow[];
  cell: CellFilter | null;
  onClearCell: () => void;
  /** Look inside one example (classification rows with their texts). */
  onInspect?: (row: PredictionRow) => void;
}

const PAGE = 10;

export function HardestExamples({ rows, cell, onClearCell, onInspect }: HardestExamplesProps) {
  const list = useMemo(() => hardestExamples(rows, cell), [rows, cell]);
  const hasLoss = list.some((r) => r.loss !== undefined);
  return (
    <section className="stack" aria-labelledby="hardest-title" data-testid="hardest-examples">
      <h3 id="hardest-title">{cell ? `Examples with gold “${cell.gold}”, predicted “${cell.predicted}”` : 'Hardest examples'}</h3>
      <div className="row small">
        <span className="muted" data-testid="hardest-count">
          {list.length.toLocaleString('en-US')} example{list.length === 1 ? '' : 's'}
          {hasLoss ? ', highest loss first' : ' (this evaluation kept no per-example loss: wrong predictions first)'}
        </span>
        {cell && (
          <button type="button" className="link" onClick={onClearCell}>
            Show all examples
          </button>
        )}
      </div>
      <PredictionTable rows={list} testId="hardest-table" rowTestId="hardest-row" showInput showGold showLoss={hasLoss} onInspect={onInspect} firstPage={PAGE} morePage={PAGE * 5} />
    </section>
  );
}
