/**
 * A chart source fed through React rather than a stream: the charts redraw whenever `value` (for
 * example the run's evaluations) changes. Streams that change every step use the state's series store (state/series.ts) and
 * frameScheduler instead, outside React.
 */
import { useEffect, useMemo, useRef, type RefObject } from 'react';
import type { ChartSource } from './LiveChart';

export function useValueSource<T>(value: T): { source: ChartSource; latest: RefObject<T> } {
  const source = useMemo(() => {
    const listeners = new Set<() => void>();
    return {
      subscribe(l: () => void) {
        listeners.add(l);
        return () => listeners.delete(l);
      },
      notify() {
        for (const l of listeners) l();
      },
    };
  }, []);
  const latest = useRef(value);
  latest.current = value;
  useEffect(() => source.notify(), [value, source]);
  return { source, latest };
}
