/**
 * Shared browser-test helpers: ground-truth paths, a guard that fails the test on any request
 * leaving the page's origin, and screenshots saved as test artifacts.
 */
import { expect, type Page, type TestInfo } from '@playwright/test';
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
