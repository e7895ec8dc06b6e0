/**
 * A scrolling table of dev predictions (id, input, gold, predicted, and optionally the loss and a
 * "Look inside" button), shown a page at a time. The predictions table and the hardest examples
 * both draw their rows with it; each decides which rows, in which order.
 */
import { useState } from 'react';
import type { PredictionRow } from '../results/predictionRows';

export interface PredictionTableProps {
  rows: readonly PredictionRow[];
  testId: string;
  /** data-testid of each row (tests count and read rows by it). */
  rowTestId?: string;
  showInput: boolean;
  showGold: boolean;
  showLoss?: boolean;
  /** Look inside one example again (rows that carry their texts get a button). */
  onInspect?: (row: PredictionRow) => void;
  /** Rows shown at first, and how many more each "Show more" adds. */
  firstPage: number;
  morePage: number;
}

export function PredictionTable({ rows, testId, rowTestId, showInput, showGold, showLoss = false, onInspect, firstPage, morePage }: PredictionTableProps) {
  const [limit, setLimit] = useState(firstPage);
  return (
    <>
      <div className="table-wrap" style={{ maxHeight: '24rem', overflowY: 'auto' }}>
        <table data-testid={testId}>
          <thead>
            <tr>
              <th scope="col">Id</th>
              {showInput && <th scope="col">Input</th>}
              {showGold && <th scope="col">Gold</th>}
              <th scope="col">Predicted</th>
              {showLoss && <th scope="col" className="num">Loss</th>}
              {onInspect && <th scope="col"><span className="visually-hidden">Look inside</span></th>}
            </tr>
          </thead>
          <tbody>
            {rows.slice(0, limit).map((r) => (
              <tr key={r.id} data-testid={rowTestId} data-gold={r.gold} data-predicted={r.predicted}>
                <td className="mono">{r.id}</td>
                {showInput && <td>{r.input}</td>}
                {showGold && <td>{r.gold}</td>}
                <td style={showGold && r.gold !== undefined ? { color: r.gold === r.predicted ? 'var(--ok)' : 'var(--bad)' } : undefined}>{r.predicted || <em>no answer</em>}</td>
                {showLoss && <td className="num">{r.loss?.toFixed(3) ?? '–'}</td>}
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
      {rows.length > limit && (
        <button type="button" onClick={() => setLimit((l) => l + morePage)}>
          Show {Math.min(morePage, rows.length - limit)} more
        </button>
      )}
    </>
  );
}
