/**
 * The studio page: files -> task and settings -> training dashboard -> demos, results and runs.
 * Reads the zustand store (src/state) and calls the worker bridge's commands; never touches a
 * tensor. Per-step curves reach the charts through the series store, not React state.
 */
import { useCallback, useEffect, useMemo, useRef, useState, type ComponentProps } from 'react';
import type uPlot from 'uplot';
import { useStore } from 'zustand';
import type { StudioBridge } from '../state/bridge';
import type { StudioState } from '../state/slices';
import { withLiveRun } from '../state/live-run';
import { isSquadTask } from '../core/data';
import type { Phase } from '../protocol/events';
import { BackendBadge } from '../ui/components/BackendBadge';
import { ClassifyDemo } from '../ui/components/ClassifyDemo';
import { CompareChart } from '../ui/components/CompareChart';
import { Dashboard } from '../ui/components/Dashboard';
import { DataPreview } from '../ui/components/DataPreview';
import { DemoHero } from '../ui/components/DemoHero';
import { DemoSizeNote } from '../ui/components/DemoSizeNote';
import { DropZone } from '../ui/components/DropZone';
import { ErrorList, type ShownError } from '../ui/components/ErrorList';
import { EstimateView } from '../ui/components/EstimateView';
import { FileList } from '../ui/components/FileList';
import { FaultRecovery } from '../ui/components/FaultRecovery';
import { KeepFilesOption } from '../ui/components/KeepFilesOption';
import { Panel } from '../ui/components/Panel';
import { PhaseProgress, type PhaseState } from '../ui/components/PhaseProgress';
import { QaDemo } from '../ui/components/QaDemo';
import { LOOK_INSIDE } from '../ui/inside/explain';
import { Results } from '../ui/components/Results';
import { RunControls, isActive } from '../ui/components/RunControls';
import { RunsPanel } from '../ui/components/RunsPanel';
import { SettingsForm } from '../ui/components/SettingsForm';
import { SpanPredictions } from '../ui/components/SpanPredictions';
import { TaskPanel } from '../ui/components/TaskPanel';
import { ThemeToggle } from '../ui/components/ThemeToggle';
import { canvasToPngBlob } from '../ui/charts/png';
import { readChartColors } from '../ui/charts/chartTheme';
import { estimateRun, measuredTimes } from '../ui/settings/estimate';
import { FillMaskDemo } from '../ui/components/FillMaskDemo';
import { FineTuneNext } from '../ui/components/FineTuneNext';
import { MaskedLmCharts } from '../ui/components/MaskedLmCharts';
import { TrainableChoice } from '../ui/components/TrainableChoice';
import { trainableCounts } from '../ui/settings/trainable-counts';
import { lossCurveCsv } from '../ui/results/csv';
import { buildMetricsJson } from '../ui/results/metricsJson';
import { saveBlob, saveText } from '../ui/results/download';
import { NotifyToggle } from '../ui/components/NotifyToggle';
import { attachRunAttention } from './run-attention';
import { checkpointOf } from '../state/state-truth';
import type { PickedFile } from '../ui/files/collectDropped';

const PHASE_ORDER: Phase[] = ['reading', 'tokenizing', 'featurizing', 'loading-weights', 'backend', 'epoch', 'evaluating', 'checkpoint', 'exporting', 'predicting'];
const SINGLE_TEXT_TASKS = new Set(['cola', 'sst-2']);

