/**
 * Look inside, on WebGPU (SwiftShader here), with the tiny-uncased fixture model and a few steps:
 *   - a QA answer comes with an attention heatmap (canvas pixels drawn, layer/head choice) and
 *     token attribution tints;
 *   - after a tiny MRPC run, pressing a confusion-matrix cell lists exactly that cell's dev examples,
 *     highest loss first, beside per-class precision, recall and F1.
 * Saves docs/screenshots/attention-map.png and docs/screenshots/attributions.png.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { guardNetwork, REPO_ROOT, shared, snap } from './helpers';
import { mrpcFiles, squadHead, tinyUncasedFiles } from './fixture-folders';

const DOCS = join(REPO_ROOT, 'docs', 'screenshots');

async function setField(page: Page, label: string, value: string) {
  const field = page.getByLabel(label, { exact: true });
  await field.fill(value);
  await field.blur();
}

/** Distinct colours and non-background pixels in the canvas's heatmap area. */
async function canvasInk(canvas: Locator): Promise<{ colours: number; inked: number; width: number }> {
  return canvas.evaluate((el) => {
    const c = el as HTMLCanvasElement;
    const ctx = c.getContext('2d')!;
    const { data } = ctx.getImageData(0, 0, c.width, c.height);
    const seen = new Set<number>();
    let inked = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (data[i + 3] === 0) continue;
      if (data[i] < 250 || data[i + 1] < 250 || data[i + 2] < 250) inked++;
      seen.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
    }
    return { colours: seen.size, inked, width: c.width };
  });
}

test('a QA answer shows its attention heatmap and token attribution tints', async ({ page }, testInfo) => {
  test.setTimeout(25 * 60_000);
  const net = guardNetwork(page);
  await page.goto('/');
  const dir = testInfo.outputPath('squad');
  await page.getByLabel('Choose files').setInputFiles([
    ...tinyUncasedFiles(dir),
    squadHead(shared('fixtures/squad/xquad.en/input-train.json'), 12, dir, 'train.json'),
    squadHead(shared('fixtures/squad/xquad.en/input.json'), 3, dir, 'dev.json'),
  ]);
  await expect(page.getByTestId('task-select')).toHaveValue('squad');
  await setField(page, 'Max question length', '16');
  await setField(page, 'Document stride', '32');
  await setField(page, 'Max sequence length', '64');
  await setField(page, 'Batch size', '16');
  await setField(page, 'Learning rate', '0.001');
  await setField(page, 'Epochs', '1');
  await page.getByRole('button', { name: /^Start/ }).click();
  await expect(page.getByTestId('backend-badge')).toHaveAttribute('data-backend', 'webgpu', { timeout: 120_000 });
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'finished', { timeout: 15 * 60_000 });

  const demo = page.getByTestId('qa-demo');
  const context = 'The Panthers defense gave up just 308 points, ranking sixth in the league.';
  await demo.getByRole('textbox', { name: 'Context', exact: true }).fill(context);
  await demo.getByRole('textbox', { name: 'Question', exact: true }).fill('How many points did the Panthers defense give up?');
  await demo.getByRole('button', { name: 'Answer' }).click();
  await expect(demo.getByTestId('qa-result')).toBeVisible({ timeout: 5 * 60_000 });
  const inside = demo.getByTestId('look-inside');
  await expect(inside).toBeVisible();

  // Attributions: one tinted chip per token of the answered window ([CLS] question [SEP] context [SEP]).
  const tokens = inside.getByTestId('attributed-token');
  const n = await tokens.count();
  expect(n).toBeGreaterThan(10);
  await expect(tokens.first()).toHaveText('[CLS]');
  const tints = await tokens.evaluateAll((els) => els.map((e) => getComputedStyle(e).backgroundColor));
  expect(tints.every((t) => /^rgba\((22, 163, 74|220, 38, 38), 0\.\d+\)$/.test(t))).toBe(true);
  const scores = await tokens.evaluateAll((els) => els.map((e) => Number((e as HTMLElement).dataset.score)));
  expect(scores.every(Number.isFinite)).toBe(true);
  expect(scores.some((s) => s !== 0)).toBe(true);
  expect(new Set(tints).size).toBeGreaterThan(3);

  // The heatmap: an n × n canvas with many shades, redrawn for another layer and head.
  const canvas = inside.getByTestId('attention-map');
  await expect(canvas).toBeVisible();
  const mean = await canvasInk(canvas);
  expect(mean.inked).toBeGreaterThan(n * n);
  expect(mean.colours).toBeGreaterThan(20);
  await inside.getByTestId('attention-layer').selectOption({ value: '0' });
  await inside.getByTestId('attention-head').selectOption({ value: '1' });
  await expect(inside.getByTestId('attention-map')).toHaveAttribute('aria-label', /layer 1, head 2/);
  const head = await canvasInk(canvas);
  expect(head.inked).toBeGreaterThan(n * n);

  mkdirSync(DOCS, { recursive: true });
  await inside.getByTestId('attention-view').screenshot({ path: join(DOCS, 'attention-map.png') });
  await inside.getByTestId('token-attributions').screenshot({ path: join(DOCS, 'attributions.png') });
  await snap(page, testInfo, 'look-inside');
  net.assertOnlySameOrigin();
});

