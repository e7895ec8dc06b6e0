/**
 * Shared browser-test helpers: ground-truth paths, a guard that fails the test on any request
 * leaving the page's origin, and screenshots saved as test artifacts.
 */
import { expect, type Browser, type Page, type TestInfo } from '@playwright/test';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const SHARED = resolve(REPO_ROOT, '../shared');
export const ARTIFACTS = join(REPO_ROOT, 'test-results', 'screenshots');

export function shared(...parts: string[]): string {
  const p = resolve(SHARED, ...parts);
  if (!existsSync(p)) throw new Error(`missing ground-truth file ${p}: the browser tests expect ../shared beside the repository`);
  return p;
}

/** Records every request; `assertOnlySameOrigin` fails if any went elsewhere. */
export function guardNetwork(page: Page): { foreign: string[]; assertOnlySameOrigin(): void } {
  const foreign: string[] = [];
  page.on('request', (req) => {
    const url = new URL(req.url());
    if (url.protocol === 'data:' || url.protocol === 'blob:') return;
    if (url.hostname !== '127.0.0.1' && url.hostname !== 'localhost') foreign.push(req.url());
  });
  return {
    foreign,
    assertOnlySameOrigin() {
      expect(foreign, `requests outside the page's origin: ${foreign.join(', ')}`).toEqual([]);
    },
  };
}

export async function snap(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const file = join(ARTIFACTS, `${testInfo.title.replace(/[^a-z0-9]+/gi, '-')}-${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  await testInfo.attach(name, { path: file, contentType: 'image/png' });
}

/** The first `rows` data rows of a GLUE TSV (plus its header), written to a temp file. */
export function tsvHead(src: string, rows: number, outDir: string, name = 'train.tsv'): string {
  const lines = readFileSync(src, 'utf8').split('\n');
  mkdirSync(outDir, { recursive: true });
  const out = join(outDir, name);
  writeFileSync(out, lines.slice(0, rows + 1).join('\n') + '\n');
  return out;
}

/**
 * Opens a harness page (e2e/harness/<name>.html) straight from disk, without the dev server's HTML
 * transform: Vite's client (and its websocket) is then never loaded, so an edit elsewhere in the
 * working tree cannot reload the page mid-test; its modules still come from Vite. With
 * `fixtures`, ../shared/fixtures is served on the page's own origin under /__shared/ (nothing
 * else of ../shared). Waits for the page's #status to read 'ready'.
 */
export async function openHarness(page: Page, name: string, options: { fixtures?: boolean } = {}): Promise<void> {
  if (options.fixtures) {
    await page.route('**/__shared/**', async (route) => {
      const rel = decodeURIComponent(new URL(route.request().url()).pathname).replace(/^\/__shared\//, '');
      const parts = rel.split('/');
      if (parts[0] !== 'fixtures' || parts.some((p) => p === '..' || p === '')) return route.fulfill({ status: 404, body: `not a fixture: ${rel}` });
      try {
        return await route.fulfill({ status: 200, body: readFileSync(shared(...parts)), contentType: 'application/octet-stream' });
      } catch (e) {
        return route.fulfill({ status: 404, body: (e as Error).message });
      }
    });
  }
  const file = join(REPO_ROOT, 'e2e', 'harness', `${name}.html`);
  await page.route(`**/e2e/harness/${name}.html`, (route) => route.fulfill({ status: 200, contentType: 'text/html', body: readFileSync(file) }));
  await page.goto(`/e2e/harness/${name}.html`);
  await expect(page.locator('#status')).toHaveText('ready', { timeout: 120_000 });
}

/**
 * A new page on a harness for a serial spec: requests leaving the origin are recorded, the page's
 * console messages of the given kinds are echoed, and the harness is opened. `close` asserts that
 * nothing left the origin, then closes the page.
 */
export async function harnessPage(
  browser: Browser,
  name: string,
  options: { fixtures?: boolean; echo?: readonly string[] } = {},
): Promise<{ page: Page; close(): Promise<void> }> {
  const page = await browser.newPage();
  const net = guardNetwork(page);
  const echo = new Set(options.echo ?? ['error']);
  page.on('console', (m) => {
    if (echo.has(m.type())) console.log(`[page] ${m.text()}`);
  });
  await openHarness(page, name, { fixtures: options.fixtures });
  return {
    page,
    async close() {
      net.assertOnlySameOrigin();
      await page.close();
    },
  };
}
