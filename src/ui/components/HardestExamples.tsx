/**
 * Hardest examples: the dev examples with the highest loss first (or one confusion-matrix cell's
 * examples), with their inputs, gold and predicted labels. "Look inside" asks the model about one
 * example again with attention maps and attributions (shown in the Try-the-model panel).
 */
import { useMemo, useState } from 'react';
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
  const [limit, setLimit] = useState(PAGE);
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
      <div className="table-wrap" style={{ maxHeight: '24rem', overflowY: 'auto' }}>
        <table data-testid="hardest-table">
          <thead>
            <tr>
              <th scope="col">Id</th>
              <th scope="col">Input</th>
              <th scope="col">Gold</th>
              <th scope="col">Predicted</th>
              {hasLoss && <th scope="col" className="num">Loss</th>}
              {onInspect && <th scope="col"><span className="visually-hidden">Look inside</span></th>}
            </tr>
          </thead>
          <tbody>
            {list.slice(0, limit).map((r) => (
              <tr key={r.id} data-testid="hardest-row" data-gold={r.gold} data-predicted={r.predicted}>
                <td className="mono">{r.id}</td>
                <td>{r.input}</td>
                <td>{r.gold}</td>
                <td style={{ color: r.gold === r.predicted ? 'var(--ok)' : 'var(--bad)' }}>{r.predicted}</td>
                {hasLoss && <td className="num">{r.loss?.toFixed(3) ?? '–'}</td>}
                {onInspect && (
                  <td>
                    {r.textA !== undefined && (
                      <button type="button" className="link" onClick={() => onInspect(r)} aria-label={`Look inside example ${r.id}`}>
                        Look inside
                      </button>
                    )}
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {list.length > limit && (
        <button type="button" onClick={() => setLimit((l) => l + PAGE * 5)}>
          Show {Math.min(PAGE * 5, list.length - limit)} more
        </button>
      )}
    </section>
  );
}
