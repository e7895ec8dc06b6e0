/**
 * The studio with a user's own classification files: a BERT folder (Hugging Face or Google's
 * original checkpoint), a vocabulary and MRPC rows, fine-tuned on WebGPU (SwiftShader here) in the
 * page's worker; then a reload in the middle of a run and a resume from its last checkpoint.
 */
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

test('fine-tunes a BERT folder on MRPC rows with WebGPU and shows the loss and an eval row', async ({ page }, testInfo) => {
  const net = guardNetwork(page);
  await page.goto('/');
  await snap(page, testInfo, 'empty');

  const dir = testInfo.outputPath('mrpc');
  await page.getByLabel('Choose files').setInputFiles([...tinyUncasedFiles(dir), ...mrpcFiles(dir, 200, 24)]);
  await expect(page.getByTestId('file-item')).toHaveCount(5);
  await expect(page.getByTestId('task-select')).toHaveValue('mrpc');
  await expect(page.getByTestId('data-preview')).toContainText('[CLS]');
  await snap(page, testInfo, 'files');

  await setField(page, 'Max sequence length', '64');
  await setField(page, 'Batch size', '8');
  await setField(page, 'Learning rate', '0.001');
  await setField(page, 'Epochs', '1');
  await setField(page, 'Evaluate every N steps', '10');

  await page.getByRole('button', { name: /^Start/ }).click();
  await expect(page.getByTestId('backend-badge')).toHaveAttribute('data-backend', 'webgpu', { timeout: 120_000 });
  await expect.poll(() => lossPoints(page), { timeout: 8 * 60_000, intervals: [2000] }).toBeGreaterThanOrEqual(20);
  await expect(page.getByTestId('eval-row').first()).toBeVisible({ timeout: 5 * 60_000 });
  await expect(page.getByTestId('eval-row').first()).toContainText(/0\.\d+/);
  const loss = Number(await page.getByTestId('latest-loss').textContent());
  expect(Number.isFinite(loss)).toBe(true);
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
