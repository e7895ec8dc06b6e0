/**
 * Fill-the-mask demo (masked-LM runs): a sentence with one or more [MASK]s; the model's top 5
 * tokens for each, with their probabilities, through the session's predict command (core's
 * fillMask). The sentence is shown again with each mask filled by its best guess.
 */
import { useId, useState } from 'react';
import type { ErrorInfo, PredictResult } from '../../protocol/events';
import { ProbabilityBars } from './ClassifyDemo';

export const MASK = '[MASK]';

export interface FillMaskDemoProps {
  onFill: (text: string) => void;
  result: Extract<PredictResult, { kind: 'fill-mask' }> | null;
  pending: boolean;
  error: ErrorInfo | null;
  enabled: boolean;
  disabledReason?: string;
}

/** WordPieces back to text: "##" pieces join the previous token; [CLS]/[SEP] dropped. */
export function joinPieces(tokens: readonly string[]): string {
  let out = '';
  for (const t of tokens) {
    if (t === '[CLS]' || t === '[SEP]') continue;
    if (t.startsWith('##')) out += t.slice(2);
    else out += (out === '' || /^[.,;:!?)\]]$/.test(t) ? '' : ' ') + t;
  }
  return out;
}

export function FillMaskDemo({ onFill, result, pending, error, enabled, disabledReason }: FillMaskDemoProps) {
  const id = useId();
  const [text, setText] = useState(`The patient was ${MASK} home after two days.`);
  const hasMask = text.includes(MASK);
  const canRun = enabled && !pending && hasMask;
  const filled = result
    ? joinPieces(result.tokens.map((t, i) => {
        const m = result.masks.find((x) => x.position === i);
        return m ? `⟨${m.candidates[0]?.token ?? '?'}⟩` : t;
      }))
    : null;
  return (
    <form
      className="stack"
      data-testid="fill-mask-demo"
      onSubmit={(e) => {
        e.preventDefault();
        if (canRun) onFill(text);
      }}
    >
      <label htmlFor={id}>A sentence with {MASK} where a word is missing</label>
      <textarea id={id} rows={2} value={text} onChange={(e) => setText(e.target.value)} />
      <div className="row">
        <button type="submit" className="primary" disabled={!canRun}>
          {pending ? 'Filling…' : 'Fill the mask'}
        </button>
        <button type="button" className="link small" onClick={() => setText((t) => `${t}${t.endsWith(' ') || t === '' ? '' : ' '}${MASK}`)}>
          Add {MASK}
        </button>
        {!enabled && disabledReason && <span className="small muted">{disabledReason}</span>}
        {enabled && !hasMask && <span className="small muted">Put {MASK} where the model should guess a word.</span>}
      </div>
      {error && (
        <p className="small" style={{ color: 'var(--bad)' }} role="alert">
          {error.message}
        </p>
      )}
      {result && (
        <div data-testid="fill-mask-result" className="stack">
          <p>
            <strong>Best guess:</strong> <span data-testid="fill-mask-filled">{filled}</span>
          </p>
          {result.masks.map((m, i) => (
            <div key={m.position} data-testid="fill-mask-candidates">
              <div className="small muted">
                {MASK} {i + 1} of {result.masks.length}: top {m.candidates.length}
              </div>
              <ProbabilityBars labels={m.candidates.map((c) => c.token)} probabilities={m.candidates.map((c) => c.score)} />
            </div>
          ))}
        </div>
      )}
    </form>
  );
}
