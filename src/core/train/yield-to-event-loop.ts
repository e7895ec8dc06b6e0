/**
 * One turn of the host's event loop between training steps. On the WASM and CPU backends a step
 * runs synchronously and its results come back as already-resolved promises, so `await` alone
 * only drains microtasks: a Stop or Pause posted to the worker, a SIGINT in the CLI, or a click
 * on the page would wait for the whole run. Awaiting a macrotask lets them in, on every backend.
 *
 * A MessageChannel message where there is one (Node >= 15, workers, pages): it is not clamped,
 * unlike nested setTimeout(0) (>= 4 ms after five levels per the HTML spec), which on a tiny
 * model would be as long as the step itself. setTimeout(0) otherwise.
 */
export function yieldToEventLoop(): Promise<void> {
  if (typeof MessageChannel === 'function') {
    return new Promise<void>((resolve) => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => {
        channel.port1.close();
        resolve();
      };
      channel.port2.postMessage(null);
    });
  }
  return new Promise<void>((resolve) => setTimeout(resolve, 0));
}
