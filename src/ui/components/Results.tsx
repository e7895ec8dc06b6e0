/**
 * Results: the metrics table (final + every evaluation), a confusion matrix for classification,
 * the predictions table with search, and the downloads (model zip, predictions, metrics.json,
 * loss curve CSV and PNG).
 */
import { useEffect, useId, useMemo, useState } from 'react';
import type { EvalResult } from '../../core/train';
import type { ExportState } from '../../state/slices';
import { ConfusionMatrix } from './ConfusionMatrix';
import { HardestExamples } from './HardestExamples';
import type { CellFilter } from '../results/hardest';
import { formatBytes, formatMetric } from '../format/numbers';
import { filterRows, predictionRowsFromDev, predictionRowsFromFiles, type DevPredictionLike, type NamedBytes, type PredictionRow } from '../results/predictionRows';
import { mimeFor } from '../results/download';

export interface ResultsProps {
  evals: EvalResult[];
  finalMetrics: Record<string, number> | null;
  labels: string[];
  classification: boolean;
  exportState: ExportState | null;
  /** The latest evaluation's dev predictions as rows (sent by the worker after each evaluation). */
  evalPredictions?: { step: number; rows: DevPredictionLike[] } | null;
  /** A model exists that can be exported. */
  canExport: boolean;
  onExport: () => void;
  onDownloadMetrics: () => void;
  onDownloadLossCsv: () => void;
  onDownloadLossPng: () => void;
  hasSteps: boolean;
  /** Look inside one dev example again (hardest examples' button). */
  onInspect?: (row: PredictionRow) => void;
}

export function Results(props: ResultsProps) {
  const { evals, finalMetrics, labels, classification, exportState, evalPredictions, canExport, onExport, onDownloadMetrics, onDownloadLossCsv, onDownloadLossPng, hasSteps } = props;
  // The export's predictions when it carries any, else the latest evaluation's.
  const parsed = useMemo(() => {
    const fromExport = exportState?.status === 'done' ? safeParse(exportState.files) : null;
    if (fromExport) return fromExport;
    return evalPredictions ? predictionRowsFromDev(evalPredictions.rows, `the evaluation at step ${evalPredictions.step}`) : null;
  }, [exportState, evalPredictions]);
  return (
    <div className="stack" data-testid="results">
      <MetricsTable evals={evals} finalMetrics={finalMetrics} />
      <Downloads
        exportState={exportState}
        canExport={canExport}
        onExport={onExport}
        onDownloadMetrics={onDownloadMetrics}
        onDownloadLossCsv={onDownloadLossCsv}
        onDownloadLossPng={onDownloadLossPng}
        hasSteps={hasSteps}
        hasMetrics={evals.length > 0 || finalMetrics !== null}
      />
      {parsed && 'error' in parsed && <p className="small" style={{ color: 'var(--bad)' }}>The exported predictions could not be read: {parsed.error}</p>}
      {parsed && !('error' in parsed) && (
        <>
          {classification && parsed.hasGold && <ConfusionWithExamples labels={labels} rows={parsed.rows} onInspect={props.onInspect} />}
          {classification && !parsed.hasGold && <p className="small muted">The confusion matrix needs the dev set’s gold labels, which this export does not carry.</p>}
          <PredictionsTable rows={parsed.rows} source={parsed.source} />
        </>
      )}
      {!parsed && exportState?.status === 'done' && <p className="small muted">This export holds no dev-set predictions.</p>}
      {!parsed && exportState?.status !== 'done' && <p className="small muted">Press “Prepare downloads” to export the model and see the dev-set predictions.</p>}
    </div>
  );
}

function safeParse(files: readonly NamedBytes[]) {
  try {
    return predictionRowsFromFiles(files);
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) };
  }
}

