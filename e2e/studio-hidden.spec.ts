/**
 * Training goes on while the page is hidden (issue 12, part 6), on WebGPU (SwiftShader), with the
 * page really hidden: document.visibilityState 'hidden', not just another tab clicked.
 *
 * Why this spec launches its own Chromium: Playwright turns on CDP focus emulation
 * (Emulation.setFocusEmulationEnabled) for every page of the browsers it launches, and a page
 * with focus emulation stays 'visible' whatever happens to its window (minimized, another tab in
 * front, headless or headed). So here Chromium is started by the test (same binary and flags as
 * e2e/chromium.mjs, headless, a DevTools port: e2e/own-chromium.ts), and Playwright attaches over CDP with
 * `noDefaults`, which leaves the default context's pages without focus emulation. Minimizing the
 * window through CDP (Browser.setWindowBounds) then hides the page as a user's minimize does.
 *
 * A tiny MRPC run (tiny-uncased, 48 pairs, batch 8: 6 steps) starts; after its first step the
 * window is minimized; while the page is hidden, the title must move through later steps'
 * percentages (each title change is recorded with the visibility at that moment), which is the
 * worker's steps reaching the page; shown again, the run finishes with every step on its curve.
 */
import { chromium, expect, test, type Browser, type CDPSession, type Page } from '@playwright/test';
import { guardNetwork, snap } from './helpers';
import { mrpcFiles, tinyUncasedFiles } from './fixture-folders';
import { launchOwnChromium, type OwnChromium } from './own-chromium';

let own: OwnChromium | null = null;
let browser: Browser | null = null;

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

// Ends the browser's whole process tree before removing its profile (own-chromium.ts says why).
test.afterAll(async () => {
  await own?.close(browser);
});

test('training advances while the page is hidden, with its progress in the title', async ({}, testInfo) => {
  test.setTimeout(15 * 60_000);
  const baseURL = testInfo.project.use.baseURL!;
  own = await launchOwnChromium(['--window-size=1280,800']);
  browser = await chromium.connectOverCDP(own.endpoint, { noDefaults: true });
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