export function App({ bridge }: { bridge: StudioBridge }) {
  const use = <T,>(selector: (s: StudioState) => T): T => useBridgeState(bridge, selector);
  const files = use((s) => s.files);
  const recognising = use((s) => s.recognising);
  const detection = use((s) => s.detection);
  const task = use((s) => s.task);
  const taskOverridden = use((s) => s.taskOverridden);
  const settingsState = use((s) => s.settingsState);
  const preview = use((s) => s.preview);
  const status = use((s) => s.status);
  const run = use((s) => s.run);
  // Booleans, not the step itself: the page must not re-render on every step batch.
  const hasSteps = use((s) => s.lastStep !== null);
  const finished = use((s) => s.finished);
  const evals = use((s) => s.evals);
  const spanPredictions = use((s) => s.spanPredictions);
  const prediction = use((s) => s.prediction);
  const demoQuestions = use((s) => s.demoQuestions);
  const demoSize = use((s) => s.demoSize);
  const exportState = use((s) => s.exportState);
  const formatExports = use((s) => s.formatExports);
  const evalPredictions = use((s) => s.evalPredictions);
  const runs = use((s) => s.runs);
  const compareIds = use((s) => s.compareIds);
  const backend = use((s) => s.backend);
  const storeErrors = use((s) => s.errors);
  const runId = use((s) => s.runId);
  const lockedRunIds = use((s) => s.lockedRunIds);
  const workerReady = use((s) => s.workerReady);
  const lastFatal = use((s) => s.errors.findLast((e) => e.fatal) ?? null);
  const storageUse = use((s) => s.storageUse);
  const keptFilesStates = use((s) => s.keptFilesStates);
  // Keep the next run's files in this browser (OPFS); the run whose settings were copied into an editable form.
  const [keepFiles, setKeepFiles] = useState(true);
  const [copyOf, setCopyOf] = useState<string | null>(null);
  const lastCheckpointStep = use((s) => s.lastCheckpoint?.step ?? null);

  // Errors found by the page itself (reading a dropped folder, saving a PNG); the store holds the worker's.
  const [pageErrors, setPageErrors] = useState<ShownError[]>([]);
  const pageErrorId = useRef(-1);
  const addPageError = useCallback((message: string, extra: Partial<ShownError> = {}) => {
    setPageErrors((list) => [...list, { id: pageErrorId.current--, message, ...extra }]);
  }, []);
  const [pendingPaths, setPendingPaths] = useState<string[]>([]);
  const lossChart = useRef<uPlot | null>(null);

  useEffect(() => {
    void bridge.refreshRuns().catch((e: unknown) => addPageError(`The stored runs could not be read: ${e instanceof Error ? e.message : String(e)}`));
  }, [bridge, addPageError]);
  useEffect(() => {
    if (!recognising) setPendingPaths([]);
  }, [recognising]);
  // The title shows the run's progress; a notification at its end (if allowed); a wake lock while it trains.
  useEffect(() => attachRunAttention(bridge.store), [bridge]);

  const active = isActive(status);
  const activeTask = run?.task ?? task;
  // The demo trains on generated SQuAD data: the task picker shows it while it runs (and after, until a dataset is dropped).
  const showDemoTask = !!run?.isDemo && (active || task === null);
  const squad = activeTask !== null && isSquadTask(activeTask);
  const modelReady = run !== null && (hasSteps || finished !== null);
  const showHero = files.length === 0 && run === null && !active && pendingPaths.length === 0;

  const onFiles = (picked: PickedFile[]) => {
    setCopyOf(run?.runId ?? null); // new files: the form edits the next run's settings
    setPendingPaths(picked.map((p) => p.path));
    bridge.loadFiles(picked.map((p) => ({ path: p.path, data: p.file })));
  };

  // Start waits for the files, valid settings (the session's check) and valid typed text (the form's).
  const [draftError, setDraftError] = useState<string | null>(null);
  const settingsProblem = draftError ?? settingsState.issues[0]?.message ?? null;
  // A run's settings are on show (read-only): Start would not use them, so it waits for "New run from these settings" or new files.
  const formLocked = run !== null && !active && copyOf !== run.runId;
  const notReadyReason = formLocked
    ? `the form shows run "${run.runName}"'s settings: choose "New run from these settings" (or drop new files) to start another`
    : detection?.missing.length
    ? `still needed: ${detection.missing.join('; ')}`
    : files.length === 0
      ? 'drop a model, a vocabulary and a dataset, or try the demo'
      : settingsProblem ?? undefined;

  const downloadLossCsv = () => {
    const c = bridge.series.columns();
    const points = Array.from(c.step, (step, i) => ({ step, loss: c.loss[i], learningRate: c.learningRate[i], gradNorm: c.gradNorm[i] }));
    saveText(lossCurveCsv(points, Array.from(c.smoothedLoss)), `${fileStem(run?.runName)}-loss.csv`, 'text/csv');
  };
  const downloadLossPng = () => {
    const chart = lossChart.current;
    if (!chart) return addPageError('The loss chart is not on the page, so there is no image to save.');
    const cs = getComputedStyle(document.documentElement);
    canvasToPngBlob(chart.ctx.canvas, `Training loss${run ? `: ${run.runName}` : ''}`, cs.getPropertyValue('--panel').trim() || '#fff', readChartColors().text)
      .then((blob) => saveBlob(blob, `${fileStem(run?.runName)}-loss.png`))
      .catch((e: unknown) => addPageError(`The loss curve could not be saved as PNG: ${e instanceof Error ? e.message : String(e)}`));
  };
  const downloadMetrics = () => {
    const json = buildMetricsJson(bridge.series.columns(), evals, finished?.metrics ?? null);
    saveText(JSON.stringify(json, null, 2) + '\n', 'metrics.json', 'application/json');
  };

  const shownErrors: ShownError[] = [
    ...storeErrors.map((e) => ({ id: e.id, message: e.message, file: e.file, location: e.location, expected: e.expected, code: e.code, fatal: e.fatal, lastCheckpointStep: checkpointOf(e.lastCheckpointStep, runId, runs, lastCheckpointStep) })),
    ...pageErrors,
  ];
  const dismissErrors = (ids: number[]) => {
    setPageErrors((l) => l.filter((e) => !ids.includes(e.id)));
    for (const id of ids) if (id >= 0) bridge.store.getState().dismissError(id);
  };
  const dismissAll = () => {
    setPageErrors([]);
    for (const e of storeErrors) bridge.store.getState().dismissError(e.id);
  };

  const qaResult = prediction?.input.kind === 'qa' && prediction.result?.kind === 'qa' ? prediction.result : null;
  const qaContext = prediction?.input.kind === 'qa' ? prediction.input.context : null;
  const clsResult = prediction?.input.kind === 'classification' && (prediction.result?.kind === 'classification' || prediction.result?.kind === 'regression') ? prediction.result : null;
  const compareRuns = compareIds.flatMap((id) => {
    const r = runs.find((x) => x.id === id);
    return r ? [{ id: r.id, name: r.name, evals: r.evals }] : [];
  });

  return (
    <>
      <a className="skip-link" href="#main">
        Skip to the studio
      </a>
      <header className="app-header">
        <h1>
          <img src="/favicon.svg" alt="" width={24} height={24} /> Tabtune
        </h1>
        <span className="tagline">Fine-tune BERT on your GPU, inside this tab. Nothing leaves it.</span>
        <span className="spacer" />
        <BackendBadge backend={backend} />
        <ThemeToggle />
      </header>
      <main id="main" className="app-main">
        {showHero && (
          <div style={{ gridColumn: '1 / -1' }}>
            <DemoHero onTryDemo={() => bridge.startDemo()} disabled={active} />
          </div>
        )}
        <div className="col">
          <Panel
            title="1. Files"
            testId="files-panel"
            actions={
              !showHero && !active ? (
                <button type="button" className="link small" onClick={() => bridge.startDemo()}>
                  Try the demo
                </button>
              ) : undefined
            }
          >
            <DropZone onFiles={onFiles} onError={(m) => addPageError(m)} />
            <FileList files={files} pending={recognising ? pendingPaths : []} onRemove={active ? undefined : (p) => bridge.removeFile(p)} />
          </Panel>
          <Panel title="2. Task and settings" testId="settings-panel">
            <TaskPanel
              detection={detection}
              task={showDemoTask ? run!.task : task}
              demo={showDemoTask}
              overridden={taskOverridden}
              onTaskChange={(t) => bridge.setTask(t)}
              disabled={active || showDemoTask}
              columns={settingsState.columns}
              onColumnsChange={(c) => bridge.setColumns(c)}
            />
            <SettingsForm
              task={task}
              state={settingsState}
              onChange={(p) => bridge.updateSettings(p)}
              onReset={() => bridge.resetSettings()}
              onDraftError={setDraftError}
              disabled={active}
              run={
                run !== null && (active || copyOf !== run.runId)
                  ? {
                      name: run.runName,
                      task: run.task,
                      settings: run.settings,
                      copyDisabledReason: active ? 'Available when the run has ended (stop it or wait)' : undefined,
                      onCopy: () => {
                        if (files.length === 0 || task === null) bridge.setTask(run.task);
                        bridge.updateSettings(run.settings);
                        setCopyOf(run.runId);
                      },
                    }
                  : null
              }
            />
            <LiveTrainableChoice bridge={bridge} disabled={active} />
            <KeepFilesOption files={files} keep={keepFiles} onChange={setKeepFiles} available={typeof navigator !== 'undefined' && typeof navigator.storage?.getDirectory === 'function'} disabled={active} />
            <LiveEstimate bridge={bridge} active={active} />
            <RunControls
              status={status}
              ready={detection?.ready === true && settingsProblem === null && !formLocked}
              notReadyReason={notReadyReason}
              onStart={() => {
                bridge.start(undefined, { keepFiles });
                document.querySelector<HTMLElement>('[data-testid="progress-panel"]')?.focus();
              }}
              onPause={() => bridge.pause()}
              onResume={() => bridge.resume()}
              onStop={() => bridge.stop()}
              onEvaluate={() => bridge.evaluate()}
              hasModel={modelReady}
            />
            <FaultRecovery status={status} runId={runId} runs={runs} lockedRunIds={lockedRunIds} failure={lastFatal} workerReady={workerReady} onResume={(id) => void bridge.resumeRun(id)} />
          </Panel>
          <Panel title="Data preview" testId="preview-panel">
            <DataPreview examples={preview} />
          </Panel>
          <Panel title="Runs" testId="runs-panel">
            <LiveRunsPanel
              bridge={bridge}
              runs={runs}
              activeRunId={active ? runId : null}
              busy={active}
              compareIds={compareIds}
              onCompareChange={(ids) => bridge.store.getState().setCompare(ids)}
              onRename={(id, name) => void bridge.renameRun(id, name).catch((e: unknown) => addPageError(`Renaming failed: ${String(e)}`))}
              onDelete={(id) => void bridge.deleteRun(id).catch((e: unknown) => addPageError(`Deleting failed: ${String(e)}`))}
              onResume={(id) => bridge.resumeRun(id)}
              onOpen={(id) => void bridge.openRun(id).catch((e: unknown) => addPageError(`The run could not be opened: ${e instanceof Error ? e.message : String(e)}`))}
              shownRunId={run?.runId ?? null}
              storageUse={storageUse}
              keptStates={keptFilesStates}
            />
            {compareRuns.length > 0 && <CompareChart runs={compareRuns} loadSeries={(id) => bridge.loadRunSeries(id)} />}
          </Panel>
        </div>
        <div className="col">
          <Panel title="Progress" testId="progress-panel" focusable actions={<NotifyToggle />}>
            {demoSize !== null && demoSize.runId === runId && <DemoSizeNote status={demoSize.status} choice={demoSize.choice} />}
            <LiveProgress bridge={bridge} />
          </Panel>
          <Panel title="Training" testId="training-panel">
            {run !== null || active || hasSteps ? (
              <>
                <Dashboard series={bridge.series} run={run} evals={evals} onLossChart={(c) => (lossChart.current = c)} />
                {activeTask === 'mlm' && <MaskedLmCharts evals={evals} />}
              </>
            ) : (
              <p className="small muted" data-testid="dashboard-idle">
                Loss, learning rate, gradient norm, speed and dev metrics are drawn here live once training starts.
              </p>
            )}
          </Panel>
          {squad && (
            <Panel title="Live answers" testId="live-answers-panel">
              <SpanPredictions data={spanPredictions} />
            </Panel>
          )}
          <Panel title="Try the model" testId="demo-panel">
            {activeTask === 'mlm' || run?.task === 'mlm' ? (
              <>
                <FillMaskDemo
                  onFill={(text) => bridge.predict({ kind: 'fill-mask', text, topK: 5 })}
                  result={prediction?.input.kind === 'fill-mask' && prediction.result?.kind === 'fill-mask' ? prediction.result : null}
                  pending={prediction?.status === 'pending'}
                  error={prediction?.input.kind === 'fill-mask' ? prediction.error : null}
                  enabled={modelReady && !active && run?.task === 'mlm'}
                  disabledReason="Train on your text first (task: Domain text); then let the model fill in masked words here."
                />
                <FineTuneNext
                  onClick={() => bridge.fineTuneNext()}
                  enabled={modelReady && !active && finished !== null}
                  done={run !== null && files.some((f) => f.path.startsWith(`adapted-model-${run.runId.replace(/[^\w.-]+/g, '-')}/`))}
                />
              </>
            ) : squad || (activeTask === null && demoQuestions.length > 0) ? (
              <QaDemo
                onAsk={(context, question) => bridge.predict({ kind: 'qa', context, question, explain: LOOK_INSIDE })}
                result={qaResult}
                resultContext={qaContext}
                pending={prediction?.status === 'pending'}
                error={prediction?.input.kind === 'qa' ? prediction.error : null}
                enabled={modelReady}
                disabledReason="Train a model first (or try the demo); then ask it questions here."
                suggestions={demoQuestions}
              />
            ) : (
              <ClassifyDemo
                onClassify={(textA, textB) => bridge.predict({ kind: 'classification', textA, textB, explain: LOOK_INSIDE })}
                result={clsResult}
                pending={prediction?.status === 'pending'}
                error={prediction?.input.kind === 'classification' ? prediction.error : null}
                enabled={modelReady}
                disabledReason="Train a model first; then classify your own text here."
                pair={!SINGLE_TEXT_TASKS.has(activeTask ?? '')}
              />
            )}
          </Panel>
          <Panel title="Results" testId="results-panel">
            <Results
              evals={evals}
              finalMetrics={finished?.metrics ?? null}
              labels={run?.labels ?? detection?.labels ?? []}
              classification={!squad && (run?.labels.length ?? detection?.labels.length ?? 0) > 0}
              exportState={exportState}
              evalPredictions={evalPredictions}
              canExport={modelReady}
              onExport={() => bridge.exportModel()}
              onDownloadMetrics={downloadMetrics}
              onDownloadLossCsv={downloadLossCsv}
              onDownloadLossPng={downloadLossPng}
              hasSteps={hasSteps}
              onInspect={(row) => row.textA !== undefined && bridge.predict({ kind: 'classification', textA: row.textA, textB: row.textB, explain: LOOK_INSIDE })}
              formatExports={formatExports}
              onExportFormat={(f) => bridge.exportModel(f)}
            />
            {run?.settings.trainableParameters === 'lora' && (
              <button type="button" className="small" data-testid="export-lora-adapter" disabled={!modelReady || active} onClick={() => bridge.exportModel('hf', 'adapter')}>
                Export the LoRA adapter alone (peft adapter_model.safetensors + adapter_config.json)
              </button>
            )}
          </Panel>
          <Panel title="Log" testId="log-panel">
            <LogView bridge={bridge} />
          </Panel>
        </div>
      </main>
      <ErrorList errors={shownErrors} onDismiss={dismissErrors} onDismissAll={dismissAll} />
    </>
  );
}

