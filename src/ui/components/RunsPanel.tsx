/**
 * Runs kept in this browser (IndexedDB, their files in OPFS): open one (its charts, metrics and
 * settings; a finished run's model for the demos), rename, delete (frees its files), resume an
 * interrupted run from its last checkpoint without a new drop when its files are kept, and pick
 * two to compare any metric on one chart. Shows this origin's storage use.
 */
import { useId, useState } from 'react';
import type { KeptFilesState, RunRecord } from '../../core/io';
import { formatMetric } from '../format/numbers';
import { formatBytes } from '../format/numbers';

export interface RunsPanelProps {
  runs: RunRecord[];
  activeRunId: string | null;
  busy: boolean;
  compareIds: string[];
  onCompareChange: (ids: string[]) => void;
  onRename: (id: string, name: string) => void;
  onDelete: (id: string) => void;
  onResume: (id: string) => void;
  /** Reopens a stored run (charts, metrics, settings; a finished run's model for the demos). */
  onOpen?: (id: string) => void;
  /** The run shown on the page (reopened or current). */
  shownRunId?: string | null;
  /** This origin's storage (navigator.storage.estimate / persisted). */
  storageUse?: { usage: number; quota: number; persisted: boolean } | null;
  /** What the browser's storage holds of each run's kept files (absent: as the record says). */
  keptStates?: Record<string, KeptFilesState>;
}

const STATUS_TONE: Record<RunRecord['status'], string> = {
  running: 'ok', paused: 'warn', finished: 'ok', stopped: '', failed: 'bad', interrupted: 'warn',
};

export function canResume(run: RunRecord): boolean {
  return run.status !== 'finished' && run.status !== 'running' && (run.lastCheckpointStep !== null || run.isDemo);
}

export function RunsPanel({ runs, activeRunId, busy, compareIds, onCompareChange, onRename, onDelete, onResume, onOpen, shownRunId, storageUse, keptStates }: RunsPanelProps) {
  if (runs.length === 0) return <p className="muted small">Runs you start are kept in this browser and listed here, so they survive a reload.</p>;
  return (
    <>
    {storageUse && (
      <p className="small muted" data-testid="storage-use">
        This site uses {formatBytes(storageUse.usage)} of {formatBytes(storageUse.quota)} in this browser
        {storageUse.persisted ? ' (persistent: the browser will not evict it)' : ' (not persistent: the browser may evict it when space runs low)'}.
      </p>
    )}
    <ul className="runs" data-testid="runs-list">
      {runs.map((r) => (
        <RunItem
          key={r.id}
          run={r}
          active={r.id === activeRunId}
          busy={busy}
          compared={compareIds.includes(r.id)}
          onCompare={(on) => onCompareChange(on ? [...compareIds.filter((x) => x !== r.id), r.id].slice(-2) : compareIds.filter((x) => x !== r.id))}
          onRename={(name) => onRename(r.id, name)}
          onDelete={() => onDelete(r.id)}
          onResume={() => onResume(r.id)}
          onOpen={onOpen && r.id !== activeRunId ? () => onOpen(r.id) : undefined}
          shown={r.id === shownRunId}
          keptState={keptStates?.[r.id]}
        />
      ))}
    </ul>
    </>
  );
}

interface RunItemProps {
  run: RunRecord;
  active: boolean;
  busy: boolean;
  compared: boolean;
  onCompare: (on: boolean) => void;
  onRename: (name: string) => void;
  onDelete: () => void;
  onResume: () => void;
  onOpen?: () => void;
  shown?: boolean;
  keptState?: KeptFilesState;
}

/** The card's line about the run's files: what the browser's storage holds, not only what the record lists. */
function filesLine(kept: readonly string[], state: KeptFilesState | undefined): string {
  if (kept.length === 0) return 'Files not kept: drop them again to resume.';
  if (state === 'unfinished') return 'The copy of its files in this browser is incomplete (cut short before it was finished): drop them again to resume.';
  if (state === 'missing') return "Its kept files are gone from this browser's storage (the site's data was cleared or evicted): drop them again to resume.";
  return `Files kept in this browser: ${kept.join(', ')}`;
}

