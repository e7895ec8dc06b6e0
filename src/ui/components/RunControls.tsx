/**
 * Start / Pause / Resume / Stop (and Evaluate now), enabled by the run's state. Every disabled
 * button says why (ReasonButton: a tooltip and a text for screen readers). After Stop, focus
 * returns to Start (or to the status line when Start cannot be used), so a keyboard user is not
 * left on a button that just became disabled.
 */
import { useEffect, useRef } from 'react';
import type { RunStatus } from '../../protocol/events';
import { ReasonButton } from './ReasonButton';

export interface RunControlsProps {
  status: RunStatus;
  ready: boolean;
  notReadyReason?: string;
  onStart: () => void;
  onPause: () => void;
  onResume: () => void;
  onStop: () => void;
  onEvaluate: () => void;
  /** A model exists to evaluate after the run (stopped or finished) — default false. */
  hasModel?: boolean;
  /** The run has a dev set (or evaluates on its training file) — default true. */
  hasDev?: boolean;
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

/** Why each control is disabled in this state (null: enabled). */
export function controlReasons(p: Pick<RunControlsProps, 'status' | 'ready' | 'notReadyReason' | 'hasModel' | 'hasDev'>): Record<'start' | 'pause' | 'resume' | 'stop' | 'evaluate', string | null> {
  const { status } = p;
  const active = isActive(status);
  return {
    start: active ? 'A run is in progress: stop it first' : p.ready ? null : `Cannot start yet: ${p.notReadyReason ?? 'drop a model, a vocabulary and a dataset'}`,
    pause: status === 'training' ? null : status === 'paused' ? 'Already paused' : status === 'preparing' ? 'Training has not begun yet (preparing data and model)' : active ? `The run is ${STATUS_TEXT[status].toLowerCase().replace('…', '')}` : 'No run is training',
    resume: status === 'paused' ? null : 'Only a paused run resumes',
    stop: status === 'stopping' ? 'Already stopping (at the end of the current step)' : active ? null : 'No run is in progress',
    evaluate:
      p.hasDev === false
        ? 'This run has no dev set to evaluate on'
        : status === 'training'
          ? 'Pause (or stop) the run to evaluate now; while training it evaluates on its schedule'
          : status === 'paused' || ((status === 'stopped' || status === 'finished') && p.hasModel)
            ? null
            : status === 'evaluating'
              ? 'Evaluating now'
              : status === 'preparing' || status === 'stopping'
                ? 'Wait for the run to train (or stop)'
                : 'Train a model first',
  };
}

export function RunControls(props: RunControlsProps) {
  const { status, ready, notReadyReason, onStart, onPause, onResume, onStop, onEvaluate } = props;
  const active = isActive(status);
  const reasons = controlReasons(props);
  const group = useRef<HTMLDivElement>(null);
  const statusLine = useRef<HTMLParagraphElement>(null);
  const stopPressed = useRef(false);
  useEffect(() => {
    if (!stopPressed.current || active) return;
    stopPressed.current = false;
    const start = group.current?.querySelector<HTMLButtonElement>('button[data-control="start"]');
    if (start && !start.disabled) start.focus();
    else statusLine.current?.focus();
  }, [active]);
  return (
    <div className="stack">
      <div className="controls" role="group" aria-label="Training controls" ref={group}>
        <ReasonButton className="primary" onClick={onStart} disabledReason={reasons.start} data-control="start">
          Start
        </ReasonButton>
        <ReasonButton onClick={onPause} disabledReason={reasons.pause}>
          Pause
        </ReasonButton>
        <ReasonButton onClick={onResume} disabledReason={reasons.resume}>
          Resume
        </ReasonButton>
        <ReasonButton
          className="danger"
          onClick={() => {
            stopPressed.current = true;
            onStop();
          }}
          disabledReason={reasons.stop}
        >
          Stop
        </ReasonButton>
        <ReasonButton onClick={onEvaluate} disabledReason={reasons.evaluate}>
          Evaluate now
        </ReasonButton>
      </div>
      <p className="small" role="status" data-testid="run-status" data-status={status} tabIndex={-1} ref={statusLine}>
        <strong>{status === 'idle' ? (ready ? 'Ready to start' : 'Waiting for files') : STATUS_TEXT[status]}</strong>
        {!ready && !active && notReadyReason ? <span className="muted"> · {notReadyReason}</span> : null}
      </p>
    </div>
  );
}
