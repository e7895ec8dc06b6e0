/**
 * The first examples as the model sees them: WordPiece tokens with [CLS]/[SEP], segment A and B
 * coloured, the SQuAD answer span outlined, and which doc-stride window of its question each is.
 */
import type { PreviewExample } from '../../protocol/events';

const SPECIAL = new Set(['[CLS]', '[SEP]', '[PAD]', '[UNK]', '[MASK]']);

export function tokenClass(ex: PreviewExample, i: number): string {
  const tok = ex.tokens[i];
  const classes = ['tok', SPECIAL.has(tok) ? 'special' : ex.segmentIds[i] === 1 ? 'seg-b' : 'seg-a'];
  if (ex.answer && i >= ex.answer.start && i <= ex.answer.end) classes.push('answer');
  return classes.join(' ');
}

export function DataPreview({ examples, maxExamples = 4 }: { examples: PreviewExample[]; maxExamples?: number }) {
  if (examples.length === 0) {
    return <p className="muted small">The first examples appear here, tokenized as the model will see them, once a vocabulary and a dataset are loaded.</p>;
  }
  const squad = examples.some((e) => e.question !== undefined);
  return (
    <div data-testid="data-preview">
      <div className="legend-keys" aria-hidden="true">
        <span>
          <span className="tok special">[CLS]</span> special
        </span>
        <span>
          <span className="tok seg-a">segment A</span> {squad ? 'question' : 'first text'}
        </span>
        <span>
          <span className="tok seg-b">segment B</span> {squad ? 'context window' : 'second text'}
        </span>
        {squad && (
          <span>
            <span className="tok answer">answer</span> answer span
          </span>
        )}
      </div>
      {examples.slice(0, maxExamples).map((ex, k) => (
        <article key={`${ex.guid}-${ex.window?.index ?? 0}-${k}`} className="example" aria-label={`Example ${ex.guid}`}>
          <div className="meta">
            <span>
              <strong>{ex.guid}</strong>
            </span>
            <span>{ex.tokens.length} tokens</span>
            {ex.label !== undefined && <span>label: {ex.label}</span>}
            {ex.window && (
              <span>
                window {ex.window.index + 1} of {ex.window.count}
              </span>
            )}
            {ex.question !== undefined && (
              <span>
                answer:{' '}
                {ex.answer ? `“${ex.answer.text}” (tokens ${ex.answer.start}–${ex.answer.end})` : 'not in this window / no answer'}
              </span>
            )}
          </div>
          <div className="tokens" role="list" aria-label="WordPiece tokens">
            {ex.tokens.map((t, i) => (
              <span key={i} role="listitem" className={tokenClass(ex, i)} title={`position ${i}, segment ${ex.segmentIds[i] === 1 ? 'B' : 'A'}`}>
                {t}
              </span>
            ))}
          </div>
        </article>
      ))}
    </div>
  );
}
