/**
 * What the demo chose for this device and why, from the session's 'demoSize' event: while its
 * probe runs, that it is timing a step here; then the size ("slow GPU (software renderer): 60
 * steps, hidden 32, 1 layer, sequence 40 · about 3 min") with the measured probe step, and a note
 * when even the smallest size is predicted over the budget.
 */
import type { DemoSizeChoice } from '../../protocol/events';

/** "under a minute", "about 1 min", "about 3 min": the demo's predicted time in words. */
export function aboutMinutes(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return 'unknown time';
  if (seconds < 50) return 'under a minute';
  return `about ${Math.max(1, Math.round(seconds / 60))} min`;
}

export function DemoSizeNote({ status, choice }: { status: 'measuring' | 'chosen'; choice: DemoSizeChoice | null }) {
  if (status === 'measuring' || choice === null) {
    return (
      <p className="small" data-testid="demo-size" data-status="measuring" role="status">
        Sizing the demo to this device: timing a training step of its smallest model here…
      </p>
    );
  }
  return (
    <div className="small" data-testid="demo-size" data-status="chosen" data-size={choice.size} data-device={choice.device} role="status">
      <p>
        <strong>Demo size</strong> ({choice.size}): <span data-testid="demo-size-reason">{choice.reason}</span> · {aboutMinutes(choice.predictedSeconds)}
      </p>
      <p className="muted">
        A training step of the smallest demo took {choice.probeSecondsPerStep.toFixed(2)} s here; {choice.trainExamples.toLocaleString('en-US')} generated questions, chosen to finish
        within {aboutMinutes(choice.budgetSeconds).replace('about ', '')} on this kind of device.
        {choice.overBudget && ' Even the smallest demo is predicted to take longer than that here.'}
      </p>
    </div>
  );
}
