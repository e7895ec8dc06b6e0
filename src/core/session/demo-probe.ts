/**
 * The demo's probe: real training steps of the smallest demo size (its model from scratch, its
 * batch and sequence length, its optimizer, a synthetic full-length batch from calibrate.ts) on
 * the backend in use, then thrown away. Its seconds per step choose the demo's size
 * (demo-size.ts chooseDemoSize).
 *
 * Kept short because on a software renderer each step takes seconds: one warm-up step (shader
 * compilation, first uploads; the demo reuses those programs when the smallest size is chosen),
 * then `timedSteps` timed steps. No memory measurement (the demo's models are a few MB) and no
 * separate evaluation pass: a forward pass is about a third of a training step (backward ≈ 2 ×
 * forward), so evaluation is taken as secondsPerStep / (3 × batch) per example.
 */
import { toDeviceBatch, disposeBatch } from '../model/batch';
import { createBertModel } from '../model/bert-model';
import { demoInitialWeights } from '../data/demo-qa-model';
import type { Settings } from '../settings/schema';
import { createTrainer } from '../train/step';
import { calibrationBatch, timingOptimizer } from './calibrate';
import { demoModelConfig, SMALLEST_DEMO_SIZE, type DemoProbe } from './demo-size';

const abortIf = (signal?: AbortSignal): void => {
  if (signal?.aborted) throw new DOMException('the demo probe was cancelled', 'AbortError');
};

export async function probeDemo(settings: Settings, signal?: AbortSignal, timedSteps = 1): Promise<DemoProbe> {
  const size = SMALLEST_DEMO_SIZE;
  const config = demoModelConfig(size);
  const B = size.settings.trainBatchSize;
  const S = size.settings.maxSeqLength;
  const model = createBertModel(config, demoInitialWeights(settings.seed, config), { kind: 'span' }, { seed: settings.seed, source: 'demo probe' });
  const trainer = createTrainer(model, timingOptimizer(settings), { seed: settings.seed, dropout: settings.dropout ?? true });
  const batch = toDeviceBatch(calibrationBatch(model, B, S));
  try {
    abortIf(signal);
    await trainer.step(batch);
    const n = Math.max(1, timedSteps);
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      abortIf(signal);
      await trainer.step(batch);
    }
    const secondsPerStep = (performance.now() - t0) / 1000 / n;
    abortIf(signal);
    return { size, secondsPerStep, evalSecondsPerExample: secondsPerStep / (3 * B) };
  } finally {
    disposeBatch(batch);
    trainer.dispose();
    model.dispose();
  }
}
