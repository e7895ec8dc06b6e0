/**
 * bench/studio-ab: the page-side probe, installed with page.addInitScript before the studio's own
 * scripts run, identical for both builds and without touching either build's code. It replaces
 * `window.Worker` with a subclass that listens to every message its worker posts and records, with
 * performance.now() at arrival (the page's clock, as the user sees the step land):
 *   steps       each optimizer step of a `step` event ({type:'step', steps: StepMetrics[]}; the
 *               worker coalesces steps < ~80 ms apart, each keeps the event's arrival time)
 *   runStarted  the run's totals and settings (stepsPerEpoch, numTrainFeatures, settings)
 *   backend     the tfjs backend the worker picked
 *   errors / finished
 * The studio's own listener (onmessage or addEventListener) still receives every message.
 * A string, not a function: tsx's transform may add helpers a serialised function cannot see.
 *
 * WORKER_PROBE is prepended to the built worker module as it is served (drive.ts routes
 * assets/worker-*.js), identical for both builds: it counts compute dispatches
 * (GPUComputePassEncoder.dispatchWorkgroups) and queue submits (GPUQueue.submit) in the worker,
 * and adds the running totals to each `step` event as `__probe`, so each run shows how many GPU
 * dispatches its steps took (the old build's tfjs kernels vs the new build's WGSL kernels). A
 * counter increment per dispatch; nothing else in the worker changes.
 */

export interface ProbeRecord {
  workers: number;
  startClicked: number | null;
  steps: Array<{ step: number; epoch: number; loss: number; examplesPerSec: number; tokensPerSec: number; t: number; dispatches?: number; submits?: number }>;
  runStarted: Array<{ t: number; run: Record<string, unknown> }>;
  backend: Array<{ t: number; name: string; adapter?: string; tried?: unknown }>;
  errors: Array<{ t: number; fatal: boolean; message: string }>;
  finished: Array<{ t: number; reason: string; step: number }>;
}

export const PROBE_SCRIPT = `(() => {
  const Native = window.Worker;
  if (!Native || window.__studioAb) return;
  const rec = { workers: 0, startClicked: null, steps: [], runStarted: [], backend: [], errors: [], finished: [] };
  window.__studioAb = rec;
  class TimedWorker extends Native {
    constructor(url, options) {
      super(url, options);
      rec.workers++;
      this.addEventListener('message', (e) => {
        const t = performance.now();
        const d = e.data;
        if (!d || typeof d.type !== 'string') return;
        if (d.type === 'step' && Array.isArray(d.steps)) {
          const p = d.__probe || {};
          for (const s of d.steps) rec.steps.push({ step: s.step, epoch: s.epoch, loss: s.loss, examplesPerSec: s.examplesPerSec, tokensPerSec: s.tokensPerSec, t, dispatches: p.dispatches, submits: p.submits });
        } else if (d.type === 'runStarted') {
          rec.runStarted.push({ t, run: JSON.parse(JSON.stringify(d.run)) });
        } else if (d.type === 'backend') {
          rec.backend.push({ t, name: d.name, adapter: d.adapter, tried: d.tried });
        } else if (d.type === 'error') {
          rec.errors.push({ t, fatal: !!d.fatal, message: String(d.message) });
        } else if (d.type === 'finished') {
          rec.finished.push({ t, reason: d.reason, step: d.step });
        }
      });
    }
  }
  window.Worker = TimedWorker;
})();`;

export const WORKER_PROBE = `;(() => {
  const c = { dispatches: 0, submits: 0 };
  const pass = globalThis.GPUComputePassEncoder && GPUComputePassEncoder.prototype;
  if (pass) {
    const dispatch = pass.dispatchWorkgroups;
    pass.dispatchWorkgroups = function (...args) { c.dispatches++; return dispatch.apply(this, args); };
  }
  const queue = globalThis.GPUQueue && GPUQueue.prototype;
  if (queue) {
    const submit = queue.submit;
    queue.submit = function (...args) { c.submits++; return submit.apply(this, args); };
  }
  const post = self.postMessage.bind(self);
  self.postMessage = function (message, ...rest) {
    if (message && message.type === 'step') message = Object.assign({}, message, { __probe: { dispatches: c.dispatches, submits: c.submits } });
    return post(message, ...rest);
  };
})();
`;
