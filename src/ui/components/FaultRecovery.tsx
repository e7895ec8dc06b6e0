/**
 * What the page offers after a fault, beside the run controls:
 *  - the current run failed (GPU lost, worker crashed, another failure) with a checkpoint kept:
 *    what happened and a "Resume from step N" button;
 *  - runs another tab is training (it holds their Web Lock): listed read-only, Resume disabled
 *    with the reason "running in another tab".
 */
import type { RunRecord } from '../../core/io';
import type { RunStatus } from '../../protocol/events';

export interface FaultRecoveryProps {
  status: RunStatus;
  runId: string | null;
  runs: RunRecord[];
  /** Runs training in another tab. */
  lockedRunIds: string[];
  /** The latest fatal error of the current run, if any (what to say happened). */
  failure: { message: string; code?: string; lastCheckpointStep: number | null } | null;
  workerReady: boolean;
  onResume: (runId: string) => void;
}

const FAULT_TITLE: Record<string, string> = {
  'device-lost': 'The GPU was lost',
  'worker-crash': 'The training worker crashed',
  'worker-crash-loop': 'The training worker keeps crashing',
};

export function FaultRecovery({ status, runId, runs, lockedRunIds, failure, workerReady, onResume }: FaultRecoveryProps) {
  const record = runId ? runs.find((r) => r.id === runId) : undefined;
  const checkpoint = record?.lastCheckpointStep ?? failure?.lastCheckpointStep ?? null;
  const failedHere = status === 'failed' && runId !== null && failure !== null && !lockedRunIds.includes(runId);
  const elsewhere = lockedRunIds.flatMap((id) => {
    const r = runs.find((x) => x.id === id);
    return r ? [r] : [];
  });
  const canResume = checkpoint !== null || record?.isDemo === true;
  // An ordinary failure with nothing to resume is said by the error list alone.
  const showCurrent = failedHere && (canResume || (failure?.code ?? '') in FAULT_TITLE);
  if (!showCurrent && elsewhere.length === 0) return null;
  return (
    <div className="stack" data-testid="fault-recovery">
      {showCurrent && (
        <div className="error-item" data-testid="fault-current" data-code={failure.code ?? ''} role="status">
          <div>
            <div className="msg">
              <strong>{FAULT_TITLE[failure.code ?? ''] ?? 'The run stopped'}.</strong>{' '}
              {canResume
                ? checkpoint !== null
                  ? `Its checkpoint at step ${checkpoint} is kept.`
                  : 'Resume starts it again from its generated data.'
                : 'No checkpoint had been saved yet: start it again.'}
            </div>
            {canResume && failure.code !== 'worker-crash-loop' && (
              <button type="button" className="primary" onClick={() => onResume(runId)} disabled={!workerReady} aria-label={checkpoint !== null ? `Resume from step ${checkpoint}` : 'Resume'}>
                {checkpoint !== null ? `Resume from step ${checkpoint}` : 'Resume'}
              </button>
            )}
            {!workerReady && <span className="small muted"> starting a new worker…</span>}
          </div>
        </div>
      )}
      {elsewhere.map((r) => (
        <div key={r.id} className="small" data-testid="run-read-only" data-run-id={r.id}>
          <strong>{r.name}</strong> is running in another tab; here it is read-only (step {r.lastStep}/{r.totalSteps}
          {r.lastCheckpointStep !== null ? `, checkpoint at step ${r.lastCheckpointStep}` : ''}).{' '}
          <button type="button" disabled aria-label={`Resume run ${r.name}: running in another tab`} title="running in another tab">
            Resume
          </button>{' '}
          <span className="muted" data-testid="read-only-reason">running in another tab</span>
        </div>
      ))}
    </div>
  );
}
