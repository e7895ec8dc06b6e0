/** Memory and time per epoch before starting (and refined with the measured rate while training). */
import type { Estimate } from '../settings/estimate';
import { formatFlops } from '../settings/estimate';
import { formatBytes, formatDuration } from '../format/numbers';

export function EstimateView({ estimate, backend }: { estimate: Estimate | null; backend: string | null }) {
  if (!estimate) return <div className="estimate muted">The memory and time estimate appears once a model and a dataset are loaded.</div>;
  const approx = estimate.lowerBound ? '≥ ' : '≈ ';
  return (
    <div className="estimate" data-testid="estimate">
      <div>
        <strong>GPU memory:</strong> ≈ {formatBytes(estimate.totalBytes)}{' '}
        <span className="muted small">
          (weights, gradients and Adam state {formatBytes(estimate.trainingStateBytes)} + activations {formatBytes(estimate.activationBytes)})
        </span>
      </div>
      <div>
        <strong>Per epoch:</strong> {approx}
        {estimate.stepsPerEpoch.toLocaleString('en-US')} steps, {approx}
        {formatFlops(estimate.flopsPerEpoch)}, {approx}
        <span data-testid="estimate-time">{formatDuration(estimate.secondsPerEpoch)}</span>{' '}
        <span className="muted small">
          {estimate.rateSource === 'measured'
            ? '(at the measured speed)'
            : `(assuming ${estimate.assumedGflops} GFLOP/s on ${backend ?? 'WebGPU'}; the measured speed replaces this once training starts)`}
        </span>
      </div>
      {estimate.totalBytes > 3.5 * 2 ** 30 && <div className="warn small">This may not fit a laptop GPU: lower the batch size (and raise gradient accumulation) or the sequence length.</div>}
    </div>
  );
}
