/** Concrete colours for canvas charts, read from the page's CSS variables (theme-aware). */
export interface ChartColors {
  text: string;
  grid: string;
  series: string[];
}

export function readChartColors(el: Element = document.documentElement): ChartColors {
  const cs = getComputedStyle(el);
  const v = (name: string, fallback: string) => cs.getPropertyValue(name).trim() || fallback;
  return {
    text: v('--muted', '#5b6275'),
    grid: v('--border', '#d9dde8'),
    series: [v('--chart-1', '#4f46e5'), v('--chart-2', '#e8590c'), v('--chart-3', '#0f9d58'), v('--chart-4', '#c2255c')],
  };
}

/** Fires when the theme changes (system preference or the page's toggle). */
export function onThemeChange(listener: () => void): () => void {
  const mq = typeof matchMedia === 'function' ? matchMedia('(prefers-color-scheme: dark)') : null;
  mq?.addEventListener('change', listener);
  const obs = new MutationObserver(listener);
  obs.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
  return () => {
    mq?.removeEventListener('change', listener);
    obs.disconnect();
  };
}