export function MetricsTable({ evals, finalMetrics }: { evals: EvalResult[]; finalMetrics: Record<string, number> | null }) {
  const keys = [...new Set([...evals.flatMap((e) => Object.keys(e.metrics)), ...Object.keys(finalMetrics ?? {})])];
  if (keys.length === 0) return <p className="muted small">Metrics appear after the first evaluation.</p>;
  return (
    <div className="table-wrap">
      <table data-testid="eval-table">
        <caption className="visually-hidden">Evaluation metrics per step</caption>
        <thead>
          <tr>
            <th scope="col">Step</th>
            <th scope="col">Epoch</th>
            {keys.map((k) => (
              <th scope="col" key={k} className="num">
                {k}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {evals.map((e) => (
            <tr key={e.step} data-testid="eval-row">
              <td>{e.step}</td>
              <td>{formatMetric(e.epoch)}</td>
              {keys.map((k) => (
                <td key={k} className="num">
                  {formatMetric(e.metrics[k])}
                </td>
              ))}
            </tr>
          ))}
          {finalMetrics && Object.keys(finalMetrics).length > 0 && (
            <tr data-testid="final-row">
              <th scope="row" colSpan={2}>
                Final
              </th>
              {keys.map((k) => (
                <td key={k} className="num">
                  <strong>{formatMetric(finalMetrics[k])}</strong>
                </td>
              ))}
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}

/** The confusion matrix and per-class metrics, and the hardest examples (one cell's when a cell is pressed). */
function ConfusionWithExamples({ labels, rows, onInspect }: { labels: string[]; rows: PredictionRow[]; onInspect?: (row: PredictionRow) => void }) {
  const [cell, setCell] = useState<CellFilter | null>(null);
  return (
    <>
      <ConfusionMatrix labels={labels} rows={rows} selected={cell} onSelect={setCell} />
      <HardestExamples rows={rows} cell={cell} onClearCell={() => setCell(null)} onInspect={onInspect} />
    </>
  );
}

const PAGE = 100;

function PredictionsTable({ rows, source }: { rows: PredictionRow[]; source: string }) {
  const id = useId();
  const [query, setQuery] = useState('');
  const [limit, setLimit] = useState(PAGE);
  const shown = useMemo(() => filterRows(rows, query), [rows, query]);
  const hasInput = rows.some((r) => r.input !== undefined);
  const hasGold = rows.some((r) => r.gold !== undefined);
  return (
    <div className="stack">
      <div className="row">
        <label htmlFor={id}>Search predictions</label>
        <input id={id} type="search" value={query} onChange={(e) => { setQuery(e.target.value); setLimit(PAGE); }} placeholder="id, text or label" />
        <span className="small muted">
          {shown.length.toLocaleString('en-US')} of {rows.length.toLocaleString('en-US')} from {source}
        </span>
      </div>
      <div className="table-wrap" style={{ maxHeight: '24rem', overflowY: 'auto' }}>
        <table data-testid="predictions-table">
          <thead>
            <tr>
              <th scope="col">Id</th>
              {hasInput && <th scope="col">Input</th>}
              {hasGold && <th scope="col">Gold</th>}
              <th scope="col">Predicted</th>
            </tr>
          </thead>
          <tbody>
            {shown.slice(0, limit).map((r) => (
              <tr key={r.id}>
                <td className="mono">{r.id}</td>
                {hasInput && <td>{r.input}</td>}
                {hasGold && <td>{r.gold}</td>}
                <td style={hasGold && r.gold !== undefined ? { color: r.gold === r.predicted ? 'var(--ok)' : 'var(--bad)' } : undefined}>{r.predicted || <em>no answer</em>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {shown.length > limit && (
        <button type="button" onClick={() => setLimit((l) => l + PAGE)}>
          Show {Math.min(PAGE, shown.length - limit)} more
        </button>
      )}
    </div>
  );
}

interface DownloadsProps {
  exportState: ExportState | null;
  canExport: boolean;
  onExport: () => void;
  onDownloadMetrics: () => void;
  onDownloadLossCsv: () => void;
  onDownloadLossPng: () => void;
  hasSteps: boolean;
  hasMetrics: boolean;
}

/** Object URLs for exported files, revoked when the export changes or the panel unmounts. */
function useObjectUrls(files: Array<{ name: string; data: ArrayBuffer }>): Map<string, string> {
  const urls = useMemo(() => new Map(files.map((f) => [f.name, URL.createObjectURL(new Blob([f.data], { type: mimeFor(f.name) }))] as const)), [files]);
  useEffect(() => () => urls.forEach((u) => URL.revokeObjectURL(u)), [urls]);
  return urls;
}

function Downloads({ exportState, canExport, onExport, onDownloadMetrics, onDownloadLossCsv, onDownloadLossPng, hasSteps, hasMetrics }: DownloadsProps) {
  const files = useMemo(() => {
    if (!exportState || exportState.status !== 'done') return [];
    return exportState.zip ? [exportState.zip, ...exportState.files] : exportState.files;
  }, [exportState]);
  const urls = useObjectUrls(files);
  const zip = exportState?.zip ?? null;
  const predictionFiles = files.filter((f) => f !== zip && /predictions|\.tsv$/.test(f.name));
  const otherFiles = files.filter((f) => f !== zip && !predictionFiles.includes(f));
  return (
    <section aria-label="Downloads" className="stack">
      <h3>Downloads</h3>
      <div className="downloads" data-testid="downloads">
        <button type="button" className="primary" onClick={onExport} disabled={!canExport || exportState?.status === 'pending'}>
          {exportState?.status === 'pending' ? 'Exporting…' : exportState?.status === 'done' ? 'Export again' : 'Prepare downloads'}
        </button>
        {zip && (
          <a className="button" href={urls.get(zip.name)} download={zip.name} data-testid="download-model">
            Model (.zip, {formatBytes(zip.data.byteLength)})
          </a>
        )}
        {predictionFiles.map((f) => (
          <a key={f.name} className="button" href={urls.get(f.name)} download={baseName(f.name)} data-testid="download-predictions">
            {baseName(f.name)}
          </a>
        ))}
        <button type="button" onClick={onDownloadMetrics} disabled={!hasMetrics && !hasSteps}>
          metrics.json
        </button>
        <button type="button" onClick={onDownloadLossCsv} disabled={!hasSteps}>
          Loss curve (CSV)
        </button>
        <button type="button" onClick={onDownloadLossPng} disabled={!hasSteps}>
          Loss curve (PNG)
        </button>
      </div>
      {otherFiles.length > 0 && (
        <details>
          <summary className="small">Model files one by one ({otherFiles.length})</summary>
          <ul className="small">
            {otherFiles.map((f) => (
              <li key={f.name}>
                <a href={urls.get(f.name)} download={baseName(f.name)}>
                  {f.name}
                </a>{' '}
                <span className="muted">{formatBytes(f.data.byteLength)}</span>
              </li>
            ))}
          </ul>
        </details>
      )}
      {exportState?.status === 'failed' && exportState.error && (
        <p className="small" style={{ color: 'var(--bad)' }}>
          Export failed: {exportState.error.message}
        </p>
      )}
    </section>
  );
}

const baseName = (p: string) => p.slice(p.lastIndexOf('/') + 1);
