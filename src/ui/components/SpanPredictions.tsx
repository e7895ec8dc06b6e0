/** Live span predictions: a few dev questions with the current predicted answer marked. */
import type { SpanPrediction } from '../../protocol/events';
import { formatPercent } from '../format/numbers';
import { HighlightedText, type HighlightKind } from './HighlightedText';
import type { CharRange } from '../text/highlight';

export function spanRanges(p: SpanPrediction): CharRange<HighlightKind>[] {
  const ranges: CharRange<HighlightKind>[] = [];
  if (p.predicted) ranges.push({ start: p.predicted.start, end: p.predicted.end, kind: 'answer' });
  for (const g of p.gold) ranges.push({ start: g.start, end: g.end, kind: 'gold' });
  return ranges;
}

export function SpanPredictions({ data }: { data: { step: number; items: SpanPrediction[] } | null }) {
  if (!data) return <p className="muted small">At each evaluation of a SQuAD run, a few dev questions appear here with the model’s current answer.</p>;
  return (
    <div data-testid="span-predictions" className="stack">
      <p className="small muted">
        At step {data.step}. <mark>Predicted answer</mark> <mark className="gold">gold answer</mark>
      </p>
      {data.items.map((p) => (
        <article key={p.qasId} className="example" data-testid="span-prediction">
          <div className="meta">
            <strong>{p.question}</strong>
            <span className={p.exact ? 'badge ok' : 'badge'}>{p.exact ? 'exact match' : `F1 ${formatPercent(p.f1)}`}</span>
          </div>
          <p className="small">
            Predicted: {p.predicted ? <strong>“{p.predicted.text}”</strong> : <em>no answer</em>}
            {p.gold.length > 0 && <> · gold: {[...new Set(p.gold.map((g) => `“${g.text}”`))].join(', ')}</>}
          </p>
          <HighlightedText text={p.context} ranges={spanRanges(p)} markTestId="span-mark" />
        </article>
      ))}
    </div>
  );
}
