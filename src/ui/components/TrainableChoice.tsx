/**
 * "Trainable parameters": full fine-tuning, LoRA adapters of rank r, or freezing the embeddings
 * and the first N layers (the settings table's trainableParameters, loraRank, freezeLayers,
 * freezeEmbeddings; the other LoRA settings are in the form's Advanced part). Below the choice:
 * how many parameters train and what weights + gradients + Adam state take (core's paramCounts),
 * the numbers the memory estimate uses.
 */
import { useId } from 'react';
import type { ParamCounts } from '../../core/model';
import type { Settings } from '../../core/settings';
import { formatBytes } from '../format/numbers';

export interface TrainableChoiceProps {
  settings: Pick<Settings, 'trainableParameters' | 'loraRank' | 'freezeLayers' | 'freezeEmbeddings'>;
  /** The model's layers (bounds N), when a model is loaded. */
  numLayers: number | null;
  /** Counts under the current choice and with everything trainable, when a model is loaded. */
  counts: { chosen: ParamCounts; full: ParamCounts } | null;
  onChange: (patch: Partial<Settings>) => void;
  disabled?: boolean;
}

function millions(n: number): string {
  return n >= 1e6 ? `${(n / 1e6).toFixed(1)} M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)} k` : String(n);
}

export function TrainableChoice({ settings, numLayers, counts, onChange, disabled }: TrainableChoiceProps) {
  const name = useId();
  const rankId = useId();
  const layersId = useId();
  const mode = settings.trainableParameters;
  const int = (raw: string, min: number): number | null => {
    const n = Number(raw);
    return raw.trim() !== '' && Number.isInteger(n) && n >= min ? n : null;
  };
  return (
    <fieldset className="stack trainable" data-testid="trainable-choice" disabled={disabled}>
      <legend>Trainable parameters</legend>
      <div className="row" role="radiogroup">
        {([
          ['full', 'Full fine-tuning'],
          ['lora', 'LoRA adapters'],
          ['freeze', 'Freeze layers'],
        ] as const).map(([value, label]) => (
          <label key={value} className="row small">
            <input type="radio" name={name} value={value} checked={mode === value} onChange={() => onChange({ trainableParameters: value })} /> {label}
          </label>
        ))}
      </div>
      {mode === 'lora' && (
        <div className="row small">
          <label htmlFor={rankId}>Rank r</label>
          <input
            id={rankId}
            type="number"
            min={1}
            step={1}
            defaultValue={settings.loraRank}
            key={`rank-${settings.loraRank}`}
            style={{ width: '5em' }}
            onBlur={(e) => {
              const r = int(e.target.value, 1);
              if (r !== null && r !== settings.loraRank) onChange({ loraRank: r });
            }}
          />
          <span className="muted">only the adapters A, B (W + (α/r)·B·A) and the head train</span>
        </div>
      )}
      {mode === 'freeze' && (
        <div className="row small">
          <label htmlFor={layersId}>Freeze the first</label>
          <input
            id={layersId}
            type="number"
            min={0}
            max={numLayers ?? undefined}
            step={1}
            defaultValue={settings.freezeLayers}
            key={`layers-${settings.freezeLayers}`}
            style={{ width: '5em' }}
            onBlur={(e) => {
              const n = int(e.target.value, 0);
              if (n !== null && n !== settings.freezeLayers) onChange({ freezeLayers: n });
            }}
          />
          <span>{numLayers !== null ? `of ${numLayers} layers` : 'layers'}</span>
          <label className="row">
            <input type="checkbox" checked={settings.freezeEmbeddings} onChange={(e) => onChange({ freezeEmbeddings: e.target.checked })} /> and the embeddings
          </label>
        </div>
      )}
      {counts ? (
        <p className="small" data-testid="trainable-counts">
          Trains <strong>{millions(counts.chosen.trainable)}</strong> of {millions(counts.chosen.total)} parameters
          {counts.chosen.lora > 0 ? ` (${millions(counts.chosen.lora)} in adapters)` : ''}; weights, gradients and Adam state{' '}
          <strong data-testid="trainable-state-bytes">{formatBytes(counts.chosen.trainingStateBytes)}</strong>
          {mode !== 'full' ? <span className="muted"> (full fine-tuning: {formatBytes(counts.full.trainingStateBytes)})</span> : null}
        </p>
      ) : (
        <p className="small muted">The parameter counts appear once a model is loaded.</p>
      )}
    </fieldset>
  );
}
