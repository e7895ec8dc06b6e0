/**
 * Ask the fine-tuned model: a Context box, a Question box and an "Answer" button. The answer is
 * marked in the context (<mark data-testid="answer-mark">) with its probability and the n-best list.
 */
import { useEffect, useId, useState } from 'react';
import type { DemoQuestion, PredictResult, QaAnswer } from '../../protocol/events';
import type { ErrorInfo } from '../../protocol/events';
import { formatPercent } from '../format/numbers';
import { HighlightedText } from './HighlightedText';
import { LookInside } from './LookInside';

export interface QaDemoProps {
  onAsk: (context: string, question: string) => void;
  /** The latest prediction for a QA input (null before the first). */
  result: Extract<PredictResult, { kind: 'qa' }> | null;
  /** The context the result belongs to (highlight offsets refer to it). */
  resultContext: string | null;
  pending: boolean;
  error: ErrorInfo | null;
  /** False while no model is loaded or trained. */
  enabled: boolean;
  disabledReason?: string;
  /** Held-out generated questions (after the demo) to fill the boxes with. */
  suggestions?: DemoQuestion[];
}

export function QaDemo({ onAsk, result, resultContext, pending, error, enabled, disabledReason, suggestions = [] }: QaDemoProps) {
  const ctxId = useId();
  const qId = useId();
  const [context, setContext] = useState('');
  const [question, setQuestion] = useState('');

  // Offer the first held-out question once the demo provides some (unless the user typed).
  useEffect(() => {
    if (suggestions.length > 0 && context === '' && question === '') {
      setContext(suggestions[0].context);
      setQuestion(suggestions[0].question);
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [suggestions]);

  const canAsk = enabled && !pending && context.trim() !== '' && question.trim() !== '';
  const best = result?.best ?? null;

  return (
    <form
      className="stack"
      data-testid="qa-demo"
      onSubmit={(e) => {
        e.preventDefault();
        if (!canAsk) return;
        onAsk(context, question);
      }}
    >
      {suggestions.length > 0 && (
        <div className="row small">
          <span className="muted">Held-out questions:</span>
          {suggestions.slice(0, 4).map((s, i) => (
            <button
              key={s.qasId}
              type="button"
              className="link"
              onClick={() => {
                setContext(s.context);
                setQuestion(s.question);
              }}
              aria-label={`Use held-out question ${i + 1}: ${s.question}`}
            >
              {s.question}
            </button>
          ))}
        </div>
      )}
      <label htmlFor={ctxId}>Context</label>
      <textarea id={ctxId} rows={6} value={context} onChange={(e) => setContext(e.target.value)} placeholder="Paste a paragraph. Long ones are read in doc-stride windows, like evaluation." />
      <label htmlFor={qId}>Question</label>
      <div className="row">
        <input id={qId} type="text" className="grow" value={question} onChange={(e) => setQuestion(e.target.value)} placeholder="Ask something the paragraph answers" />
        <button type="submit" className="primary" disabled={!canAsk}>
          {pending ? 'Answering…' : 'Answer'}
        </button>
      </div>
      {!enabled && disabledReason && <p className="small muted">{disabledReason}</p>}
      {error && (
        <p className="small" style={{ color: 'var(--bad)' }} role="alert">
          {error.message}
        </p>
      )}
      {result && (
        <div className="stack" data-testid="qa-result" aria-live="polite">
          {best ? (
            <p>
              Answer: <strong data-testid="qa-answer">{best.text}</strong> <span className="muted small">({formatPercent(best.probability)} · {result.windows} window{result.windows === 1 ? '' : 's'})</span>
            </p>
          ) : (
            <p data-testid="qa-answer">The model finds no answer in this context.</p>
          )}
          {best && resultContext !== null && <HighlightedText text={resultContext} ranges={[{ start: best.start, end: best.end, kind: 'answer' }]} />}
          {result.nbest.length > 1 && <NBestTable nbest={result.nbest} />}
          {result.inside && <LookInside inside={result.inside} />}
        </div>
      )}
    </form>
  );
}

function NBestTable({ nbest }: { nbest: QaAnswer[] }) {
  return (
    <details>
      <summary>n-best list ({nbest.length})</summary>
      <div className="table-wrap">
        <table data-testid="nbest-table">
          <thead>
            <tr>
              <th>#</th>
              <th>Answer</th>
              <th className="num">Probability</th>
              <th className="num">Start logit</th>
              <th className="num">End logit</th>
            </tr>
          </thead>
          <tbody>
            {nbest.map((a, i) => (
              <tr key={i}>
                <td>{i + 1}</td>
                <td>{a.text || <em>no answer</em>}</td>
                <td className="num">{formatPercent(a.probability)}</td>
                <td className="num">{a.startLogit.toFixed(2)}</td>
                <td className="num">{a.endLogit.toFixed(2)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </details>
  );
}
