/**
 * Typed postMessage helpers shared by both sides. Every ArrayBuffer (or typed-array buffer)
 * found in a message is transferred, not copied; File and Blob objects are cloned by reference
 * (the receiver reads slices lazily), which costs nothing.
 */
import type { Command } from './commands';
import type { WorkerEvent } from './events';

/** Anything with postMessage(message, transfer): a Worker, a DedicatedWorkerGlobalScope, a MessagePort. */
export interface MessageTarget {
  postMessage(message: unknown, transfer: Transferable[]): void;
}

/** Finds every distinct ArrayBuffer inside plain objects, arrays and typed arrays. */
export function collectTransferables(value: unknown): ArrayBuffer[] {
  const found = new Set<ArrayBuffer>();
  const seen = new Set<object>();
  const walk = (v: unknown): void => {
    if (v === null || typeof v !== 'object') return;
    if (v instanceof ArrayBuffer) {
      if (v.byteLength > 0) found.add(v);
      return;
    }
    if (ArrayBuffer.isView(v)) {
      if (v.buffer instanceof ArrayBuffer && v.buffer.byteLength > 0) found.add(v.buffer);
      return;
    }
    if (typeof Blob !== 'undefined' && v instanceof Blob) return;
    if (seen.has(v)) return;
    seen.add(v);
    if (Array.isArray(v)) {
      for (const x of v) walk(x);
      return;
    }
    if (v instanceof Map) {
      for (const [k, x] of v) {
        walk(k);
        walk(x);
      }
      return;
    }
    for (const x of Object.values(v)) walk(x);
  };
  walk(value);
  return [...found];
}

export function postCommand(target: MessageTarget, command: Command): void {
  target.postMessage(command, collectTransferables(command));
}

export function postEvent(target: MessageTarget, event: WorkerEvent): void {
  target.postMessage(event, collectTransferables(event));
}

const COMMAND_TYPES = new Set<string>([
  'loadFiles', 'removeFile', 'configure', 'start', 'pause', 'resume', 'stop', 'evaluate', 'predict', 'export', 'resumeRun', 'openRun', 'demo',
  'fineTuneNext',
]);

/** Narrows an incoming message to a Command (the worker ignores anything else, with a log line). */
export function isCommand(data: unknown): data is Command {
  return typeof data === 'object' && data !== null && COMMAND_TYPES.has((data as { type?: unknown }).type as string);
}

export function isWorkerEvent(data: unknown): data is WorkerEvent {
  return typeof data === 'object' && data !== null && typeof (data as { type?: unknown }).type === 'string';
}
