/** The files the worker has seen: what each is, what it is used for, or why it was rejected. */
import type { FileReport, FileUse } from '../../protocol/events';
import { formatBytes } from '../format/numbers';

export const USE_TEXT: Record<FileUse, string> = {
  'model-config': 'model configuration',
  weights: 'pre-trained weights',
  vocabulary: 'vocabulary',
  'train-data': 'training data',
  'dev-data': 'evaluation data',
  'test-data': 'test data (predictions only)',
  ignored: 'not used',
};

export interface FileListProps {
  files: FileReport[];
  /** Paths sent to the worker but not yet recognised. */
  pending?: string[];
  onRemove?: (path: string) => void;
}

export function FileList({ files, pending = [], onRemove }: FileListProps) {
  if (files.length === 0 && pending.length === 0) {
    return (
      <p className="muted small" data-testid="file-list-empty">
        No files yet.
      </p>
    );
  }
  const known = new Set(files.map((f) => f.path));
  return (
    <ul className="file-list" data-testid="file-list" aria-label="Files">
      {files.map((f) => {
        const state = !f.accepted ? 'rejected' : f.use === 'ignored' ? 'ignored' : 'accepted';
        return (
          <li key={f.path} className={state} data-testid="file-item" data-kind={f.kind} data-accepted={f.accepted}>
            <span className="status-icon" aria-hidden="true">
              {state === 'rejected' ? '✕' : state === 'ignored' ? '–' : '✓'}
            </span>
            <span className="name">{f.path}</span>
            <span className="row" style={{ gap: '0.3rem' }}>
              <span className="muted small">{formatBytes(f.size)}</span>
              {onRemove && (
                <button type="button" className="link small" aria-label={`Remove ${f.path}`} onClick={() => onRemove(f.path)}>
                  Remove
                </button>
              )}
            </span>
            <span className="detail">
              {f.description}
              {f.accepted && f.use && <> · used as {USE_TEXT[f.use]}</>}
              {f.accepted && f.use === 'ignored' && f.reason && <> ({f.reason})</>}
              {!f.accepted && <> · rejected: {f.reason ?? f.error?.message ?? 'not a file Tabtune can use'}</>}
            </span>
          </li>
        );
      })}
      {pending
        .filter((p) => !known.has(p))
        .map((p) => (
          <li key={`pending:${p}`} className="pending" data-testid="file-item-pending">
            <span className="status-icon" aria-hidden="true">
              …
            </span>
            <span className="name">{p}</span>
            <span />
            <span className="detail">reading…</span>
          </li>
        ))}
    </ul>
  );
}
