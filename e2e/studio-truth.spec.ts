/**
 * The studio tells the truth (issue 12 parts 6, 7, 10) and hands the model on (issue 10), on
 * WebGPU (SwiftShader here), with one tiny run shared by the tests (serial, one page):
 * - a two-step MRPC run of the tiny-uncased folder; the page title shows its progress;
 * - both folder downloads arrive (ONNX for transformers.js, the torchrun job) and unzip to the
 *   expected files;
 * - new files clear the old run's panels (charts, results, the demo's questions);
 * - a CSV's columns are mapped by the user, and the preview follows the mapping.
 * "Training advances while the page is hidden" is e2e/studio-hidden.spec.ts: pages of a browser
 * Playwright launches never become hidden (Playwright turns on CDP focus emulation for them), so
 * that spec starts its own Chromium and attaches over CDP without it.
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { expect, test, type Page } from '@playwright/test';
import { guardNetwork, snap } from './helpers';
import { mrpcFiles, tinyUncasedFiles } from './fixture-folders';

test.describe.configure({ mode: 'serial' });

let page: Page;

async function setField(label: string, value: string) {
  const field = page.getByLabel(label, { exact: true });
  await field.fill(value);
  await field.blur();
}

/** The zip's entries under its one top folder, by path inside the folder. */
function unzipFolder(file: string): { folder: string; files: Map<string, Uint8Array> } {
  const entries = Object.entries(unzipSync(new Uint8Array(readFileSync(file))));
  const folder = entries[0][0].split('/')[0];
  const files = new Map<string, Uint8Array>();
  for (const [path, bytes] of entries) {
    expect(path.startsWith(`${folder}/`)).toBe(true);
    files.set(path.slice(folder.length + 1), bytes);
  }
  return { folder, files };
}

test.beforeAll(async ({ browser }) => {
  page = await browser.newPage();
});

test.afterAll(async () => {
  await page.close();
});

test('a tiny MRPC run trains, with its progress in the page title', async ({}, testInfo) => {
  test.setTimeout(12 * 60_000);
  const net = guardNetwork(page);
  await page.goto('/');
  await expect(page).toHaveTitle(/Tabtune/);
  const dir = testInfo.outputPath('mrpc');
  await page.getByLabel('Choose files').setInputFiles([...tinyUncasedFiles(dir), ...mrpcFiles(dir, 16, 8)]);
  await expect(page.getByTestId('task-select')).toHaveValue('mrpc');
  await setField('Max sequence length', '32');
  await setField('Batch size', '8');
  await setField('Epochs', '1');
  const titles: string[] = [];
  await page.exposeFunction('__noteTitle', (t: string) => titles.push(t));
  await page.evaluate(() => {
    const w = window as unknown as { __noteTitle(t: string): void };
    new MutationObserver(() => w.__noteTitle(document.title)).observe(document.querySelector('title')!, { childList: true, subtree: true, characterData: true });
  });
  await page.getByRole('button', { name: /^Start/ }).click();
  // Focus moves to the Progress panel on Start.
  await expect(page.getByTestId('progress-panel')).toBeFocused();
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'finished', { timeout: 10 * 60_000 });
  // Two steps of two: the title went through "50% · Tabtune" and says the run finished.
  expect(titles).toContain('50% · Tabtune');
  await expect(page).toHaveTitle('Finished · Tabtune');
  await snap(page, testInfo, 'trained');
  net.assertOnlySameOrigin();
});

