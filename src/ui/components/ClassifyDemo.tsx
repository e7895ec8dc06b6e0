/** Classification demo: Text A / Text B and "Classify", showing each label's probability as a bar. */
import { useId, useState } from 'react';
import type { ErrorInfo, PredictResult } from '../../protocol/events';
import { formatMetric, formatPercent } from '../format/numbers';
import { LookInside } from './LookInside';

export interface ClassifyDemoProps {
  onClassify: (textA: string, textB: string | undefined) => void;
  result: Extract<PredictResult, { kind: 'classification' } | { kind: 'regression' }> | null;
  pending: boolean;
  error: ErrorInfo | null;
  enabled: boolean;
  disabledReason?: string;
  /** Pair tasks (MRPC, RTE...) show Text B. */
  pair: boolean;
}

export function ClassifyDemo({ onClassify, result, pending, error, enabled, disabledReason, pair }: ClassifyDemoProps) {
  const aId = useId();
  const bId = useId();
  const [textA, setTextA] = useState('');
  const [textB, setTextB] = useState('');
  const canRun = enabled && !pending && textA.trim() !== '';
  return (
    <form
      className="stack"
      data-testid="classify-demo"
      onSubmit={(e) => {
        e.preventDefault();
        if (canRun) onClassify(textA, pair && textB.trim() !== '' ? textB : undefined);
      }}
    >
      <label htmlFor={aId}>Text A</label>
      <textarea id={aId} rows={3} value={textA} onChange={(e) => setTextA(e.target.value)} />
      {pair && (
        <>
          <label htmlFor={bId}>Text B</label>
          <textarea id={bId} rows={3} value={textB} onChange={(e) => setTextB(e.target.value)} />
        </>
      )}
      <div className="row">
        <button type="submit" className="primary" disabled={!canRun}>
          {pending ? 'Classifying…' : 'Classify'}
        </button>
        {!enabled && disabledReason && <span className="small muted">{disabledReason}</span>}
      </div>
      {error && (
        <p className="small" style={{ color: 'var(--bad)' }} role="alert">
          {error.message}
        </p>
      )}
      {result?.kind === 'classification' && <ProbabilityBars labels={result.labels} probabilities={result.probabilities} />}
      {result?.kind === 'regression' && (
        <p data-testid="regression-value">
          Predicted score: <strong>{formatMetric(result.value)}</strong>
        </p>
      )}
      {result?.inside && <LookInside inside={result.inside} />}
    </form>
  );
}

export function ProbabilityBars({ labels, probabilities }: { labels: string[]; probabilities: number[] }) {
  const top = probabilities.reduce((best, p, i) => (p > probabilities[best] ? i : best), 0);
  return (
    <ul className="probs" data-testid="class-probabilities" aria-label="Label probabilities">
      {labels.map((label, i) => (
        <li key={label} className={i === top ? 'top' : ''}>
          <span>{label}</span>
          <span className="bar" role="meter" aria-label={`${label} probability`} aria-valuemin={0} aria-valuemax={1} aria-valuenow={probabilities[i]}>
            <span style={{ width: `${Math.max(0, Math.min(1, probabilities[i])) * 100}%` }} />
          </span>
          <span className="num small">{formatPercent(probabilities[i])}</span>
        </li>
      ))}
    </ul>
  );
}
