/**
 * Training goes on while the page is hidden (issue 12, part 6), on WebGPU (SwiftShader), with the
 * page really hidden: document.visibilityState 'hidden', not just another tab clicked.
 *
 * Why this spec launches its own Chromium: Playwright turns on CDP focus emulation
 * (Emulation.setFocusEmulationEnabled) for every page of the browsers it launches, and a page
 * with focus emulation stays 'visible' whatever happens to its window (minimized, another tab in
 * front, headless or headed). So here Chromium is started by the test (same binary and flags as
 * e2e/chromium.mjs, headless, a DevTools port), and Playwright attaches over CDP with
 * `noDefaults`, which leaves the default context's pages without focus emulation. Minimizing the
 * window through CDP (Browser.setWindowBounds) then hides the page as a user's minimize does.
 *
 * A tiny MRPC run (tiny-uncased, 48 pairs, batch 8: 6 steps) starts; after its first step the
 * window is minimized; while the page is hidden, the title must move through later steps'
 * percentages (each title change is recorded with the visibility at that moment), which is the
 * worker's steps reaching the page; shown again, the run finishes with every step on its curve.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, expect, test, type Browser, type CDPSession, type Page } from '@playwright/test';
import { CHROMIUM_ARGS, chromiumPath } from './chromium.mjs';
import { guardNetwork, snap } from './helpers';
import { mrpcFiles, tinyUncasedFiles } from './fixture-folders';

let proc: ChildProcess | null = null;
let profile = '';
let browser: Browser | null = null;

/** Starts Chromium headless with a DevTools port; resolves with its http endpoint. */
async function launchOwnChromium(): Promise<string> {
  profile = mkdtempSync(join(tmpdir(), 'tabtune-hidden-'));
  const env = { ...process.env };
  // Headless: an X display the browser cannot reach would only make it look for one.
  delete env.DISPLAY;
  const exe = chromiumPath();
  if (!exe) throw new Error('no Chromium at /usr/bin/chromium (or CHROMIUM_PATH): npm test installs it (scripts/ensure-deps.mjs)');
  const child = spawn(exe, [...CHROMIUM_ARGS, '--headless', '--window-size=1280,800', '--remote-debugging-port=0', `--user-data-dir=${profile}`, 'about:blank'], { env, stdio: 'ignore' });
  proc = child;
  const portFile = join(profile, 'DevToolsActivePort');
  for (let i = 0; i < 300; i++) {
    if (existsSync(portFile)) {
      const port = readFileSync(portFile, 'utf8').split('\n')[0];
      if (/^\d+$/.test(port)) return `http://127.0.0.1:${port}`;
    }
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`Chromium (${exe}) did not open its DevTools port (exit code ${child.exitCode})`);
}

async function setField(page: Page, label: string, value: string) {
  const field = page.getByLabel(label, { exact: true });
  await field.fill(value);
  await field.blur();
}

/** Minimizes or restores the page's window through CDP. */
async function windowState(cdp: CDPSession, state: 'minimized' | 'normal'): Promise<void> {
  const { windowId } = await cdp.send('Browser.getWindowForTarget');
  await cdp.send('Browser.setWindowBounds', { windowId, bounds: { windowState: state } });
}

test.afterAll(async () => {
  await browser?.close().catch(() => undefined);
  if (proc && proc.exitCode === null) {
    const exited = new Promise((r) => proc!.once('exit', r));
    proc.kill('SIGKILL');
    await exited;
  }
  // Chromium's helper processes may still be writing into the profile for a moment after the
  // browser exits (a CI run failed here with ENOTEMPTY): retry the removal rather than fail.
  if (profile) rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
});

test('training advances while the page is hidden, with its progress in the title', async ({}, testInfo) => {
  test.setTimeout(15 * 60_000);
  const baseURL = testInfo.project.use.baseURL!;
  browser = await chromium.connectOverCDP(await launchOwnChromium(), { noDefaults: true });
  const context = browser.contexts()[0];
  const page = context.pages()[0] ?? (await context.newPage());
  const net = guardNetwork(page);
  await page.goto(baseURL);
  expect(await page.evaluate(() => 'gpu' in navigator)).toBe(true);

  const dir = testInfo.outputPath('mrpc');
  await page.getByLabel('Choose files').setInputFiles([...tinyUncasedFiles(dir), ...mrpcFiles(dir, 48, 8)]);
  await expect(page.getByTestId('task-select')).toHaveValue('mrpc');
  await setField(page, 'Max sequence length', '32');
  await setField(page, 'Batch size', '8');
  await setField(page, 'Epochs', '1');
  // Every title change, with the page's visibility at that moment.
  await page.evaluate(() => {
    const w = window as unknown as { __titles: Array<{ title: string; visibility: string }> };
    w.__titles = [];
    new MutationObserver(() => w.__titles.push({ title: document.title, visibility: document.visibilityState })).observe(document.querySelector('title')!, {
      childList: true, subtree: true, characterData: true,
    });
  });
  await page.getByRole('button', { name: /^Start/ }).click();
  await expect(page.getByTestId('backend-badge')).toHaveAttribute('data-backend', 'webgpu', { timeout: 5 * 60_000 });
  // The first step has reached the page: hide it.
  await expect(page).toHaveTitle(/^([1-9]\d?)% · Tabtune$/, { timeout: 8 * 60_000 });
  const cdp = await context.newCDPSession(page);
  await windowState(cdp, 'minimized');
  expect(await page.evaluate(() => document.visibilityState)).toBe('hidden');
  const pctAtHide = Number(/^(\d+)%/.exec(await page.title())?.[1]);

  // While hidden, the worker's later steps keep arriving: at least two more percentages in the title.
  const hiddenPercents = async (): Promise<number[]> =>
    page.evaluate(() =>
      (window as unknown as { __titles: Array<{ title: string; visibility: string }> }).__titles
        .filter((t) => t.visibility === 'hidden')
        .map((t) => /^(\d+)% · /.exec(t.title)?.[1] ?? (t.title.startsWith('Finished') ? '100' : ''))
        .filter((p) => p !== '')
        .map(Number),
    );
  await expect.poll(async () => new Set((await hiddenPercents()).filter((p) => p > pctAtHide)).size, { timeout: 8 * 60_000, intervals: [2_000] }).toBeGreaterThanOrEqual(2);
  expect(await page.evaluate(() => document.visibilityState)).toBe('hidden');
  const seen = await hiddenPercents();
  expect([...seen].sort((a, b) => a - b)).toEqual(seen);

  // Shown again: the run finishes with all its steps on the curve (charts redraw on the next frame).
  await windowState(cdp, 'normal');
  await expect.poll(() => page.evaluate(() => document.visibilityState)).toBe('visible');
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'finished', { timeout: 8 * 60_000 });
  await expect(page).toHaveTitle('Finished · Tabtune');
  const total = Number(/step \d+\/(\d+)/.exec((await page.getByTestId('run-item').first().textContent()) ?? '')?.[1]);
  expect(total).toBeGreaterThanOrEqual(4);
  await expect(page.getByTestId('loss-points')).toHaveText(String(total));
  await snap(page, testInfo, 'after-hidden');
  net.assertOnlySameOrigin();
});
