/**
 * Measured estimates before Start, on WebGPU (SwiftShader here): drop the tiny-uncased folder and
 * MRPC rows; before Start the page states the calibration's seconds per step, the time per epoch,
 * the whole run (with its evaluations) and the measured peak memory, as an estimate; after Start
 * the live speed replaces it, and the calibrated seconds per step are within 3x of it.
 */
import { mkdirSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { guardNetwork } from './helpers';
import { mrpcFiles, tinyUncasedFiles } from './fixture-folders';

async function setField(page: Page, label: string, value: string) {
  const field = page.getByLabel(label, { exact: true });
  await field.fill(value);
  await field.blur();
}

test('the estimate is measured before Start and its seconds per step are within 3x of the run’s speed', async ({ page }, testInfo) => {
  test.setTimeout(20 * 60_000);
  const net = guardNetwork(page);
  await page.goto('/');
  const dir = testInfo.outputPath('mrpc');
  await page.getByLabel('Choose files').setInputFiles([...tinyUncasedFiles(dir), ...mrpcFiles(dir, 48, 8)]);
  await expect(page.getByTestId('task-select')).toHaveValue('mrpc');
  await setField(page, 'Batch size', '8');
  await setField(page, 'Epochs', '1');

  const measured = page.getByTestId('estimate-measured');
  await expect(measured).toHaveAttribute('data-source', 'calibration', { timeout: 8 * 60_000 });
  const text = (await page.getByTestId('estimate').textContent()) ?? '';
  expect(text).toContain('an estimate');
  expect(text).toContain('measured on webgpu');
  expect(text).toContain('batch 8, sequence length 64');
  expect(text).not.toContain('GFLOP/s');
  await expect(page.getByTestId('estimate-memory')).toHaveText(/\d/);
  const calibrated = Number(await measured.getAttribute('data-seconds-per-step'));
  expect(calibrated).toBeGreaterThan(0);
  mkdirSync('docs/screenshots', { recursive: true });
  await page.getByTestId('estimate').screenshot({ path: 'docs/screenshots/estimate-before-start.png' });
  await page.screenshot({ path: 'docs/screenshots/estimate-page.png' });

  await page.getByRole('button', { name: /^Start/ }).click();
  await expect(measured).toHaveAttribute('data-source', 'live', { timeout: 10 * 60_000 });
  // Past the first step (shader compilation): the live speed settles.
  await expect.poll(async () => Number((await page.getByTestId('latest-step').textContent())?.split('/')[0].trim()), { timeout: 10 * 60_000, intervals: [2000] }).toBeGreaterThanOrEqual(3);
  const live = Number(await measured.getAttribute('data-seconds-per-step'));
  testInfo.annotations.push({ type: 'speed', description: `calibrated ${calibrated.toFixed(3)} s/step, live ${live.toFixed(3)} s/step` });
  console.log(`estimate: calibrated ${calibrated.toFixed(3)} s/step, live ${live.toFixed(3)} s/step`);
  expect(live / calibrated).toBeLessThan(3);
  expect(calibrated / live).toBeLessThan(3);
  await page.getByTestId('estimate').screenshot({ path: 'docs/screenshots/estimate-live.png' });
  net.assertOnlySameOrigin();
});
