/**
 * The built-in demo learns, as shipped, at its full size (what a real GPU gets; demo-size.ts):
 * the session's demo (the generated data, DEMO_MODEL_CONFIG from scratch, DEMO_SETTINGS, no
 * overrides) trains on the WASM backend, the
 * loss falls, and the held-out (dev) questions are answered exactly, including the first one the
 * QA demo offers.
 */
import { describe, expect, it } from 'vitest';
import { readShared } from '../../testing/shared';
import { sessionHarness } from '../../testing/session-harness';
import { DEMO_SETTINGS, generateDemoQa } from './demo-qa';

describe('the built-in demo, as shipped', () => {
  it('trains from scratch within a few dozen steps and answers held-out questions exactly', async () => {
    const { session: h, of } = sessionHarness({ loadDemoVocab: async () => readShared('fixtures', 'vocab', 'bert-base-uncased.txt').split('\n').slice(0, 30522) });
    const t0 = Date.now();
    await h.demo('demo-learn', 'Demo', { size: 'full' });
    await h.idle();
    const seconds = (Date.now() - t0) / 1000;
    expect(of('error')).toEqual([]);

    const run = of('runStarted')[0].run;
    expect(run.settings.maxSeqLength).toBe(DEMO_SETTINGS.maxSeqLength);
    const steps = of('step').flatMap((e) => e.steps);
    expect(steps.length).toBe(run.totalSteps);
    expect(steps.length).toBeLessThanOrEqual(150);
    const first = steps[0].loss;
    const last = steps.slice(-5).reduce((s, x) => s + x.loss, 0) / 5;
    expect(first).toBeGreaterThan(0.8 * 2 * Math.log(DEMO_SETTINGS.maxSeqLength) / 2);
    expect(last).toBeLessThan(first / 2);

    const finished = of('finished').at(-1)!;
    expect(finished.reason).toBe('completed');
    const em = finished.metrics.exact_match ?? finished.metrics.exact;
    console.log(`curve ${steps.filter((_, i) => i % 8 === 0).map((x) => x.loss.toFixed(2)).join(" ")}`);
    console.log(`demo: ${steps.length} steps in ${seconds.toFixed(0)} s, loss ${first.toFixed(2)} -> ${last.toFixed(2)}, metrics ${JSON.stringify(finished.metrics)}`);
    expect(em).toBeGreaterThanOrEqual(80);

    // The first held-out question the QA demo offers, answered through 'predict', equals the
    // generator's answer (looked up in a freshly generated dev split, not from the event).
    const q = of('demoData').at(-1)!.questions[0];
    const dev = generateDemoQa({ seed: 1 }).dev.data[0].paragraphs;
    const expected = dev.find((p) => p.context === q.context)!.qas.find((x) => x.question === q.question)!.answers[0].text;
    await h.predict(1, { kind: 'qa', context: q.context, question: q.question });
    const p = of('prediction').at(-1)!;
    if (p.result?.kind !== 'qa') throw new Error(`expected a QA result, got ${JSON.stringify(p)}`);
    expect(p.result.best!.text).toBe(expected);
  }, 240_000);
});
