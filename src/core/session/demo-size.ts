/**
 * How big the built-in demo is, chosen from a measurement on the backend in use, so that it
 * finishes in about a minute on a real GPU and in a few minutes at most on a software renderer
 * or the CPU fallback.
 *
 *   DEMO_SIZES            full / medium / small, largest first: the model's width and depth, the
 *                         sequence length, the generated data and the training settings.
 *   predictDemoSeconds    a probe's measured seconds per step (the smallest size, calibrate.ts)
 *                         scaled to another size by an upper bound of its cost (below).
 *   chooseDemoSize        the largest size whose predicted time fits the backend's budget
 *                         (the smallest when none does), with the reason in words.
 *
 * Cost model. A step's time is about a·D + b·F + c·W: D dispatches (≈ proportional to layers + 1
 * for the embeddings, head and optimizer), F matmul FLOPs (model/params.ts trainingStepFlops), W
 * weights the optimizer updates (the word embeddings dominate). With a, b, c ≥ 0 unknown, the
 * ratio of two sizes' times is at most the largest of the three ratios: the prediction is an
 * upper bound of the time a size takes if the probe's size took the measured time.
 *
 * Every size learns (WASM, seed 1, measured on 2026-12-02): full 150 steps, dev EM 88
 * (demo-qa-learning.test.ts); medium 80 steps, EM 97.5; small 40 steps, EM 90
 * (demo-size-learning.test.ts, which trains both end to end on every test run). The
 * full size's three facts per paragraph need ~80 steps before the model learns which slot a
 * question asks for; with one fact per paragraph (medium, small) 40 steps suffice, where three
 * facts at hidden 32 and one layer reached only EM 55 in 60 steps and 67 in 90. The small size's
 * step is mostly fixed cost on a software renderer (SwiftShader here, loaded: 4.7 s a step for
 * 45 MFLOP), so its step count is what the budget buys.
 */
import type { BackendName } from '../backend/init';
import type { BertConfig } from '../model/config';
import { trainingStepFlops } from '../model/params';
import { encoderParamShapes } from '../model/params';
import type { Settings } from '../settings/schema';
import { DEMO_MODEL_CONFIG, DEMO_SETTINGS } from '../data/demo-qa';

export type DemoSizeName = 'full' | 'medium' | 'small';

export interface DemoSize {
  name: DemoSizeName;
  /** The model from scratch: DEMO_MODEL_CONFIG with these changes. */
  model: Pick<BertConfig, 'hiddenSize' | 'numHiddenLayers' | 'numAttentionHeads' | 'intermediateSize'>;
  /** Training paragraphs of the generated set (one question per fact, one window per question). */
  trainParagraphs: number;
  /** Facts (and so questions) per paragraph, 1..3: fewer make shorter contexts and an easier task. */
  factsPerParagraph: number;
  /** Held-out paragraphs (evaluated once, at the end). */
  devParagraphs: number;
  /** The demo's settings over DEMO_SETTINGS. */
  settings: Pick<Settings, 'maxSeqLength' | 'docStride' | 'trainBatchSize' | 'numTrainEpochs' | 'learningRate'>;
}

/** Largest first. The smallest is the probe's size. */
export const DEMO_SIZES: readonly DemoSize[] = [
  {
    name: 'full',
    model: { hiddenSize: 64, numHiddenLayers: 2, numAttentionHeads: 2, intermediateSize: 128 },
    trainParagraphs: 400, factsPerParagraph: 3, devParagraphs: 40,
    settings: { maxSeqLength: 56, docStride: 24, trainBatchSize: 16, numTrainEpochs: 2, learningRate: 5e-3 },
  },
  {
    // One fact per paragraph: shorter windows (40 tokens) and one answer to find.
    name: 'medium',
    model: { hiddenSize: 64, numHiddenLayers: 2, numAttentionHeads: 2, intermediateSize: 128 },
    trainParagraphs: 640, factsPerParagraph: 1, devParagraphs: 40,
    settings: { maxSeqLength: 40, docStride: 16, trainBatchSize: 16, numTrainEpochs: 2, learningRate: 5e-3 },
  },
  {
    // One epoch: each of its 40 steps sees new questions.
    name: 'small',
    model: { hiddenSize: 32, numHiddenLayers: 1, numAttentionHeads: 2, intermediateSize: 64 },
    trainParagraphs: 640, factsPerParagraph: 1, devParagraphs: 20,
    settings: { maxSeqLength: 40, docStride: 16, trainBatchSize: 16, numTrainEpochs: 1, learningRate: 5e-3 },
  },
];

