/**
 * The session sizes the demo itself when no size is given: a probe of the smallest size runs on
 * the backend ('demoSize' measuring, then chosen with the reason), the run uses the chosen
 * size's settings and model, and its record keeps the size so a resume rebuilds the same demo.
 * (maxTrainExamples keeps the training itself to one step; the learning is demo-size-learning.test.ts's.)
 */
import { describe, expect, it } from 'vitest';
import { createSession } from './session';
import type { SessionEvent, SessionEventOf, SessionEventType } from './events';
import { createMemoryRunStorage } from '../io/run-storage';
import { readShared } from '../../testing/shared';
import { DEMO_SIZES, demoSizeNamed } from './demo-size';

describe('the demo sizes itself', () => {
  it('probes the backend, reports its choice and runs at that size', async () => {
    const events: SessionEvent[] = [];
    const of = <T extends SessionEventType>(type: T) => events.filter((e): e is SessionEventOf<T> => e.type === type);
    const storage = createMemoryRunStorage();
    const h = createSession({
      emit: (ev) => events.push(ev),
      storage,
      preferredBackend: 'wasm',
      loadDemoVocab: async () => readShared('fixtures', 'vocab', 'bert-base-uncased.txt').split('\n').slice(0, 30522),
    });
    await h.demo('demo-sized', 'Demo', { settings: { maxTrainExamples: 16 } });
    await h.idle();
    expect(of('error')).toEqual([]);

    const sized = of('demoSize');
    expect(sized.map((e) => e.status)).toEqual(['measuring', 'chosen']);
    const choice = sized[1].choice!;
    expect(DEMO_SIZES.map((s) => s.name)).toContain(choice.size);
    expect(choice.device).toBe('cpu');
    expect(choice.probeSecondsPerStep).toBeGreaterThan(0);
    expect(choice.reason).toMatch(/^no GPU \(CPU fallback\): \d+ steps, hidden \d+, \d+ layers?, sequence \d+$/);
    // The size chosen is the largest predicted within the budget (or the smallest).
    expect(choice.overBudget || choice.predictedSeconds <= choice.budgetSeconds).toBe(true);
    // The demoSize event comes before the run starts, and the run is that size.
    expect(events.findIndex((e) => e.type === 'demoSize' && e.status === 'chosen')).toBeLessThan(events.findIndex((e) => e.type === 'runStarted'));
    const size = demoSizeNamed(choice.size);
    const run = of('runStarted')[0].run;
    expect(run.settings.maxSeqLength).toBe(size.settings.maxSeqLength);
    expect(run.settings.trainBatchSize).toBe(size.settings.trainBatchSize);
    expect((await storage.getRun('demo-sized'))?.demoSize).toBe(choice.size);
    expect(of('log').some((l) => l.message.startsWith(`demo size: ${choice.reason}`))).toBe(true);

    // The record keeps the whole choice, so the run reopened later (here by a new session on the
    // same storage, as after a reload) says again what was chosen and why, without a new probe.
    expect((await storage.getRun('demo-sized'))?.demoChoice).toEqual(choice);
    const later: SessionEvent[] = [];
    const reopened = createSession({
      emit: (ev) => later.push(ev),
      storage,
      preferredBackend: 'wasm',
      loadDemoVocab: async () => readShared('fixtures', 'vocab', 'bert-base-uncased.txt').split('\n').slice(0, 30522),
    });
    await reopened.resumeRun('demo-sized');
    await reopened.idle();
    expect(later.filter((e) => e.type === 'error')).toEqual([]);
    expect(later.filter((e) => e.type === 'demoSize')).toEqual([{ type: 'demoSize', status: 'chosen', runId: 'demo-sized', choice }]);
    expect(later.findIndex((e) => e.type === 'demoSize')).toBeGreaterThan(later.findIndex((e) => e.type === 'runStarted'));
  }, 120_000);

  it('stops before it starts when Stop comes while it is being sized', async () => {
    const events: SessionEvent[] = [];
    const h = createSession({
      emit: (ev) => events.push(ev),
      storage: createMemoryRunStorage(),
      preferredBackend: 'wasm',
      loadDemoVocab: async () => readShared('fixtures', 'vocab', 'bert-base-uncased.txt').split('\n').slice(0, 30522),
    });
    const started = h.demo('demo-stopped', 'Demo');
    while (!events.some((e) => e.type === 'demoSize')) await new Promise((r) => setTimeout(r, 0));
    h.stop();
    await started;
    await h.idle();
    expect(events.filter((e) => e.type === 'error')).toEqual([]);
    expect(events.filter((e) => e.type === 'demoSize').map((e) => e.type === 'demoSize' && e.status)).toEqual(['measuring']);
    expect(events.some((e) => e.type === 'runStarted')).toBe(false);
    expect(events.filter((e) => e.type === 'status').map((e) => e.type === 'status' && e.status).slice(-2)).toEqual(['stopping', 'stopped']);
  }, 60_000);
});
