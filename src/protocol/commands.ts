/**
 * Commands: page -> worker. A discriminated union on `type`; send with `postCommand` (messages.ts),
 * which transfers every ArrayBuffer found in the command instead of copying it.
 *
 * STABLE CONTRACT (read by src/state/bridge.ts and src/worker/handler.ts):
 *   loadFiles   add files (File objects are cloned by reference, ArrayBuffers are transferred);
 *               the worker answers with `fileRecognised`, then `taskDetected` and `preview`.
 *   removeFile  forget one file by its `path`.
 *   configure   choose the task and the settings; answers with a new `preview`.
 *   start       build examples/features, load or create the model, train.
 *   pause / resume / stop   control a running training (stop keeps the last checkpoint).
 *   evaluate    evaluate the current model on the dev set now.
 *   predict     QA (context + question) or classification (textA / textB) with the current model.
 *   export      the fine-tuned model as a Hugging Face folder (files + zip) and metrics.
 *   resumeRun   continue a stored run from its last checkpoint (files must be loaded again
 *               unless the run is the demo, whose data is regenerated from its seed).
 *   demo        generate the demo QA set, create a small BERT from scratch and train it.
 */
import type { TaskName } from '../core/data';
import type { RunSettings } from './settings';

/** One dropped file. `path` is its relative path inside a dropped folder, else its name. */
export interface FileInput {
  path: string;
  /** A File (cheap to send: the worker reads slices) or the bytes (transferred). */
  data: File | Blob | ArrayBuffer;
}

export type PredictInput =
  | { kind: 'qa'; context: string; question: string }
  | { kind: 'classification'; textA: string; textB?: string };

export interface DemoOptions {
  /** Seed of the generated data and of the model's initialisation. Default 1. */
  seed?: number;
  /** Overrides of the demo's settings (epochs, batch size, learning rate...). */
  settings?: Partial<RunSettings>;
}

export type Command =
  | { type: 'loadFiles'; files: FileInput[] }
  | { type: 'removeFile'; path: string }
  | { type: 'configure'; task: TaskName; settings: RunSettings }
  | { type: 'start'; runId: string; runName: string }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'stop' }
  | { type: 'evaluate' }
  | { type: 'predict'; requestId: number; input: PredictInput }
  | { type: 'export'; requestId: number }
  | { type: 'resumeRun'; runId: string }
  | { type: 'demo'; runId: string; runName: string; options?: DemoOptions };

export type CommandType = Command['type'];
export type CommandOf<T extends CommandType> = Extract<Command, { type: T }>;