/** The run list, with the current run's step and loss refreshed a few times a second (not the whole page). */
function LiveRunsPanel({ bridge, runs, ...rest }: { bridge: StudioBridge } & ComponentProps<typeof RunsPanel>) {
  const live = useBridgeState(bridge, (s) => s.liveRun);
  const shown = useMemo(() => withLiveRun(runs, live), [runs, live]);
  return <RunsPanel runs={shown} {...rest} />;
}

/** Per-phase progress bars; re-renders on progress events only (not the whole page). */
function LiveProgress({ bridge }: { bridge: StudioBridge }) {
  const phases = useBridgeState(bridge, (s) => s.phases);
  const list: PhaseState[] = PHASE_ORDER.flatMap((p) => {
    const ph = phases[p];
    return ph ? [{ phase: ph.phase, done: ph.done, total: ph.total, label: ph.label }] : [];
  });
  return <PhaseProgress phases={list} />;
}

function LogView({ bridge }: { bridge: StudioBridge }) {
  const log = useBridgeState(bridge, (s) => s.log);
  if (log.length === 0) return <p className="small muted">Nothing logged yet.</p>;
  return (
    <pre className="log" data-testid="log" aria-live="off">
      {log
        .slice(-200)
        .map((l) => `${new Date(l.time).toLocaleTimeString()} ${l.level === 'info' ? '' : `${l.level}: `}${l.message}`)
        .join('\n')}
    </pre>
  );
}

