import { describe, expect, it } from 'vitest';
import { createFrameScheduler, subscribePerFrame, type FrameApi } from './frameScheduler';

function fakeFrames() {
  const queue = new Map<number, () => void>();
  let next = 1;
  const api: FrameApi = {
    requestAnimationFrame(cb) {
      queue.set(next, cb);
      return next++;
    },
    cancelAnimationFrame(id) {
      queue.delete(id);
    },
  };
  const flush = () => {
    const cbs = [...queue.values()];
    queue.clear();
    cbs.forEach((cb) => cb());
  };
  return { api, flush, pending: () => queue.size };
}

describe('frame scheduler', () => {
  it('runs once per frame however many requests come in', () => {
    const f = fakeFrames();
    let runs = 0;
    const s = createFrameScheduler(() => runs++, f.api);
    for (let i = 0; i < 1000; i++) s.request();
    expect(f.pending()).toBe(1);
    f.flush();
    expect(runs).toBe(1);
    s.request();
    f.flush();
    expect(runs).toBe(2);
    s.request();
    s.cancel();
    f.flush();
    expect(runs).toBe(2);
  });

  it('subscribePerFrame draws once at start and once per frame with news, and stops after unsubscribe', () => {
    const f = fakeFrames();
    const listeners = new Set<() => void>();
    const source = { subscribe: (l: () => void) => (listeners.add(l), () => listeners.delete(l)) };
    let draws = 0;
    const off = subscribePerFrame(source, () => draws++, f.api);
    f.flush();
    expect(draws).toBe(1);
    for (let i = 0; i < 50; i++) listeners.forEach((l) => l());
    f.flush();
    expect(draws).toBe(2);
    off();
    expect(listeners.size).toBe(0);
    f.flush();
    expect(draws).toBe(2);
  });
});
