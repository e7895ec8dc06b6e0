/**
 * Stored runs' curves on one chart, aligned on the step axis: any per-step series (loss, learning
 * rate, gradient norm, speed; smoothed) or any evaluation metric the runs report (F1, accuracy...
 * at their evaluation steps).
 */
import { useEffect, useId, useMemo, useState } from 'react';
import uPlot from 'uplot';
import type { EvalResult, StepMetrics } from '../../core/train';
import { LiveChart, type ChartSource } from '../charts/LiveChart';
import { smoothSeries } from '../charts/smoothing';

export interface CompareChartProps {
  runs: Array<{ id: string; name: string; evals?: EvalResult[] }>;
  loadSeries: (id: string) => Promise<StepMetrics[]>;
}

const idle: ChartSource = { subscribe: () => () => undefined };

/** The per-step series a comparison can draw. */
const STEP_METRICS = {
  loss: 'Loss',
  learningRate: 'Learning rate',
  gradNorm: 'Gradient norm',
  examplesPerSec: 'Examples per second',
} as const satisfies Partial<Record<keyof StepMetrics, string>>;

type StepMetricKey = keyof typeof STEP_METRICS;

/** `step:<key>` for a per-step series, `eval:<name>` for an evaluation metric. */
export type CompareMetric = `step:${StepMetricKey}` | `eval:${string}`;

/** The metrics the runs can be compared on: the per-step series, then every evaluation metric any of them reports. */
export function compareMetrics(runs: CompareChartProps['runs']): Array<{ value: CompareMetric; label: string }> {
  const evalNames = [...new Set(runs.flatMap((r) => (r.evals ?? []).flatMap((e) => Object.keys(e.metrics))))].sort();
  return [
    ...(Object.keys(STEP_METRICS) as StepMetricKey[]).map((k) => ({ value: `step:${k}` as CompareMetric, label: STEP_METRICS[k] })),
    ...evalNames.map((n) => ({ value: `eval:${n}` as CompareMetric, label: `Dev ${n}` })),
  ];
}

/** One run's (step, value) points for a metric (per-step series smoothed). */
export function metricPoints(metric: CompareMetric, steps: readonly StepMetrics[], evals: readonly EvalResult[], smoothing: number): { steps: number[]; values: number[] } {
  if (metric.startsWith('eval:')) {
    const name = metric.slice(5);
    const pts = evals.filter((e) => typeof e.metrics[name] === 'number').sort((a, b) => a.step - b.step);
    return { steps: pts.map((e) => e.step), values: pts.map((e) => e.metrics[name]) };
  }
  const key = metric.slice(5) as StepMetricKey;
  const values = steps.map((s) => s[key]);
  return { steps: steps.map((s) => s.step), values: key === 'learningRate' ? values : smoothSeries(values, smoothing) };
}

/** Aligns several (step, value) series on one x axis (null where a run has no point). */
export function alignSeries(curves: Array<{ steps: ArrayLike<number>; values: ArrayLike<number> }>): uPlot.AlignedData {
  if (curves.length === 0) return [[]];
  return uPlot.join(curves.map((c) => [Array.from(c.steps), Array.from(c.values)] as uPlot.AlignedData));
}

export function CompareChart({ runs, loadSeries }: CompareChartProps) {
  const [loaded, setLoaded] = useState<Record<string, StepMetrics[]>>({});
  const [smoothing, setSmoothing] = useState(0.9);
  const [metric, setMetric] = useState<CompareMetric>('step:loss');
  const [error, setError] = useState<string | null>(null);
  const metricId = useId();
  const key = runs.map((r) => r.id).join('|');
  const options = useMemo(() => compareMetrics(runs), [runs]);
  const label = options.find((o) => o.value === metric)?.label ?? 'Loss';

  useEffect(() => {
    let cancelled = false;
    Promise.all(runs.map(async (r) => [r.id, await loadSeries(r.id)] as const))
      .then((pairs) => {
        if (!cancelled) setLoaded(Object.fromEntries(pairs));
      })
      .catch((e: unknown) => !cancelled && setError(e instanceof Error ? e.message : String(e)));
    return () => {
      cancelled = true;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);

  const data = useMemo(
    () => alignSeries(runs.map((r) => metricPoints(metric, loaded[r.id] ?? [], r.evals ?? [], smoothing))),
    [runs, loaded, smoothing, metric],
  );

  if (runs.length < 2) return <p className="small muted">Tick “Compare” on two runs to draw their curves together.</p>;
  return (
    <div data-testid="compare-chart-panel">
      <div className="row small">
        <label htmlFor={metricId}>Metric</label>
        <select id={metricId} data-testid="compare-metric" value={metric} onChange={(e) => setMetric(e.target.value as CompareMetric)}>
          {options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
        <label htmlFor="compare-smoothing">Smoothing</label>
        <input id="compare-smoothing" type="range" min={0} max={0.99} step={0.01} value={smoothing} disabled={metric.startsWith('eval:')} onChange={(e) => setSmoothing(Number(e.target.value))} />
        <span>{smoothing.toFixed(2)}</span>
      </div>
      {error && <p className="small" style={{ color: 'var(--bad)' }}>Could not read a stored run: {error}</p>}
      <LiveChart
        key={`${key}:${metric}:${smoothing}:${Object.keys(loaded).join(',')}`}
        title={`${label}: run comparison`}
        testId="compare-chart"
        source={idle}
        getData={() => data}
        series={runs.map((r, i) => ({ label: r.name, color: i, width: 2 }))}
        xLabel="step"
      />
    </div>
  );
}