/**
 * The estimate, refined with the measured speed while training. Its own component so that only it
 * re-renders when the speed changes (rounded, so not on every step batch).
 */
function LiveEstimate({ bridge, active }: { bridge: StudioBridge; active: boolean }) {
  const detection = useBridgeState(bridge, (s) => s.detection);
  const settings = useBridgeState(bridge, (s) => s.settings);
  const task = useBridgeState(bridge, (s) => s.task);
  const backend = useBridgeState(bridge, (s) => s.backend?.name ?? null);
  const speed = useBridgeState(bridge, (s) => (active && s.lastStep && s.lastStep.examplesPerSec > 0 ? roundSpeed(s.lastStep.examplesPerSec) : undefined));
  // Masked LM trains on packed sequences (the plan counts them), not on the text's lines.
  const mlmSequences = useBridgeState(bridge, (s) => (s.task === 'mlm' ? (s.plan?.trainExamples ?? null) : null));
  const measured = useBridgeState(bridge, (s) => s.estimate);
  const times = useMemo(() => measuredTimes(measured, speed), [measured, speed]);
  const estimate = useMemo(() => {
    const model = detection?.model;
    if (!model || !detection || detection.counts.train === 0) return null;
    const examples = mlmSequences ?? (settings.maxTrainExamples > 0 ? Math.min(settings.maxTrainExamples, detection.counts.train) : detection.counts.train);
    return estimateRun({
      model,
      maxSeqLength: settings.maxSeqLength,
      batchSize: settings.trainBatchSize,
      trainExamples: examples,
      windowed: task !== null && isSquadTask(task),
      epochs: settings.numTrainEpochs,
      backend,
      measuredSequencesPerSec: speed,
      parameterCounts: trainableCounts(model, task, detection.labels.length, settings),
    });
  }, [detection, settings, task, backend, speed, mlmSequences]);
  return <EstimateView estimate={estimate} measured={measured} times={times} backend={backend} />;
}

