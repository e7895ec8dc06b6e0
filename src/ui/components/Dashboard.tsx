/**
 * The live dashboard: latest numbers as text (written straight into the DOM once per frame) and
 * uPlot charts of loss (raw and smoothed), learning rate, gradient norm, speed and eval metrics.
 */
import { useEffect, useMemo, useRef } from 'react';
import type uPlot from 'uplot';
import type { RunInfo } from '../../protocol/events';
import type { EvalResult } from '../../core/train';
import type { SeriesStore } from '../../state/series';
import { LiveChart } from '../charts/LiveChart';
import { useValueSource } from '../charts/valueSource';
import { subscribePerFrame } from '../charts/frameScheduler';
import { chartableMetrics, computeLiveStats, type LiveStats } from '../charts/liveStats';
import { formatBytes, formatDuration, formatMetric, formatRate } from '../format/numbers';

export interface DashboardProps {
  series: SeriesStore;
  run: RunInfo | null;
  evals: EvalResult[];
  /** Receives the loss chart (for the PNG download). */
  onLossChart?: (chart: uPlot | null) => void;
}

type StatKey = 'step' | 'loss' | 'smoothed' | 'lr' | 'grad' | 'speed' | 'eta' | 'memory';

function statText(s: LiveStats, totalSteps: number | null): Record<StatKey, string> {
  return {
    step: s.step === null ? '–' : totalSteps ? `${s.step} / ${totalSteps}` : String(s.step),
    loss: formatMetric(s.loss),
    smoothed: formatMetric(s.smoothedLoss),
    lr: formatMetric(s.learningRate),
    grad: formatMetric(s.gradNorm),
    speed: s.examplesPerSec === null ? '–' : formatRate(s.examplesPerSec, 'ex'),
    eta: s.etaSeconds === null ? '–' : formatDuration(s.etaSeconds),
    memory: s.memoryBytes === null ? '–' : formatBytes(s.memoryBytes),
  };
}

const STATS: Array<{ key: StatKey; label: string; testId?: string }> = [
  { key: 'step', label: 'Step', testId: 'latest-step' },
  { key: 'loss', label: 'Loss', testId: 'latest-loss' },
  { key: 'smoothed', label: 'Smoothed loss' },
  { key: 'lr', label: 'Learning rate' },
  { key: 'grad', label: 'Gradient norm' },
  { key: 'speed', label: 'Speed', testId: 'speed' },
  { key: 'eta', label: 'Time left', testId: 'eta' },
  { key: 'memory', label: 'GPU memory' },
];

export function Dashboard({ series, run, evals, onLossChart }: DashboardProps) {
  const refs = useRef<Partial<Record<StatKey, HTMLElement | null>>>({});
  const pointsRef = useRef<HTMLSpanElement>(null);
  const totalSteps = run?.totalSteps ?? null;
  const examplesPerStep = run ? run.settings.trainBatchSize * run.settings.gradientAccumulationSteps : null;

  useEffect(() => {
    return subscribePerFrame(series, () => {
      const s = computeLiveStats(series.columns(), totalSteps, examplesPerStep);
      const text = statText(s, totalSteps);
      for (const { key } of STATS) {
        const el = refs.current[key];
        if (el && el.textContent !== text[key]) el.textContent = text[key];
      }
      if (pointsRef.current) pointsRef.current.textContent = String(s.points);
    });
  }, [series, totalSteps, examplesPerStep]);

  const metricKeys = useMemo(() => chartableMetrics(evals.flatMap((e) => Object.keys(e.metrics))), [evals]);
  const { source: evalSource, latest: evalsRef } = useValueSource(evals);

  return (
    <div data-testid="dashboard">
      <div className="stats">
        {STATS.map((s) => (
          <div className="stat" key={s.key}>
            <div className="label">{s.label}</div>
            <div
              className="value"
              data-testid={s.testId}
              ref={(el) => {
                refs.current[s.key] = el;
              }}
            >
              –
            </div>
          </div>
        ))}
      </div>
      <p className="small muted">
        <span ref={pointsRef} data-testid="loss-points">
          0
        </span>{' '}
        steps recorded{run ? ` · run “${run.runName}”, ${run.task}` : ''}. Drag across a chart to zoom, double-click to reset.
      </p>
      <div className="charts">
        <LiveChart
          title="Training loss"
          testId="loss-chart"
          source={series}
          getData={() => {
            const c = series.columns();
            return [c.step, c.loss, c.smoothedLoss];
          }}
          series={[
            { label: 'loss', color: 0, width: 1 },
            { label: 'smoothed', color: 1, width: 2 },
          ]}
          xLabel="step"
          emptyText="The loss appears here at the first step."
          onChart={onLossChart}
        />
        <LiveChart
          title="Learning rate"
          testId="lr-chart"
          source={series}
          getData={() => {
            const c = series.columns();
            return [c.step, c.learningRate];
          }}
          series={[{ label: 'learning rate', color: 2 }]}
          xLabel="step"
        />
        <LiveChart
          title="Gradient norm"
          testId="grad-chart"
          source={series}
          getData={() => {
            const c = series.columns();
            return [c.step, c.gradNorm];
          }}
          series={[{ label: 'gradient norm (before clipping)', color: 3 }]}
          xLabel="step"
        />
        <LiveChart
          title="Speed"
          testId="speed-chart"
          source={series}
          getData={() => {
            const c = series.columns();
            return [c.step, c.examplesPerSec];
          }}
          series={[{ label: 'examples/s', color: 0 }]}
          xLabel="step"
        />
        <LiveChart
          title="Evaluation"
          testId="eval-chart"
          source={evalSource}
          getData={() => {
            const ev = evalsRef.current;
            return [ev.map((e) => e.step), ...metricKeys.map((k) => ev.map((e) => e.metrics[k] ?? null))] as uPlot.AlignedData;
          }}
          series={metricKeys.map((k, i) => ({ label: k, color: i, points: true }))}
          xLabel="step"
          emptyText="Dev-set metrics appear at each evaluation."
        />
      </div>
    </div>
  );
}