test('a confusion-matrix cell lists its dev examples, hardest first, beside per-class F1', async ({ page }, testInfo) => {
  test.setTimeout(20 * 60_000);
  const net = guardNetwork(page);
  await page.goto('/');
  const dir = testInfo.outputPath('mrpc');
  await page.getByLabel('Choose files').setInputFiles([...tinyUncasedFiles(dir), ...mrpcFiles(dir, 32, 24)]);
  await expect(page.getByTestId('task-select')).toHaveValue('mrpc');
  await setField(page, 'Max sequence length', '32');
  await setField(page, 'Batch size', '16');
  await setField(page, 'Epochs', '1');
  await page.getByRole('button', { name: /^Start/ }).click();
  await expect(page.getByTestId('backend-badge')).toHaveAttribute('data-backend', 'webgpu', { timeout: 120_000 });
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'finished', { timeout: 12 * 60_000 });

  const matrix = page.getByTestId('confusion-matrix');
  await expect(matrix).toBeVisible({ timeout: 120_000 });
  await expect(page.getByTestId('per-class-metrics').locator('tbody tr')).toHaveCount(2);
  const hardest = page.getByTestId('hardest-examples');
  await expect(hardest.getByTestId('hardest-row')).toHaveCount(10); // the first page of 24
  const losses = await hardest.getByTestId('hardest-row').evaluateAll((rows) => rows.map((r) => Number(r.querySelector('td.num')?.textContent)));
  expect(losses.every(Number.isFinite)).toBe(true);
  for (let i = 1; i < losses.length; i++) expect(losses[i]).toBeLessThanOrEqual(losses[i - 1]);

  // Press the fullest cell: exactly its examples are listed (up to the first page).
  const cells = matrix.getByTestId('confusion-cell');
  const counts = await cells.evaluateAll((els) => els.map((e) => Number(e.textContent)));
  expect(counts.reduce((a, b) => a + b, 0)).toBe(24);
  const at = counts.indexOf(Math.max(...counts));
  const cell = cells.nth(at);
  const gold = (await cell.getAttribute('data-gold'))!;
  const predicted = (await cell.getAttribute('data-predicted'))!;
  await cell.click();
  await expect(cell).toHaveAttribute('aria-pressed', 'true');
  await expect(hardest.getByRole('heading')).toContainText(`gold “${gold}”, predicted “${predicted}”`);
  await expect(hardest.getByTestId('hardest-count')).toContainText(`${counts[at]} example`);
  const rows = hardest.getByTestId('hardest-row');
  await expect(rows).toHaveCount(Math.min(10, counts[at]));
  for (const r of await rows.all()) {
    await expect(r).toHaveAttribute('data-gold', gold);
    await expect(r).toHaveAttribute('data-predicted', predicted);
  }
  await snap(page, testInfo, 'confusion-cell');
  await hardest.getByRole('button', { name: 'Show all examples' }).click();
  await expect(hardest.getByTestId('hardest-count')).toContainText('24 examples');
  net.assertOnlySameOrigin();
});
