/** Start / Pause / Resume / Stop (and Evaluate now), enabled by the run's state. */
import type { RunStatus } from '../../protocol/events';

export interface RunControlsProps {
  status: RunStatus;
  ready: boolean;
  notReadyReason?: string;
  onStart: () => void;
  onPause: () => void;
  onResume: () => void;
  onStop: () => void;
  onEvaluate: () => void;
}

export const STATUS_TEXT: Record<RunStatus, string> = {
  idle: 'Ready',
  preparing: 'Preparing data and model…',
  training: 'Training',
  paused: 'Paused',
  evaluating: 'Evaluating…',
  stopping: 'Stopping…',
  finished: 'Finished',
  stopped: 'Stopped',
  failed: 'Failed',
};

export function isActive(status: RunStatus): boolean {
  return status === 'preparing' || status === 'training' || status === 'paused' || status === 'evaluating' || status === 'stopping';
}

export function RunControls({ status, ready, notReadyReason, onStart, onPause, onResume, onStop, onEvaluate }: RunControlsProps) {
  const active = isActive(status);
  return (
    <div className="stack">
      <div className="controls" role="group" aria-label="Training controls">
        <button type="button" className="primary" onClick={onStart} disabled={active || !ready}>
          Start
        </button>
        <button type="button" onClick={onPause} disabled={status !== 'training'}>
          Pause
        </button>
        <button type="button" onClick={onResume} disabled={status !== 'paused'}>
          Resume
        </button>
        <button type="button" className="danger" onClick={onStop} disabled={!active || status === 'stopping'}>
          Stop
        </button>
        <button type="button" onClick={onEvaluate} disabled={status !== 'training' && status !== 'paused'}>
          Evaluate now
        </button>
      </div>
      <p className="small" role="status" data-testid="run-status" data-status={status}>
        <strong>{status === 'idle' ? (ready ? 'Ready to start' : 'Waiting for files') : STATUS_TEXT[status]}</strong>
        {!ready && !active && notReadyReason ? <span className="muted"> · {notReadyReason}</span> : null}
      </p>
    </div>
  );
}