test('the ONNX and torchrun-job downloads arrive and unzip to the expected folders', async ({}, testInfo) => {
  test.setTimeout(6 * 60_000);
  await page.getByTestId('download-onnx-prepare').click();
  const onnxLink = page.getByTestId('download-onnx');
  await expect(onnxLink).toBeVisible({ timeout: 3 * 60_000 });
  const [onnx] = await Promise.all([page.waitForEvent('download'), onnxLink.click()]);
  expect(onnx.suggestedFilename()).toBe('tabtune-mrpc-onnx.zip');
  const o = unzipFolder(await onnx.path());
  expect(o.folder).toBe('tabtune-mrpc-onnx');
  expect([...o.files.keys()].sort()).toEqual(['config.json', 'onnx/model.onnx', 'onnx/model_quantized.onnx', 'tokenizer.json', 'tokenizer_config.json', 'vocab.txt']);
  const config = JSON.parse(new TextDecoder().decode(o.files.get('config.json'))) as { architectures: string[]; id2label: Record<string, string> };
  expect(config.architectures).toEqual(['BertForSequenceClassification']);
  expect(config.id2label).toEqual({ 0: '0', 1: '1' });
  expect(o.files.get('onnx/model.onnx')!.byteLength).toBeGreaterThan(100_000);

  await page.getByTestId('download-torch-job-prepare').click();
  const jobLink = page.getByTestId('download-torch-job');
  await expect(jobLink).toBeVisible({ timeout: 3 * 60_000 });
  const [job] = await Promise.all([page.waitForEvent('download'), jobLink.click()]);
  expect(job.suggestedFilename()).toBe('tabtune-mrpc-torch-job.zip');
  const j = unzipFolder(await job.path());
  expect([...j.files.keys()].sort()).toEqual([
    'README.md', 'data/dev.tsv', 'features/train-00001-of-00001.safetensors',
    'model/config.json', 'model/model.safetensors', 'model/tokenizer_config.json', 'model/vocab.txt', 'settings.json', 'train.py',
  ]);
  const settings = JSON.parse(new TextDecoder().decode(j.files.get('settings.json'))) as { run: { train_batch_size: number; max_seq_length: number }; data: { num_train_examples: number } };
  expect(settings.run).toMatchObject({ train_batch_size: 8, max_seq_length: 32 });
  expect(settings.data.num_train_examples).toBe(16);
  expect(new TextDecoder().decode(j.files.get('README.md'))).toMatch(/torchrun --nproc_per_node=8/);
  await snap(page, testInfo, 'downloads');
});

test("new files clear the old run's panels, and a CSV's columns are mapped by the user", async ({}, testInfo) => {
  test.setTimeout(5 * 60_000);
  // The run's panels are on screen.
  await expect(page.getByTestId('eval-row').first()).toBeVisible();
  await expect(page.getByTestId('dashboard-idle')).toHaveCount(0);

  // A table of the user's own: the id first, the text second, a title third, the label last.
  const dir = testInfo.outputPath('csv');
  mkdirSync(dir, { recursive: true });
  const rows = [
    ['id', 'review', 'title', 'sentiment'],
    ['101', 'a wonderful warm film', 'great', 'positive'],
    ['102', 'dull and far too long', 'meh', 'negative'],
    ['103', 'the actors shine throughout', 'good', 'positive'],
    ['104', 'i wanted my evening back', 'bad', 'negative'],
  ];
  const csv = join(dir, 'train.csv');
  writeFileSync(csv, rows.map((r) => r.join(',')).join('\n') + '\n');
  await page.getByLabel('Choose files').setInputFiles([...tinyUncasedFiles(join(dir, 'model')), csv]);

  // The old run's charts, metrics, downloads and title are gone.
  await expect(page.getByTestId('dashboard-idle')).toBeVisible();
  await expect(page.getByTestId('eval-row')).toHaveCount(0);
  await expect(page.getByTestId('download-onnx')).toHaveCount(0);
  await expect(page).not.toHaveTitle(/Finished/);

  // The MRPC files of the old run are still loaded (a drop adds files): the user removes them.
  await page.getByRole('button', { name: 'Remove train.tsv' }).click();
  await page.getByRole('button', { name: 'Remove dev.tsv' }).click();
  await expect(page.getByTestId('file-item')).toHaveCount(4);

  // Task tsv; the guess from column order (text A = id) is shown, and the user maps the columns.
  await expect(page.getByTestId('task-select')).toHaveValue('tsv');
  const mapping = page.getByTestId('column-mapping');
  await expect(mapping).toBeVisible();
  await expect(page.getByTestId('column-text-a')).toHaveValue('id');
  await expect(page.getByTestId('data-preview')).toContainText('101');
  await page.getByTestId('column-text-a').selectOption('review');
  await expect(page.getByTestId('column-text-a')).toHaveValue('review');
  await page.getByTestId('column-text-b').selectOption('');
  await expect(page.getByTestId('column-label')).toHaveValue('sentiment');
  // The preview follows: the review's words, one segment, the label as written in the file.
  const first = page.getByTestId('data-preview').locator('article').first();
  await expect(first).toContainText('wonderful', { timeout: 60_000 });
  await expect(first).not.toContainText('101');
  await expect(first.locator('.tok.seg-b')).toHaveCount(0);
  await expect(first).toContainText('label: positive');
  await expect(page.getByTestId('dataset-counts')).toContainText('4 training');
  await snap(page, testInfo, 'csv-mapped');
});
