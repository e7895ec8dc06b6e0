/** Two stored runs' loss curves on one chart (smoothed, aligned on the step axis). */
import { useEffect, useMemo, useState } from 'react';
import uPlot from 'uplot';
import type { StepMetrics } from '../../core/train';
import { LiveChart, type ChartSource } from '../charts/LiveChart';
import { smoothSeries } from '../charts/smoothing';

export interface CompareChartProps {
  runs: Array<{ id: string; name: string }>;
  loadSeries: (id: string) => Promise<StepMetrics[]>;
}

const idle: ChartSource = { subscribe: () => () => undefined };

/** Aligns several (step, value) series on one x axis (null where a run has no point). */
export function alignSeries(curves: Array<{ steps: ArrayLike<number>; values: ArrayLike<number> }>): uPlot.AlignedData {
  if (curves.length === 0) return [[]];
  return uPlot.join(curves.map((c) => [Array.from(c.steps), Array.from(c.values)] as uPlot.AlignedData));
}

export function CompareChart({ runs, loadSeries }: CompareChartProps) {
  const [loaded, setLoaded] = useState<Record<string, StepMetrics[]>>({});
  const [smoothing, setSmoothing] = useState(0.9);
  const [error, setError] = useState<string | null>(null);
  const key = runs.map((r) => r.id).join('|');

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
    () =>
      alignSeries(
        runs.map((r) => {
          const steps = loaded[r.id] ?? [];
          return { steps: steps.map((s) => s.step), values: smoothSeries(steps.map((s) => s.loss), smoothing) };
        }),
      ),
    [runs, loaded, smoothing],
  );

  if (runs.length < 2) return <p className="small muted">Tick “Compare” on two runs to draw their loss curves together.</p>;
  return (
    <div data-testid="compare-chart-panel">
      <div className="row small">
        <label htmlFor="compare-smoothing">Smoothing</label>
        <input id="compare-smoothing" type="range" min={0} max={0.99} step={0.01} value={smoothing} onChange={(e) => setSmoothing(Number(e.target.value))} />
        <span>{smoothing.toFixed(2)}</span>
      </div>
      {error && <p className="small" style={{ color: 'var(--bad)' }}>Could not read a stored run: {error}</p>}
      <LiveChart
        key={`${key}:${smoothing}:${Object.keys(loaded).join(',')}`}
        title="Loss: run comparison"
        testId="compare-chart"
        source={idle}
        getData={() => data}
        series={runs.map((r, i) => ({ label: r.name, color: i, width: 2 }))}
        xLabel="step"
      />
    </div>
  );
}