export const SMALLEST_DEMO_SIZE: DemoSize = DEMO_SIZES[DEMO_SIZES.length - 1];

export function demoSizeNamed(name: string | undefined): DemoSize {
  if (name === undefined) return DEMO_SIZES[0];
  const s = DEMO_SIZES.find((x) => x.name === name);
  if (!s) throw new Error(`unknown demo size "${name}": expected one of ${DEMO_SIZES.map((x) => x.name).join(', ')}`);
  return s;
}

export function demoModelConfig(size: DemoSize): BertConfig {
  return { ...DEMO_MODEL_CONFIG, ...size.model };
}

/** The demo's settings at this size (over SQuAD's defaults): DEMO_SETTINGS with the size's own. */
export function demoSizeSettings(size: DemoSize): typeof DEMO_SETTINGS {
  return { ...DEMO_SETTINGS, ...size.settings };
}

/** Optimizer steps of a size: one window per question, every epoch in full batches and a last partial one. */
export function demoSteps(size: DemoSize): number {
  const features = size.trainParagraphs * size.factsPerParagraph;
  return Math.ceil(features / size.settings.trainBatchSize) * size.settings.numTrainEpochs;
}

/** Where the demo runs, as far as its speed goes. */
export type DemoDeviceKind = 'gpu' | 'software-gpu' | 'cpu';

/** Seconds the demo may take: about a minute on a real GPU, a few minutes at most elsewhere. */
export const DEMO_BUDGET_SECONDS: Record<DemoDeviceKind, number> = { gpu: 60, 'software-gpu': 180, cpu: 180 };

export function demoDeviceKind(backend: BackendName, softwareRenderer: boolean): DemoDeviceKind {
  if (backend === 'webgpu' || backend === 'webgl') return softwareRenderer ? 'software-gpu' : 'gpu';
  return 'cpu';
}

export const DEMO_DEVICE_WORDS: Record<DemoDeviceKind, string> = {
  gpu: 'GPU',
  'software-gpu': 'slow GPU (software renderer)',
  cpu: 'no GPU (CPU fallback)',
};

/** Upper bound of a size's step time relative to another's (see the cost model above). */
export function stepCostRatio(size: DemoSize, probe: DemoSize): number {
  const flops = (s: DemoSize) => trainingStepFlops(demoModelConfig(s), 2, s.settings.trainBatchSize, s.settings.maxSeqLength);
  const weights = (s: DemoSize) => [...encoderParamShapes(demoModelConfig(s)).values()].reduce((n, shape) => n + shape.reduce((a, b) => a * b, 1), 0);
  const dispatches = (s: DemoSize) => s.model.numHiddenLayers + 1;
  return Math.max(1, flops(size) / flops(probe), weights(size) / weights(probe), dispatches(size) / dispatches(probe));
}

export interface DemoProbe {
  /** The probe's size (the smallest). */
  size: DemoSize;
  /** Measured mean seconds per step at the probe's size, after a warm-up step. */
  secondsPerStep: number;
  /** Measured seconds of one forward pass per example (evaluation). */
  evalSecondsPerExample: number;
}

/** Predicted seconds of a size's training and its one evaluation (dev questions), from the probe. */
export function predictDemoSeconds(size: DemoSize, probe: DemoProbe): number {
  const r = stepCostRatio(size, probe.size);
  const evalExamples = size.devParagraphs * size.factsPerParagraph;
  return r * (demoSteps(size) * probe.secondsPerStep + evalExamples * probe.evalSecondsPerExample);
}

