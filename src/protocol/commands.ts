/**
 * Commands: page -> worker. A discriminated union on `type`; send with `postCommand` (messages.ts),
 * which transfers every ArrayBuffer found in the command instead of copying it.
 *
 * STABLE CONTRACT (read by src/state/bridge.ts and src/worker/handler.ts):
 *   loadFiles   add files (File objects are cloned by reference, ArrayBuffers are transferred);
 *               the session answers with `fileRecognised`, then once each `taskDetected`,
 *               `settings` and `plan`.
 *   removeFile  forget one file by its `path`.
 *   configure   the user's changes only: the task, edited settings, a reset to the defaults, the
 *               column mapping. The session validates them and answers with `settings` (the
 *               settings in force, adapted defaults, problems) and `plan`; a task change is
 *               analysed again first.
 *   start       train with the files, task and settings in force (refused with the reason while
 *               a setting is invalid). `keepFiles` (default true): keep the run's files in this
               browser (OPFS) so it resumes after a reload without a new drop.
 *   pause / resume / stop   control a running training (stop keeps the last checkpoint).
 *   evaluate    evaluate the current model on the dev set now.
 *   predict     QA (context + question) or classification (textA / textB) with the current model.
 *   export      the fine-tuned model as a Hugging Face folder (files + zip) and metrics; with
 *               `format` 'onnx' transformers.js's ONNX folder, 'torch-job' the run as a torchrun
 *               job folder (each one zip).
 *   resumeRun   continue a stored run from its last checkpoint (its kept files are read back;
 *               the demo's data is regenerated from its seed).
 *   openRun     load a stored run's last checkpoint for the demos, predictions and downloads,
 *               without training it (the stored run is not changed).
 *   demo        generate the demo QA set, create a small BERT from scratch and train it.
 */
import type { TaskName } from '../core/data';
import type { Settings } from '../core/settings';
import type { ColumnChoice, DemoOptions, ExportFormat, PredictInput } from '../core/session';

export type { DemoOptions, PredictInput };

/** One dropped file. `path` is its relative path inside a dropped folder, else its name. */
export interface FileInput {
  path: string;
  /** A File (cheap to send: the worker reads slices) or the bytes (transferred). */
  data: File | Blob | ArrayBuffer;
}

export type Command =
  | { type: 'loadFiles'; files: FileInput[] }
  | { type: 'removeFile'; path: string }
  | { type: 'configure'; task?: TaskName; edits?: Partial<Settings>; reset?: boolean; columns?: ColumnChoice }
  | { type: 'start'; runId: string; runName: string; keepFiles?: boolean }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'stop' }
  | { type: 'evaluate' }
  | { type: 'predict'; requestId: number; input: PredictInput }
  | { type: 'export'; requestId: number; format?: ExportFormat; /** A LoRA run: merged weights (default) or peft's adapter files. */ lora?: 'merged' | 'adapter' }
  | { type: 'resumeRun'; runId: string }
  | { type: 'openRun'; runId: string }
  | { type: 'demo'; runId: string; runName: string; options?: DemoOptions }
  /** The last run's encoder (head dropped, LoRA merged) becomes the pre-trained model of the next run. */
  | { type: 'fineTuneNext' };

export type CommandType = Command['type'];
export type CommandOf<T extends CommandType> = Extract<Command, { type: T }>;
