/**
 * A uPlot chart fed from an external source (the series store): it subscribes, and on each
 * animation frame with news pulls the columns through `getData` and calls setData. React renders
 * this component once; steps never re-render it.
 */
import { useEffect, useRef, useState } from 'react';
import uPlot from 'uplot';
import { subscribePerFrame } from './frameScheduler';
import { onThemeChange, readChartColors } from './chartTheme';
import { tickFormatter } from './ticks';

export interface ChartSeries {
  label: string;
  /** Index into the theme's series colours. */
  color: number;
  width?: number;
  dash?: number[];
  /** Draw points only (sparse series such as eval metrics). */
  points?: boolean;
  /** Scale key (series on a second y axis use 'y2'). */
  scale?: string;
}

export interface ChartSource {
  subscribe(listener: () => void): () => void;
}

export interface LiveChartProps {
  title: string;
  testId?: string;
  source: ChartSource;
  /** x column then one column per series, equal lengths. */
  getData: () => uPlot.AlignedData;
  series: ChartSeries[];
  xLabel?: string;
  yLabel?: string;
  /** Label of a second y axis on the right (series with scale 'y2'). */
  y2Label?: string;
  logY?: boolean;
  height?: number;
  emptyText?: string;
  /** Receives the live uPlot instance (for PNG export). */
  onChart?: (chart: uPlot | null) => void;
}

export function LiveChart(props: LiveChartProps) {
  const { title, testId, source, getData, series, xLabel, yLabel, y2Label, logY, height = 200, emptyText = 'No data yet.', onChart } = props;
  const hostRef = useRef<HTMLDivElement>(null);
  const [empty, setEmpty] = useState(true);
  // The latest callbacks, read from the frame callback without re-subscribing.
  const getDataRef = useRef(getData);
  getDataRef.current = getData;
  const onChartRef = useRef(onChart);
  onChartRef.current = onChart;
  const seriesKey = JSON.stringify(series);

  useEffect(() => {
    const host = hostRef.current;
    if (!host) return;
    let chart: uPlot | null = null;
    let lastEmpty = true;

    const build = () => {
      chart?.destroy();
      const colors = readChartColors();
      const axis = (label: string | undefined, scale: string, side?: number): uPlot.Axis => ({
        label,
        scale,
        ...(side === undefined ? {} : { side }),
        stroke: colors.text,
        grid: { stroke: colors.grid, width: 1 },
        ticks: { stroke: colors.grid, width: 1 },
        size: scale === 'x' ? 44 : 56,
        values: tickFormatter(),
      });
      const axes: uPlot.Axis[] = [axis(xLabel, 'x'), axis(yLabel, 'y')];
      if (y2Label) axes.push({ ...axis(y2Label, 'y2', 1), grid: { show: false } });
      const opts: uPlot.Options = {
        width: Math.max(200, host.clientWidth),
        height,
        legend: { live: true },
        cursor: { drag: { x: true, y: false } },
        scales: { x: { time: false }, y: logY ? { distr: 3 } : {}, ...(y2Label ? { y2: {} } : {}) },
        axes,
        series: [
          { label: xLabel ?? 'x' },
          ...series.map((s) => ({
            label: s.label,
            scale: s.scale ?? 'y',
            stroke: colors.series[s.color % colors.series.length],
            width: s.width ?? 1.5,
            dash: s.dash,
            points: s.points ? { show: true, size: 6 } : { show: false },
            spanGaps: true,
          })),
        ],
      };
      chart = new uPlot(opts, getDataRef.current(), host);
      onChartRef.current?.(chart);
    };

    build();
    const unsubscribe = subscribePerFrame(source, () => {
      if (!chart) return;
      const data = getDataRef.current();
      chart.setData(data);
      const isEmpty = data[0].length === 0;
      if (isEmpty !== lastEmpty) {
        lastEmpty = isEmpty;
        setEmpty(isEmpty);
      }
    });
    const ro = typeof ResizeObserver === 'function' ? new ResizeObserver(() => chart?.setSize({ width: Math.max(200, host.clientWidth), height })) : null;
    ro?.observe(host);
    const offTheme = onThemeChange(build);
    return () => {
      unsubscribe();
      ro?.disconnect();
      offTheme();
      chart?.destroy();
      onChartRef.current?.(null);
    };
    // seriesKey stands for `series` (a new array each render with the same content).
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [source, seriesKey, xLabel, yLabel, y2Label, logY, height]);

  return (
    <figure className="chart" data-testid={testId} style={{ margin: 0 }}>
      <h3>{title}</h3>
      <div ref={hostRef} className="plot" role="img" aria-label={`${title} chart`} />
      {empty && <p className="muted small">{emptyText}</p>}
    </figure>
  );
}