/** The trainable-parameter choice with its parameter counts (core paramCounts) for the loaded model. */
function LiveTrainableChoice({ bridge, disabled }: { bridge: StudioBridge; disabled: boolean }) {
  const detection = useBridgeState(bridge, (s) => s.detection);
  const settings = useBridgeState(bridge, (s) => s.settings);
  const task = useBridgeState(bridge, (s) => s.task);
  const counts = useMemo(() => {
    const model = detection?.model;
    if (!model) return null;
    const labels = detection.labels.length;
    return { chosen: trainableCounts(model, task, labels, settings), full: trainableCounts(model, task, labels, { ...settings, trainableParameters: 'full' }) };
  }, [detection, settings, task]);
  return <TrainableChoice settings={settings} numLayers={detection?.model?.numLayers ?? null} counts={counts} onChange={(p) => bridge.updateSettings(p)} disabled={disabled} />;
}

/** Two significant digits: the estimate does not flicker with every step's speed. */
function roundSpeed(x: number): number {
  const p = Math.pow(10, Math.floor(Math.log10(x)) - 1);
  return Math.round(x / p) * p;
}

function useBridgeState<T>(bridge: StudioBridge, selector: (s: StudioState) => T): T {
  return useStore(bridge.store, selector);
}

function fileStem(name: string | undefined): string {
  const s = (name ?? 'tabtune').replace(/[^\w.-]+/g, '-').replace(/^-+|-+$/g, '');
  return s || 'tabtune';
}
