/**
 * The studio with a user's own classification files: a BERT folder (Hugging Face or Google's
 * original checkpoint), a vocabulary and MRPC rows, fine-tuned on WebGPU (SwiftShader here) in the
 * page's worker; then a reload in the middle of a run and a resume from its last checkpoint.
 */
import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { guardNetwork, snap } from './helpers';
import { mrpcFiles, tinyOddGoogleFiles, tinyUncasedFiles } from './fixture-folders';

async function setField(page: Page, label: string, value: string) {
  const field = page.getByLabel(label, { exact: true });
  await field.fill(value);
  await field.blur();
}

async function lossPoints(page: Page): Promise<number> {
  return Number(await page.getByTestId('loss-points').textContent());
}

async function latestStep(page: Page): Promise<number> {
  const text = (await page.getByTestId('latest-step').textContent()) ?? '';
  return Number(text.split('/')[0].trim());
}

test("fine-tunes the tiny-uncased folder on MRPC rows with the form's defaults for it, and the loss falls", async ({ page }, testInfo) => {
  // 21 steps of batch 32 on SwiftShader: about 3 minutes an epoch on a loaded 2-core machine.
  test.setTimeout(25 * 60_000);
  const net = guardNetwork(page);
  await page.goto('/');
  await snap(page, testInfo, 'empty');

  // 200 training rows: run_classifier's defaults (batch 32, lr 5e-5, 3 epochs) give 3 x 7 steps.
  const dir = testInfo.outputPath('mrpc');
  await page.getByLabel('Choose files').setInputFiles([...tinyUncasedFiles(dir), ...mrpcFiles(dir, 200, 24)]);
  await expect(page.getByTestId('file-item')).toHaveCount(5);
  await expect(page.getByTestId('task-select')).toHaveValue('mrpc');
  await expect(page.getByTestId('data-preview')).toContainText('[CLS]');
  // The model has 64 positions: the form shows max sequence length 64 (not run_classifier's 128) and says why.
  await expect(page.getByLabel('Max sequence length', { exact: true })).toHaveValue('64');
  await expect(page.getByTestId('setting-adapted')).toContainText('64 positions');
  await expect(page.getByLabel('Batch size', { exact: true })).toHaveValue('32');
  await expect(page.getByLabel('Learning rate', { exact: true })).toHaveValue('5e-5');
  await expect(page.getByLabel('Epochs', { exact: true })).toHaveValue('3');
  await snap(page, testInfo, 'files');

  // No field changed: Start with the defaults.
  const start = page.getByRole('button', { name: /^Start/ });
  await expect(start).toBeEnabled();
  await start.click();
  await expect(page.getByTestId('backend-badge')).toHaveAttribute('data-backend', 'webgpu', { timeout: 120_000 });
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'finished', { timeout: 22 * 60_000 });
  expect(await lossPoints(page)).toBe(21);
  await expect(page.getByTestId('eval-row').first()).toContainText(/0\.\d+/);

  // The loss curve as the user downloads it: the last epoch's mean loss is below the first's.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Loss curve (CSV)' }).click()]);
  const csv = readFileSync(await download.path(), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
  const losses = csv.map((c) => Number(c[1]));
  expect(losses).toHaveLength(21);
  for (const l of losses) expect(Number.isFinite(l)).toBe(true);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const first = mean(losses.slice(0, 7));
  const last = mean(losses.slice(14));
  expect(last).toBeLessThan(first);
  await snap(page, testInfo, 'trained');
  net.assertOnlySameOrigin();
});

test('reloading mid-run keeps the run, and it resumes from its last checkpoint', async ({ page }, testInfo) => {
  const net = guardNetwork(page);
  await page.goto('/');
  const dir = testInfo.outputPath('mrpc-resume');
  const files = [...tinyUncasedFiles(dir), ...mrpcFiles(dir, 160, 16)];
  await page.getByLabel('Choose files').setInputFiles(files);
  await expect(page.getByTestId('task-select')).toHaveValue('mrpc');
  await setField(page, 'Max sequence length', '64');
  await setField(page, 'Batch size', '8');
  await setField(page, 'Epochs', '1');
  await page.getByText('Advanced settings').click();
  await setField(page, 'Checkpoint every N steps', '4');

  await page.getByRole('button', { name: /^Start/ }).click();
  await expect.poll(() => latestStep(page), { timeout: 8 * 60_000, intervals: [2000] }).toBeGreaterThanOrEqual(6);
  await snap(page, testInfo, 'before-reload');

  await page.reload();
  const run = page.getByTestId('run-item').first();
  await expect(run).toBeVisible({ timeout: 30_000 });
  await expect(run).toHaveAttribute('data-status', 'interrupted');
  await snap(page, testInfo, 'after-reload');

  // The run's data is the user's: drop the same files again, then resume.
  await page.getByLabel('Choose files').setInputFiles(files);
  await expect(page.getByTestId('task-select')).toHaveValue('mrpc');
  await run.getByRole('button', { name: /^Resume run/ }).click();
  // It goes on from the last checkpoint (step 4 or later: at most one interval lost), not from scratch.
  await expect(page.getByTestId('log')).toContainText(/resuming run .* from step \d+/, { timeout: 60_000 });
  const from = Number(/from step (\d+)/.exec((await page.getByTestId('log').textContent()) ?? '')![1]);
  expect(from).toBeGreaterThanOrEqual(4);
  await expect.poll(() => latestStep(page), { timeout: 8 * 60_000, intervals: [2000] }).toBeGreaterThan(from);
  await snap(page, testInfo, 'resumed');
  net.assertOnlySameOrigin();
});

test("trains from Google's original TensorFlow checkpoint folder", async ({ page }, testInfo) => {
  const net = guardNetwork(page);
  await page.goto('/');
  const dir = testInfo.outputPath('google');
  await page.getByLabel('Choose files').setInputFiles([...tinyOddGoogleFiles(dir), ...mrpcFiles(dir, 48, 8)]);
  await expect(page.getByTestId('file-item')).toHaveCount(6);
  await expect(page.getByTestId('model-summary')).toContainText(/tanh/i);
  await setField(page, 'Max sequence length', '32');
  await setField(page, 'Batch size', '8');
  await setField(page, 'Epochs', '1');
  await page.getByRole('button', { name: /^Start/ }).click();
  await expect(page.getByTestId('backend-badge')).toHaveAttribute('data-backend', 'webgpu', { timeout: 120_000 });
  await expect.poll(() => lossPoints(page), { timeout: 6 * 60_000, intervals: [2000] }).toBeGreaterThanOrEqual(3);
  await snap(page, testInfo, 'trained');
  net.assertOnlySameOrigin();
});
