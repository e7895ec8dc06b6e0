/**
 * bench/studio-ab: one measured run of one studio, driven as a user drives it. A fresh headless
 * Chromium (Debian's, WebGPU on SwiftShader: e2e/chromium.mjs) with a fresh profile (no runs or
 * kept files in IndexedDB), the probe (probe.ts) installed, then: open the studio, drop the model
 * folder + vocabulary + MRPC files on "Choose files", wait for the MRPC detection, fill the form,
 * press Start, and wait until `warmup + timed` steps have arrived. Returns the recorded arrivals.
 *
 * Per-build adapter: the fields both builds have are set to the same values; fields only one build
 * has are found by their label (feature detection, not by commit), e.g. the new build's
 * "Checkpoint every N seconds" (set to 0 so no time-based checkpoint lands inside a timed step;
 * the old build saves by steps only) and its "Dropout" checkbox (must stay on, as the old build's
 * always-on dropout).
 */
import { loadavg } from 'node:os';
import { chromium, type Page } from '@playwright/test';
import { CHROMIUM_ARGS, chromiumPath } from '../../e2e/chromium.mjs';
import { PROBE_SCRIPT, WORKER_PROBE, type ProbeRecord } from './probe';

export interface RunSettingsWanted {
  maxSeqLength: number;
  batchSize: number;
  epochs: number;
  maxTrainExamples: number;
  seed: number;
  /** Above the run's step count: no step-based checkpoint inside the timed steps. */
  saveCheckpointsSteps: number;
}

export interface RunResult {
  label: string;
  url: string;
  browserVersion: string;
  adapterInfo: string;
  loadBefore: number[];
  loadAfter: number[];
  /** The 1-minute load average when each step arrived (sampled by the runner, about once a second). */
  loadAtSteps: number[];
  /** Set by the per-build adapter: label → value, '(absent)' when the build has no such field. */
  form: Record<string, string>;
  record: ProbeRecord;
  /** Wall seconds from the Start click to the first step's arrival (shader compilation included). */
  firstStepS: number;
}

const load = () => loadavg().map((x) => Number(x.toFixed(2)));

async function setField(page: Page, label: string, value: string): Promise<void> {
  const field = page.getByLabel(label, { exact: true }).first();
  await field.fill(value, { timeout: 60_000 });
  await field.blur();
}

/** Labels whose value differs from the wanted one. */
async function unsettled(page: Page, wanted: Record<string, string>): Promise<string[]> {
  const off: string[] = [];
  for (const [label, value] of Object.entries(wanted)) {
    if ((await page.getByLabel(label, { exact: true }).first().inputValue()) !== value) off.push(label);
  }
  return off;
}

async function hasField(page: Page, label: string): Promise<boolean> {
  return (await page.getByLabel(label, { exact: true }).count()) > 0;
}

/**
 * Fills the form identically in both builds; returns what was set (for the report). The studio may
 * still rewrite fields after the files are read (e.g. the new build adapts defaults to the model
 * when the worker's settings event arrives), so the values are set, left to settle, checked, and
 * set again until they hold (the runStarted event's settings are checked afterwards in run.ts).
 */
async function fillForm(page: Page, s: RunSettingsWanted): Promise<Record<string, string>> {
  // Advanced settings: a <details> in both builds; open it once.
  if (!(await page.getByLabel('Seed', { exact: true }).first().isVisible())) await page.getByText('Advanced settings', { exact: true }).first().click();
  const wanted: Record<string, string> = {
    'Max sequence length': String(s.maxSeqLength),
    'Batch size': String(s.batchSize),
    Epochs: String(s.epochs),
    'Max training examples': String(s.maxTrainExamples),
    'Evaluate every N steps': '0',
    Seed: String(s.seed),
    'Checkpoint every N steps': String(s.saveCheckpointsSteps),
  };
  if (await hasField(page, 'Checkpoint every N seconds')) wanted['Checkpoint every N seconds'] = '0';
  let off = Object.keys(wanted);
  for (let attempt = 1; off.length; attempt++) {
    if (attempt > 6) throw new Error(`studio-ab: the fields ${off.map((l) => `"${l}"`).join(', ')} do not keep their values (${off.map((l) => wanted[l]).join(', ')})`);
    for (const label of off) await setField(page, label, wanted[label]);
    await page.waitForTimeout(2000);
    off = await unsettled(page, wanted);
  }
  const form: Record<string, string> = { ...wanted };
  if (!('Checkpoint every N seconds' in wanted)) form['Checkpoint every N seconds'] = '(absent)';
  if (await hasField(page, 'Dropout')) {
    const box = page.getByLabel('Dropout', { exact: true }).first();
    if (!(await box.isChecked())) throw new Error('studio-ab: the "Dropout" checkbox is off by default; the comparison needs dropout on in both builds');
    form.Dropout = 'on (default)';
  } else form.Dropout = '(absent: always on)';
  form['Padding lengths'] = (await hasField(page, 'Padding lengths')) ? await page.getByLabel('Padding lengths', { exact: true }).first().inputValue() : '(absent: 32,64,128,256,384,512 built in)';
  return form;
}

