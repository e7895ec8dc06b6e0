/**
 * The confusion matrix (rows gold, columns predicted) with per-class precision, recall and F1
 * beside it. Every cell is a button: pressing it lists that cell's examples (hardest first) below;
 * pressing it again shows all examples.
 */
import { confusionMatrix, perClassMetrics } from '../../core/eval';
import { formatMetric } from '../format/numbers';
import type { CellFilter } from '../results/hardest';
import type { PredictionRow } from '../results/predictionRows';

export interface ConfusionMatrixProps {
  labels: string[];
  rows: PredictionRow[];
  selected: CellFilter | null;
  onSelect: (cell: CellFilter | null) => void;
}

export function ConfusionMatrix({ labels, rows, selected, onSelect }: ConfusionMatrixProps) {
  const withGold = rows.filter((r): r is PredictionRow & { gold: string } => r.gold !== undefined);
  const m = confusionMatrix(
    withGold.map((r) => r.predicted),
    withGold.map((r) => r.gold),
    labels,
  );
  const perClass = perClassMetrics(m);
  return (
    <div className="row" style={{ alignItems: 'flex-start', gap: '2rem', flexWrap: 'wrap' }}>
      <div className="table-wrap">
        <h3 id="confusion-title">Confusion matrix</h3>
        <p className="small muted">Rows: gold label; columns: predicted label. {m.labels.length > 0 ? `${withGold.length} dev examples.` : ''} Press a cell to list its examples.</p>
        <table className="confusion" data-testid="confusion-matrix" style={{ width: 'auto' }} aria-labelledby="confusion-title">
          <thead>
            <tr>
              <th />
              {m.labels.map((l) => (
                <th key={l} scope="col">
                  {l}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {m.labels.map((gold, g) => (
              <tr key={gold}>
                <th scope="row">{gold}</th>
                {m.counts[g].map((c, p) => {
                  const on = selected?.gold === gold && selected.predicted === m.labels[p];
                  return (
                    <td key={p} className={g === p ? 'diag' : ''}>
                      <button
                        type="button"
                        className="link"
                        data-testid="confusion-cell"
                        data-gold={gold}
                        data-predicted={m.labels[p]}
                        aria-pressed={on}
                        aria-label={`${c} examples with gold ${gold} predicted ${m.labels[p]}`}
                        style={on ? { fontWeight: 700, outline: '2px solid var(--accent)', outlineOffset: 2 } : undefined}
                        onClick={() => onSelect(on ? null : { gold, predicted: m.labels[p] })}
                      >
                        {c}
                      </button>
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div className="table-wrap">
        <h3 id="per-class-title">Per class</h3>
        <table data-testid="per-class-metrics" style={{ width: 'auto' }} aria-labelledby="per-class-title">
          <thead>
            <tr>
              <th scope="col">Label</th>
              <th scope="col" className="num">Precision</th>
              <th scope="col" className="num">Recall</th>
              <th scope="col" className="num">F1</th>
              <th scope="col" className="num">Gold examples</th>
            </tr>
          </thead>
          <tbody>
            {perClass.map((c) => (
              <tr key={c.label}>
                <th scope="row">{c.label}</th>
                <td className="num">{formatMetric(c.precision)}</td>
                <td className="num">{formatMetric(c.recall)}</td>
                <td className="num">{formatMetric(c.f1)}</td>
                <td className="num">{c.support}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
