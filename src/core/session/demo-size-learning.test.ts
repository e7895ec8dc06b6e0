/**
 * The smaller demo sizes learn: the demo at the size a slow device gets (SMALLEST_DEMO_SIZE) and
 * at the medium size (each its model from scratch, its data and settings, seed 1) trains end to
 * end on WASM through the session, the loss falls, the held-out questions are answered (dev
 * exact match), and the first held-out question the QA demo offers is answered with the
 * generator's exact answer. The full size is demo-qa-learning.test.ts's.
 */
import { describe, expect, it } from 'vitest';
import { readShared } from '../../testing/shared';
import { sessionHarness } from '../../testing/session-harness';
import { generateDemoQa } from '../data/demo-qa';
import { demoSizeNamed, demoSteps, SMALLEST_DEMO_SIZE, type DemoSizeName } from './demo-size';

describe('the smaller demo sizes', () => {
  it.each([SMALLEST_DEMO_SIZE.name, 'medium' as DemoSizeName])('%s trains from scratch and answers its first held-out question exactly', async (name) => {
    const size = demoSizeNamed(name);
    const { session: h, of } = sessionHarness({ loadDemoVocab: async () => readShared('fixtures', 'vocab', 'bert-base-uncased.txt').split('\n').slice(0, 30522) });
    const t0 = Date.now();
    await h.demo(`demo-${name}`, 'Demo', { size: size.name });
    await h.idle();
    const seconds = (Date.now() - t0) / 1000;
    expect(of('error')).toEqual([]);

    const run = of('runStarted')[0].run;
    expect(run.settings.maxSeqLength).toBe(size.settings.maxSeqLength);
    expect(run.settings.trainBatchSize).toBe(size.settings.trainBatchSize);
    expect(run.totalSteps).toBe(demoSteps(size));
    const steps = of('step').flatMap((e) => e.steps);
    expect(steps.length).toBe(run.totalSteps);
    const first = steps[0].loss;
    const last = steps.slice(-5).reduce((s, x) => s + x.loss, 0) / 5;
    expect(last).toBeLessThan(first / 2);

    const finished = of('finished').at(-1)!;
    expect(finished.reason).toBe('completed');
    const em = finished.metrics.exact_match ?? finished.metrics.exact;
    console.log(`demo ${size.name}: ${steps.length} steps in ${seconds.toFixed(0)} s, loss ${first.toFixed(2)} -> ${last.toFixed(2)}, curve ${steps.filter((_, i) => i % 6 === 0).map((x) => x.loss.toFixed(2)).join(' ')}, metrics ${JSON.stringify(finished.metrics)}`);
    expect(em).toBeGreaterThanOrEqual(75);

    const q = of('demoData').at(-1)!.questions[0];
    const dev = generateDemoQa({ seed: 1, trainParagraphs: size.trainParagraphs, devParagraphs: size.devParagraphs, factsPerParagraph: [size.factsPerParagraph, size.factsPerParagraph] }).dev.data[0].paragraphs;
    const expected = dev.find((p) => p.context === q.context)!.qas.find((x) => x.question === q.question)!.answers[0].text;
    await h.predict(1, { kind: 'qa', context: q.context, question: q.question });
    const p = of('prediction').at(-1)!;
    if (p.result?.kind !== 'qa') throw new Error(`expected a QA result, got ${JSON.stringify(p)}`);
    expect(p.result.best!.text).toBe(expected);
  }, 300_000);
});