export interface DemoSizeChoice {
  size: DemoSizeName;
  device: DemoDeviceKind;
  steps: number;
  hiddenSize: number;
  numHiddenLayers: number;
  maxSeqLength: number;
  trainExamples: number;
  /** Predicted seconds of the chosen size (training and evaluation). */
  predictedSeconds: number;
  budgetSeconds: number;
  probeSecondsPerStep: number;
  /** True when even the smallest size is predicted over the budget. */
  overBudget: boolean;
  /** e.g. "slow GPU (software renderer): 60 steps, hidden 32, 1 layer". */
  reason: string;
}

/**
 * A choice read back from a stored run record (plain JSON, `RunRecord.demoChoice`), so a reopened
 * or resumed demo says again what was chosen and why. Null when absent or not a choice this build
 * knows (a record from before it was kept, or edited by hand): the note is then simply not shown.
 */
export function storedDemoChoice(value: unknown): DemoSizeChoice | null {
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Record<string, unknown>;
  const finite = (k: string) => typeof v[k] === 'number' && Number.isFinite(v[k]);
  const sizes: readonly string[] = DEMO_SIZES.map((s) => s.name);
  const ok =
    typeof v.size === 'string' && sizes.includes(v.size) &&
    typeof v.device === 'string' && v.device in DEMO_BUDGET_SECONDS &&
    ['steps', 'hiddenSize', 'numHiddenLayers', 'maxSeqLength', 'trainExamples', 'predictedSeconds', 'budgetSeconds', 'probeSecondsPerStep'].every(finite) &&
    typeof v.overBudget === 'boolean' && typeof v.reason === 'string';
  if (!ok) return null;
  return {
    size: v.size as DemoSizeName, device: v.device as DemoDeviceKind, steps: v.steps as number, hiddenSize: v.hiddenSize as number,
    numHiddenLayers: v.numHiddenLayers as number, maxSeqLength: v.maxSeqLength as number, trainExamples: v.trainExamples as number,
    predictedSeconds: v.predictedSeconds as number, budgetSeconds: v.budgetSeconds as number, probeSecondsPerStep: v.probeSecondsPerStep as number,
    overBudget: v.overBudget as boolean, reason: v.reason as string,
  };
}

export function describeDemoSize(size: DemoSize, device: DemoDeviceKind): string {
  const l = size.model.numHiddenLayers;
  return `${DEMO_DEVICE_WORDS[device]}: ${demoSteps(size)} steps, hidden ${size.model.hiddenSize}, ${l} layer${l === 1 ? '' : 's'}, sequence ${size.settings.maxSeqLength}`;
}

/** The largest size predicted to fit the device's budget; the smallest when none does. */
export function chooseDemoSize(probe: DemoProbe, device: DemoDeviceKind, budgetSeconds = DEMO_BUDGET_SECONDS[device]): DemoSizeChoice {
  if (!(probe.secondsPerStep > 0) || !Number.isFinite(probe.secondsPerStep)) {
    throw new Error(`the demo's probe measured ${probe.secondsPerStep} seconds per step: expected a positive number`);
  }
  const fits = DEMO_SIZES.find((s) => predictDemoSeconds(s, probe) <= budgetSeconds);
  const size = fits ?? SMALLEST_DEMO_SIZE;
  const predictedSeconds = predictDemoSeconds(size, probe);
  return {
    size: size.name, device, steps: demoSteps(size), hiddenSize: size.model.hiddenSize, numHiddenLayers: size.model.numHiddenLayers,
    maxSeqLength: size.settings.maxSeqLength, trainExamples: size.trainParagraphs * size.factsPerParagraph,
    predictedSeconds, budgetSeconds, probeSecondsPerStep: probe.secondsPerStep, overBudget: !fits,
    reason: describeDemoSize(size, device),
  };
}