export async function measureRun(opts: {
  label: string;
  url: string;
  files: string[];
  settings: RunSettingsWanted;
  warmup: number;
  timed: number;
  timeoutMs: number;
  log: (line: string) => void;
}): Promise<RunResult> {
  const executablePath = chromiumPath();
  if (!executablePath) throw new Error('studio-ab: no Chromium at /usr/bin/chromium or CHROMIUM_PATH');
  const loadBefore = load();
  const browser = await chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS });
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await context.addInitScript({ content: PROBE_SCRIPT });
    // The built worker module (assets/worker-<hash>.js in both builds) with the dispatch counter first.
    let workerProbed = false;
    await context.route(/\/assets\/worker-[^/]*\.js$/, async (route) => {
      const response = await route.fetch();
      workerProbed = true;
      const headers = Object.fromEntries(Object.entries(response.headers()).filter(([k]) => k !== 'content-length' && k !== 'etag'));
      await route.fulfill({ response, body: WORKER_PROBE + (await response.text()), headers: { ...headers, 'content-type': 'text/javascript' } });
    });
    const page = await context.newPage();
    page.on('pageerror', (e) => opts.log(`[${opts.label} page error] ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') opts.log(`[${opts.label} console] ${m.text()}`);
    });
    await page.goto(opts.url + '/', { timeout: 120_000 });
    const adapterInfo = await page.evaluate(async () => {
      const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<{ info?: Record<string, string> } | null> } }).gpu;
      const a = gpu ? await gpu.requestAdapter() : null;
      const i = a?.info;
      return i ? [i.vendor, i.architecture, i.device, i.description].filter(Boolean).join(' / ') : 'no WebGPU adapter';
    });
    await page.getByLabel('Choose files').setInputFiles(opts.files);
    await page.waitForFunction(() => (document.querySelector('[data-testid="task-select"]') as HTMLSelectElement | null)?.value === 'mrpc', null, { timeout: 180_000 });
    await page.getByTestId('data-preview').filter({ hasText: '[CLS]' }).first().waitFor({ timeout: 180_000 });
    const form = await fillForm(page, opts.settings);
    const start = page.getByRole('button', { name: /^Start/ });
    await start.waitFor({ state: 'visible', timeout: 120_000 });
    await page.evaluate(() => ((window as unknown as { __studioAb: ProbeRecord }).__studioAb.startClicked = performance.now()));
    await start.click({ timeout: 120_000 });
    opts.log(`${opts.label}: Start pressed (load ${load().join(' ')})`);

    const need = opts.warmup + opts.timed;
    const end = Date.now() + opts.timeoutMs;
    let seen = 0;
    const loadAtSteps: number[] = [];
    let record: ProbeRecord;
    for (;;) {
      record = await page.evaluate(() => JSON.parse(JSON.stringify((window as unknown as { __studioAb: ProbeRecord }).__studioAb)) as ProbeRecord);
      const fatal = record.errors.find((e) => e.fatal);
      if (fatal) throw new Error(`studio-ab: ${opts.label}: the run failed: ${fatal.message}`);
      if (record.finished.length) throw new Error(`studio-ab: ${opts.label}: the run finished (${record.finished[0].reason}) after ${record.steps.length} steps, before ${need} steps arrived`);
      if (record.steps.length > seen) {
        const last = record.steps[record.steps.length - 1];
        const prev = record.steps.length > 1 ? record.steps[record.steps.length - 2].t : record.startClicked ?? last.t;
        opts.log(`${opts.label}: step ${last.step} (+${((last.t - prev) / 1000).toFixed(2)} s, load ${load()[0]})`);
        while (loadAtSteps.length < record.steps.length) loadAtSteps.push(load()[0]);
        seen = record.steps.length;
      }
      if (record.steps.length >= need) break;
      if (Date.now() > end) throw new Error(`studio-ab: ${opts.label}: only ${record.steps.length} of ${need} steps within ${opts.timeoutMs / 60_000} min`);
      await new Promise((r) => setTimeout(r, 1000));
    }
    const firstStepS = (record.steps[0].t - (record.startClicked ?? record.steps[0].t)) / 1000;
    if (!workerProbed) opts.log(`${opts.label}: no assets/worker-*.js was requested: no dispatch counts`);
    return { label: opts.label, url: opts.url, browserVersion: browser.version(), adapterInfo, loadBefore, loadAfter: load(), loadAtSteps, form, record, firstStepS };
  } finally {
    await browser.close();
  }
}
