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

export interface ErrorListProps {
  errors: ShownError[];
  onDismiss: (id: number) => void;
  onDismissAll?: () => void;
}

export function ErrorList({ errors, onDismiss, onDismissAll }: ErrorListProps) {
  return (
    <section className="errors" aria-label="Errors" data-testid="error-list">
      <div role="alert" aria-live="assertive" className="stack">
        {errors.map((e) => (
          <div key={e.id} className="error-item" data-testid="error-item" data-code={e.code ?? ''}>
            <div>
              <div className="msg">{e.message}</div>
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
            <button type="button" className="link" aria-label={`Dismiss error: ${e.message}`} onClick={() => onDismiss(e.id)}>
              ✕
            </button>
          </div>
        ))}
      </div>
      {errors.length > 1 && onDismissAll && (
        <button type="button" onClick={onDismissAll} style={{ alignSelf: 'flex-end' }}>
          Dismiss all
        </button>
      )}
    </section>
  );
}
