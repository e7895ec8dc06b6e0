/**
 * Every error the worker or the page reports, naming file, line/item and what was expected.
 * A live region (role="alert") so screen readers announce it; each can be dismissed.
 */
import type { ErrorInfo } from '../../protocol/events';

export interface ShownError extends ErrorInfo {
  id: number;
  fatal?: boolean;
  lastCheckpointStep?: number | null;
}

/** Identical errors (same message, file, place) are shown once with a count, newest last. */
export function groupErrors(errors: readonly ShownError[]): Array<ShownError & { count: number; ids: number[] }> {
  const groups = new Map<string, ShownError & { count: number; ids: number[] }>();
  for (const e of errors) {
    const key = [e.message, e.file, e.location, e.expected].join('\u0000');
    const g = groups.get(key);
    if (g) {
      groups.delete(key);
      groups.set(key, { ...e, count: g.count + 1, ids: [...g.ids, e.id] });
    } else groups.set(key, { ...e, count: 1, ids: [e.id] });
  }
  return [...groups.values()];
}

/** At most this many error cards are shown; the rest are counted. */
const MAX_SHOWN = 4;

export interface ErrorListProps {
  errors: ShownError[];
  /** Dismisses every error with these ids (one card may stand for several identical errors). */
  onDismiss: (ids: number[]) => void;
  onDismissAll?: () => void;
}

export function ErrorList({ errors, onDismiss, onDismissAll }: ErrorListProps) {
  const groups = groupErrors(errors);
  const hidden = Math.max(0, groups.length - MAX_SHOWN);
  return (
    <section className="errors" aria-label="Errors" data-testid="error-list">
      <div role="alert" aria-live="assertive" className="stack">
        {groups.slice(hidden).map((e) => (
          <div key={e.id} className="error-item" data-testid="error-item" data-code={e.code ?? ''}>
            <div>
              <div className="msg">
                {e.message}
                {e.count > 1 && <span className="badge bad" style={{ marginLeft: '0.4rem' }}>×{e.count}</span>}
              </div>
              {(e.file || e.location || e.expected) && (
                <dl>
                  {e.file && (
                    <>
                      <dt>File</dt>
                      <dd>{e.file}</dd>
                    </>
                  )}
                  {e.location && (
                    <>
                      <dt>Where</dt>
                      <dd>{e.location}</dd>
                    </>
                  )}
                  {e.expected && (
                    <>
                      <dt>Expected</dt>
                      <dd>{e.expected}</dd>
                    </>
                  )}
                </dl>
              )}
              {e.fatal && (
                <p className="small">
                  The run stopped.{' '}
                  {e.lastCheckpointStep !== undefined && e.lastCheckpointStep !== null
                    ? `Its last checkpoint (step ${e.lastCheckpointStep}) is kept: resume it from the runs list.`
                    : 'No checkpoint had been saved yet.'}{' '}
                  Your files and settings are kept.
                </p>
              )}
            </div>
            <button type="button" className="link" aria-label={`Dismiss error: ${e.message}`} onClick={() => onDismiss(e.ids)}>
              ✕
            </button>
          </div>
        ))}
      </div>
      {(groups.length > 1 || hidden > 0) && onDismissAll && (
        <div className="row" style={{ justifyContent: 'flex-end' }}>
          {hidden > 0 && <span className="small badge">{hidden} older not shown</span>}
          <button type="button" onClick={onDismissAll}>
            Dismiss all
          </button>
        </div>
      )}
    </section>
  );
}