function RunItem({ run, active, busy, compared, onCompare, onRename, onDelete, onResume, onOpen, shown, keptState }: RunItemProps) {
  const [editing, setEditing] = useState(false);
  const [name, setName] = useState(run.name);
  const [confirming, setConfirming] = useState(false);
  const nameId = useId();
  const cmpId = useId();
  const headline = run.finalMetrics ?? run.evals[run.evals.length - 1]?.metrics ?? null;
  const headlineKey = headline ? Object.keys(headline).find((k) => /^(accuracy|f1|exact_match|mcc|pearson)$/.test(k)) ?? Object.keys(headline)[0] : undefined;
  const kept = run.keptFiles ?? [];
  const filesReadable = kept.length > 0 && keptState !== 'missing' && keptState !== 'unfinished';
  return (
    <li data-testid="run-item" data-run-id={run.id} data-status={run.status} data-shown={shown || undefined}>
      <div className="run-title">
        {editing ? (
          <form
            className="row grow"
            onSubmit={(e) => {
              e.preventDefault();
              const trimmed = name.trim();
              if (trimmed) onRename(trimmed);
              setEditing(false);
            }}
          >
            <label htmlFor={nameId} className="visually-hidden">
              Run name
            </label>
            <input id={nameId} type="text" className="grow" value={name} onChange={(e) => setName(e.target.value)} autoFocus />
            <button type="submit">Save</button>
            <button type="button" onClick={() => { setName(run.name); setEditing(false); }}>
              Cancel
            </button>
          </form>
        ) : (
          <span className="name">{run.name}</span>
        )}
        <span className={`badge ${STATUS_TONE[run.status]}`}>{active ? 'current' : run.status}</span>
      </div>
      <div className="small muted">
        {run.task}
        {run.isDemo ? ' (demo)' : ''} · step {run.lastStep}/{run.totalSteps} · loss {formatMetric(run.lastLoss)}
        {headline && headlineKey ? ` · ${headlineKey} ${formatMetric(headline[headlineKey])}` : ''} · {new Date(run.updated).toLocaleString()}
        <span data-testid="run-checkpoint">{run.lastCheckpointStep !== null ? ` · checkpoint at step ${run.lastCheckpointStep}` : ' · no checkpoint yet'}</span>
      </div>
      {!run.isDemo && (
        <div className="small muted" data-testid="run-files" data-kept={filesReadable ? 'kept' : (keptState ?? 'none')}>
          {filesLine(kept, keptState)}
        </div>
      )}
      {run.error && <div className="small" style={{ color: 'var(--bad)' }}>{run.error}</div>}
      <div className="row small">
        <input id={cmpId} type="checkbox" checked={compared} onChange={(e) => onCompare(e.target.checked)} />
        <label htmlFor={cmpId}>Compare</label>
        {onOpen && (
          <button type="button" onClick={onOpen} disabled={busy} title={busy ? 'A run is in progress' : undefined} aria-label={`Open run ${run.name}`}>
            Open
          </button>
        )}
        {canResume(run) && (
          <button type="button" onClick={onResume} disabled={busy} aria-label={`Resume run ${run.name}`}>
            Resume
          </button>
        )}
        {!editing && (
          <button type="button" onClick={() => setEditing(true)} aria-label={`Rename run ${run.name}`}>
            Rename
          </button>
        )}
        {confirming ? (
          <>
            <button type="button" className="danger" onClick={onDelete} aria-label={`Confirm deleting run ${run.name}`}>
              Delete for good
            </button>
            <button type="button" onClick={() => setConfirming(false)}>
              Keep
            </button>
          </>
        ) : (
          <button type="button" className="danger" onClick={() => setConfirming(true)} disabled={active && busy} aria-label={`Delete run ${run.name}`}>
            Delete
          </button>
        )}
      </div>
      {(run.status === 'interrupted' || run.status === 'failed') && canResume(run) && (
        <div className="small">
          This run was interrupted.{' '}
          {run.isDemo ? 'Resume regenerates its data.' : filesReadable ? 'Resume continues from its last checkpoint with its kept files.' : 'Drop the same files again, then resume it from its last checkpoint.'}
        </div>
      )}
    </li>
  );
}
