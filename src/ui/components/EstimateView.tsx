/**
 * The estimate before Start, measured: the session's calibration (a few real training steps of the
 * loaded model on this backend, at the chosen batch and sequence length) gives seconds per step,
 * the time per epoch, the whole run with its evaluations, and the measured peak memory. Once
 * training runs, the live speed replaces the calibrated one. Work per epoch (steps, FLOPs) comes
 * from the model's shape.
 */
import type { RunEstimate } from '../../protocol/events';
import type { Estimate, MeasuredTimes } from '../settings/estimate';
import { formatFlops } from '../settings/estimate';
import { formatBytes, formatDuration } from '../format/numbers';

export interface EstimateViewProps {
  /** From the model's shape and the settings (steps and compute per epoch). */
  estimate: Estimate | null;
  /** The session's calibration (status, peak memory, backend). */
  measured: RunEstimate | null;
  /** Times from the calibration, or the live speed while training. */
  times: MeasuredTimes | null;
  backend: string | null;
}

const secs = (s: number) => (s >= 10 ? `${s.toFixed(0)} s` : s >= 1 ? `${s.toFixed(1)} s` : `${(s * 1000).toFixed(0)} ms`);

export function EstimateView({ estimate, measured, times, backend }: EstimateViewProps) {
  if (!estimate) return <div className="estimate muted">The estimate appears once a model and a dataset are loaded: a few real training steps measure it.</div>;
  const approx = estimate.lowerBound ? '≥ ' : '≈ ';
  const on = measured?.backend ?? backend ?? 'this backend';
  return (
    <div className="estimate" data-testid="estimate" data-status={measured?.status ?? 'none'}>
      <div>
        <strong>Per epoch:</strong> {approx}
        {estimate.stepsPerEpoch.toLocaleString('en-US')} steps, {approx}
        {formatFlops(estimate.flopsPerEpoch)}
      </div>
      {(!measured || measured.status === 'measuring') && !times && (
        <div className="muted small" data-testid="estimate-measuring" role="status">
          Measuring the speed and memory on {on}: a few real training steps at batch {measured?.batchSize ?? '…'}, sequence length {measured?.seqLength ?? '…'} (discarded afterwards)…
        </div>
      )}
      {measured?.status === 'failed' && <div className="warn small">The estimate could not be measured: {measured.reason}</div>}
      {times && (
        <div data-testid="estimate-measured" data-seconds-per-step={times.secondsPerStep} data-source={times.source}>
          <div>
            <strong>Estimate{times.source === 'live' ? ' (at the live speed)' : ''}:</strong>{' '}
            <span data-testid="estimate-step">{secs(times.secondsPerStep)} per step</span> · <span data-testid="estimate-time">{formatDuration(times.secondsPerEpoch)}</span> per epoch · whole run{' '}
            <strong data-testid="estimate-total">{formatDuration(times.totalSeconds)}</strong>
          </div>
          <div className="muted small">
            {times.totalSteps.toLocaleString('en-US')} steps
            {times.evaluations > 0
              ? ` + ${times.evaluations} evaluation${times.evaluations === 1 ? '' : 's'} of ${times.evalExamples.toLocaleString('en-US')} examples (${formatDuration(times.evalSeconds)})`
              : ' (no evaluation)'}
            ;{' '}
            {times.source === 'live'
              ? 'refined with the speed of this run'
              : `measured on ${on}${measured?.adapter ? ` (${measured.adapter})` : ''} at batch ${measured?.batchSize}, sequence length ${measured?.seqLength}; an estimate: it is refined with the live speed once training starts`}
            .
          </div>
        </div>
      )}
      {measured?.peakBytes !== undefined && (
        <div>
          <strong>Peak memory (measured):</strong> <span data-testid="estimate-memory">{formatBytes(measured.peakBytes)}</span>{' '}
          <span className="muted small">
            per step at batch {measured.batchSize} (weights, Adam state and activations)
            {measured.reason ? `; ${measured.reason}` : ''}
          </span>
        </div>
      )}
    </div>
  );
}
