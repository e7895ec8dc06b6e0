/** One labelled <progress> per phase, with done / total counts. */
import type { Phase } from '../../protocol/events';

export interface PhaseState {
  phase: Phase;
  done: number;
  total: number;
  label?: string;
}

export const PHASE_TEXT: Record<Phase, string> = {
  reading: 'Reading files',
  tokenizing: 'Tokenizing',
  featurizing: 'Building features',
  'loading-weights': 'Loading weights',
  backend: 'Starting the GPU backend',
  epoch: 'Epoch',
  evaluating: 'Evaluating',
  checkpoint: 'Saving checkpoint',
  exporting: 'Exporting',
  predicting: 'Predicting',
};

export interface PhaseProgressProps {
  phases: PhaseState[];
}

export function PhaseProgress({ phases }: PhaseProgressProps) {
  if (phases.length === 0) return <p className="muted small">Nothing running.</p>;
  return (
    <div className="phases" data-testid="progress">
      {phases.map((p) => {
        const name = p.label ?? PHASE_TEXT[p.phase];
        const done = p.total > 0 && p.done >= p.total;
        const id = `phase-${p.phase}`;
        return (
          <div key={p.phase} className={`phase${done ? ' done' : ''}`} data-testid={id} data-phase={p.phase}>
            <label htmlFor={id}>{name}</label>
            {p.total > 0 ? <progress id={id} max={p.total} value={Math.min(p.done, p.total)} /> : <progress id={id} aria-label={`${name} (size unknown)`} />}
            <span className="count">
              {p.total > 0 ? `${p.done.toLocaleString('en-US')} / ${p.total.toLocaleString('en-US')}` : p.done > 0 ? p.done.toLocaleString('en-US') : ''}
              {done ? ' ✓' : ''}
            </span>
          </div>
        );
      })}
    </div>
  );
}
