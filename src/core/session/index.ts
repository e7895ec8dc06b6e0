/**
 * The fine-tuning session: files -> recognition -> task -> settings -> plan -> training ->
 * evaluation -> prediction -> export, with the one copy of task and settings, reported as
 * SessionEvents. The worker and the CLI are adapters over it.
 */
export type { Session, SessionOptions, ConfigureChange, StartOptions, LastRun } from './session';
export { createSession } from './session';
export type * from './events';
export type { SessionFile } from './files';
export { HEAD_BYTES } from './files';
export { errorInfo, isAbortError } from './errors';
export { metricsJson } from './export';
export { gluePredictionsFileName } from './predictions';
export { countParameters, modelSummary } from './analysis';
export { mergedWeights, peftAdapterFiles, type LoraExportMode } from './adapted-model';
export { labelsFromConfig } from './predict-data';
export { chooseDemoSize, demoSizeNamed, demoSteps, DEMO_SIZES, SMALLEST_DEMO_SIZE, type DemoSize, type DemoProbe } from './demo-size';
