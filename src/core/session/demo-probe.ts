/**
 * The demo's probe: a few real training steps of the smallest demo size (its model from scratch,
 * its batch and sequence length, its optimizer) on the backend in use, through calibrate.ts, then
 * thrown away. Its seconds per step choose the demo's size (demo-size.ts chooseDemoSize). The
 * warm-up step compiles the smallest size's programs, which the demo reuses when it is chosen.
 */
import { createBertModel } from '../model/bert-model';
import { demoInitialWeights } from '../data/demo-qa-model';
import type { Settings } from '../settings/schema';
import { calibrate } from './calibrate';
import { demoModelConfig, SMALLEST_DEMO_SIZE, type DemoProbe } from './demo-size';

export async function probeDemo(settings: Settings, signal?: AbortSignal): Promise<DemoProbe> {
  const size = SMALLEST_DEMO_SIZE;
  const config = demoModelConfig(size);
  const model = createBertModel(config, demoInitialWeights(settings.seed, config), { kind: 'span' }, { seed: settings.seed, source: 'demo probe' });
  try {
    const c = await calibrate({ model, settings, batchSize: size.settings.trainBatchSize, seqLength: size.settings.maxSeqLength, timedSteps: 2, signal });
    return { size, secondsPerStep: c.secondsPerStep, evalSecondsPerExample: c.evalSecondsPerExample };
  } finally {
    model.dispose();
  }
}
