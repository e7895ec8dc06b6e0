/**
 * Before Start: which dropped files a run would keep in this browser (OPFS) so it resumes after a
 * reload without a new drop, their total size, and the per-run opt-out.
 */
import { useId } from 'react';
import type { FileReport } from '../../protocol/events';
import { formatBytes } from '../format/numbers';

/** The files a run trains on: accepted model, vocabulary and training/dev files (not ignored ones, not test files). */
export function filesToKeep(files: readonly FileReport[]): FileReport[] {
  return files.filter((f) => f.accepted && f.use !== null && f.use !== 'ignored' && f.use !== 'test-data');
}

export interface KeepFilesOptionProps {
  files: readonly FileReport[];
  keep: boolean;
  onChange: (keep: boolean) => void;
  /** False where the browser has no Origin Private File System. */
  available: boolean;
  disabled?: boolean;
}

export function KeepFilesOption({ files, keep, onChange, available, disabled }: KeepFilesOptionProps) {
  const id = useId();
  const kept = filesToKeep(files);
  if (kept.length === 0) return null;
  const total = kept.reduce((n, f) => n + f.size, 0);
  if (!available) return <p className="small muted">This browser cannot keep the files: after a reload, drop them again to resume a run.</p>;
  return (
    <div className="small" data-testid="keep-files">
      <input id={id} type="checkbox" checked={keep} disabled={disabled} onChange={(e) => onChange(e.target.checked)} />{' '}
      <label htmlFor={id}>
        Keep this run's {kept.length} files ({formatBytes(total)}) in this browser, so it resumes after a reload without dropping them again
      </label>
      <details>
        <summary>Files kept</summary>
        <ul data-testid="keep-files-list">
          {kept.map((f) => (
            <li key={f.path}>
              {f.path} ({formatBytes(f.size)})
            </li>
          ))}
        </ul>
      </details>
    </div>
  );
}
