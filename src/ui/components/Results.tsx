/**
 * Results: the metrics table (final + every evaluation), a confusion matrix for classification,
 * the predictions table with search, and the downloads (model zip, predictions, metrics.json,
 * loss curve CSV and PNG).
 */
import { useEffect, useId, useMemo, useState } from 'react';
import type { EvalResult } from '../../core/train';
import { ConfusionMatrix } from './ConfusionMatrix';
import { HardestExamples } from './HardestExamples';
import { PredictionTable } from './PredictionTable';
import type { CellFilter } from '../results/hardest';
import type { DevPrediction, ExportFormat } from '../../protocol/events';
import type { ExportState, StudioState } from '../../state/slices';
import { formatBytes, formatMetric } from '../format/numbers';
import { filterRows, predictionRowsFromDev, predictionRowsFromFiles, type NamedBytes, type PredictionRow } from '../results/predictionRows';
import { mimeFor } from '../results/download';
import { ReasonButton } from './ReasonButton';
import { ZipExport } from './ZipExport';

export interface ResultsProps {
  evals: EvalResult[];
  finalMetrics: Record<string, number> | null;
  labels: string[];
  classification: boolean;
  exportState: ExportState | null;
  /** The latest evaluation's dev predictions as rows (sent by the worker after each evaluation). */
  evalPredictions?: { step: number; rows: DevPrediction[] } | null;
  /** A model exists that can be exported. */
  canExport: boolean;
  onExport: () => void;
  onDownloadMetrics: () => void;
  onDownloadLossCsv: () => void;
  onDownloadLossPng: () => void;
  hasSteps: boolean;
  /** Look inside one dev example again (hardest examples' button). */
  onInspect?: (row: PredictionRow) => void;
  /** The ONNX and torchrun-job zips (store.formatExports). */
  formatExports?: StudioState['formatExports'];
  onExportFormat?: (format: Exclude<ExportFormat, 'hf'>) => void;
  /** Why nothing can be exported yet (shown on the disabled buttons); default: train first. */
  exportDisabledReason?: string;
}

const NO_MODEL = 'Train a model first (or try the demo); the downloads are written from the trained model.';

export function Results(props: ResultsProps) {
  const { evals, finalMetrics, labels, classification, exportState, evalPredictions, canExport, onExport, onDownloadMetrics, onDownloadLossCsv, onDownloadLossPng, hasSteps } = props;
  const formatExports = props.formatExports ?? {};
  const exportReason = canExport ? null : (props.exportDisabledReason ?? NO_MODEL);
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
        onnx={props.onExportFormat ? { state: formatExports.onnx, onExport: () => props.onExportFormat!('onnx') } : undefined}
        exportReason={exportReason}
      />
      {props.onExportFormat && (
        <section aria-label="Continue on a cluster" className="stack">
          <h3>Continue on a cluster</h3>
          <p className="small muted">
            The same run (the model it started from, its converted features, settings and seed) as a folder that PyTorch’s DistributedDataParallel
            trains with <code>torchrun</code> on one GPU, a machine with eight, or several nodes. Its README gives the commands; the fine-tuned
            Hugging Face folder it writes loads back here.
          </p>
          <div className="downloads">
            <ZipExport
              label="Job folder for torchrun"
              short="the job folder"
              state={formatExports['torch-job']}
              disabledReason={exportReason}
              onExport={() => props.onExportFormat!('torch-job')}
              testId="download-torch-job"
            />
          </div>
        </section>
      )}
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
  const shown = useMemo(() => filterRows(rows, query), [rows, query]);
  return (
    <div className="stack">
      <div className="row">
        <label htmlFor={id}>Search predictions</label>
        <input id={id} type="search" value={query} onChange={(e) => setQuery(e.target.value)} placeholder="id, text or label" />
        <span className="small muted">
          {shown.length.toLocaleString('en-US')} of {rows.length.toLocaleString('en-US')} from {source}
        </span>
      </div>
      {/* keyed by the query: a new search starts again at the first page */}
      <PredictionTable
        key={query}
        rows={shown}
        testId="predictions-table"
        showInput={rows.some((r) => r.input !== undefined)}
        showGold={rows.some((r) => r.gold !== undefined)}
        firstPage={PAGE}
        morePage={PAGE}
      />
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
  onnx?: { state: ExportState | undefined; onExport: () => void };
  exportReason: string | null;
}

/** Object URLs for exported files, revoked when the export changes or the panel unmounts. */
function useObjectUrls(files: Array<{ name: string; data: ArrayBuffer }>): Map<string, string> {
  const urls = useMemo(() => new Map(files.map((f) => [f.name, URL.createObjectURL(new Blob([f.data], { type: mimeFor(f.name) }))] as const)), [files]);
  useEffect(() => () => urls.forEach((u) => URL.revokeObjectURL(u)), [urls]);
  return urls;
}

function Downloads({ exportState, onExport, onDownloadMetrics, onDownloadLossCsv, onDownloadLossPng, hasSteps, hasMetrics, onnx, exportReason }: DownloadsProps) {
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
        <ReasonButton className="primary" onClick={onExport} disabledReason={exportState?.status === 'pending' ? 'The model is being exported' : exportReason}>
          {exportState?.status === 'pending' ? 'Exporting…' : exportState?.status === 'done' ? 'Export again' : 'Prepare downloads'}
        </ReasonButton>
        {zip && (
          <a className="button" href={urls.get(zip.name)} download={zip.name} data-testid="download-model">
            Model (.zip, {formatBytes(zip.data.byteLength)})
          </a>
        )}
        {onnx && <ZipExport label="ONNX for transformers.js" short="ONNX" state={onnx.state} disabledReason={exportReason} onExport={onnx.onExport} testId="download-onnx" />}
        {predictionFiles.map((f) => (
          <a key={f.name} className="button" href={urls.get(f.name)} download={baseName(f.name)} data-testid="download-predictions">
            {baseName(f.name)}
          </a>
        ))}
        <ReasonButton onClick={onDownloadMetrics} disabledReason={!hasMetrics && !hasSteps ? 'No training step or evaluation yet' : null}>
          metrics.json
        </ReasonButton>
        <ReasonButton onClick={onDownloadLossCsv} disabledReason={hasSteps ? null : 'No training step yet'}>
          Loss curve (CSV)
        </ReasonButton>
        <ReasonButton onClick={onDownloadLossPng} disabledReason={hasSteps ? null : 'No training step yet'}>
          Loss curve (PNG)
        </ReasonButton>
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
