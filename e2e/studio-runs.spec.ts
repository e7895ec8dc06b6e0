/**
 * Runs a user can trust across reloads (issue 12, parts 3, 4, 9, 11), on WebGPU (SwiftShader),
 * with ONE tiny run shared by the tests (serial, one browser context: its IndexedDB and OPFS
 * survive the reloads): tiny-uncased on 24 SQuAD questions, 3 epochs at batch 32, a checkpoint
 * every step. SwiftShader on a loaded 2-core machine takes minutes per step: generous timeouts.
 * - while it trains, the settings form shows the run's settings, read-only;
 * - paused after its first checkpoint and reloaded, Resume from the run list (no file dropped)
 *   reads the kept files back from OPFS and continues from the checkpoint to the end;
 * - reloaded again, the finished run reopens from the run list with its charts, its evaluations,
 *   and its QA demo answering from its last checkpoint.
 */
import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { join } from 'node:path';
import { REPO_ROOT, guardNetwork, shared, snap } from './helpers';
import { squadHead, tinyUncasedFiles } from './fixture-folders';

test.describe.configure({ mode: 'serial', timeout: 30 * 60_000 });

let context: BrowserContext;
let page: Page;
/** The shared run's optimizer steps (3 epochs; read from its run card). */
let totalSteps = 0;

async function setField(p: Page, label: string, value: string) {
  const field = p.getByLabel(label, { exact: true });
  await field.fill(value);
  await field.blur();
}

test.beforeAll(async ({ browser }) => {
  context = await browser.newContext();
  page = await context.newPage();
});

test.afterAll(async () => {
  await context?.close();
});

test('the form shows the running run\'s settings, read-only', async ({}, testInfo) => {
  const net = guardNetwork(page);
  await page.goto('/');
  const dir = testInfo.outputPath('squad');
  const files = [
    ...tinyUncasedFiles(dir),
    squadHead(shared('fixtures/squad/xquad.en/input-train.json'), 24, dir, 'train.json'),
    squadHead(shared('fixtures/squad/xquad.en/input.json'), 4, dir, 'dev.json'),
  ];
  await page.getByLabel('Choose files').setInputFiles(files);
  await expect(page.getByTestId('task-select')).toHaveValue('squad');
  await setField(page, 'Max question length', '16');
  await setField(page, 'Document stride', '32');
  await setField(page, 'Max sequence length', '64');
  await setField(page, 'Batch size', '32');
  await setField(page, 'Learning rate', '0.001');
  await setField(page, 'Epochs', '3');
  await page.getByText('Advanced settings').click();
  await setField(page, 'Checkpoint every N steps', '1');
  // The files the run keeps, with their total size, and the opt-out (left on).
  await expect(page.getByTestId('keep-files')).toContainText(/Keep this run's 5 files \(\d/);
  await expect(page.getByTestId('keep-files').getByRole('checkbox')).toBeChecked();

  await page.getByRole('button', { name: /^Start/ }).click();
  const runSettings = page.getByTestId('run-settings');
  // Shown from the run's start (its files kept, its data featurized, its weights loaded): minutes on a loaded machine.
  await expect(runSettings).toBeVisible({ timeout: 5 * 60_000 });
  await expect(runSettings.getByLabel('Batch size', { exact: true })).toHaveValue('32');
  await expect(runSettings.getByLabel('Batch size', { exact: true })).toBeDisabled();
  await expect(runSettings.getByLabel('Epochs', { exact: true })).toHaveValue('3');
  await expect(runSettings.getByLabel('Checkpoint every N steps', { exact: true })).toHaveValue('1');
  await expect(runSettings.getByRole('button', { name: 'New run from these settings' })).toBeDisabled();
  await expect(page.getByTestId('backend-badge')).toHaveAttribute('data-backend', 'webgpu', { timeout: 120_000 });
  net.assertOnlySameOrigin();
});

test('after a reload, Resume from the run list with no files dropped continues from the checkpoint', async ({}, testInfo) => {
  const item = page.getByTestId('run-item').first();
  // The first checkpoint (step 1) is stored: pause there, then reload as a user closing the tab would.
  await expect(item.getByTestId('run-checkpoint')).toContainText(/checkpoint at step [1-9]/, { timeout: 10 * 60_000 });
  await page.getByRole('button', { name: 'Pause', exact: true }).click();
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'paused', { timeout: 5 * 60_000 });
  await expect(item.getByTestId('run-files')).toContainText('Files kept in this browser');
  await page.reload();

  const after = page.getByTestId('run-item').first();
  await expect(after).toBeVisible({ timeout: 60_000 });
  const checkpointText = (await after.getByTestId('run-checkpoint').textContent()) ?? '';
  const checkpointStep = Number(/checkpoint at step (\d+)/.exec(checkpointText)?.[1]);
  expect(checkpointStep).toBeGreaterThanOrEqual(1);
  totalSteps = Number(/step \d+\/(\d+)/.exec((await after.textContent()) ?? '')?.[1]);
  expect(totalSteps).toBeGreaterThan(checkpointStep);
  await expect(after).not.toContainText('step 0/');
  // The card's "kept" is what the browser's storage holds (read back from OPFS), not only the record.
  await expect(after.getByTestId('run-files')).toHaveAttribute('data-kept', 'kept');
  await expect(page.getByTestId('file-list')).toHaveCount(0);
  await expect(page.getByTestId('storage-use')).toContainText(/This site uses/);

  await after.getByRole('button', { name: /^Resume run/ }).click();
  await expect(page.getByTestId('log')).toContainText(/read its 5 kept files back/, { timeout: 120_000 });
  await expect(page.getByTestId('log')).toContainText(`resuming run`, { timeout: 120_000 });
  await expect(page.getByTestId('log')).toContainText(`from step ${checkpointStep}`);
  await expect(page.getByTestId('run-settings')).toBeVisible();
  await expect(page.getByText('No checkpoint had been saved yet')).toHaveCount(0);
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', /training|evaluating/, { timeout: 5 * 60_000 });
  // The stored curve is back and grows past the checkpoint.
  await expect.poll(async () => Number(await page.getByTestId('loss-points').textContent()), { timeout: 15 * 60_000 }).toBeGreaterThan(checkpointStep);
  await page.screenshot({ path: join(REPO_ROOT, 'docs', 'screenshots', 'resumed-run.png'), fullPage: true });
  await snap(page, testInfo, 'resumed');
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'finished', { timeout: 20 * 60_000 });
  await expect(page.getByText('No checkpoint had been saved yet')).toHaveCount(0);
  expect(Number(await page.getByTestId('loss-points').textContent())).toBe(totalSteps);
});

test('a finished run reopens after a reload with its charts and its QA demo', async ({}, testInfo) => {
  await page.reload();
  const item = page.getByTestId('run-item').first();
  await expect(item).toHaveAttribute('data-status', 'finished', { timeout: 60_000 });
  await item.getByRole('button', { name: /^Open run/ }).click();
  await expect(page.getByTestId('dashboard')).toBeVisible();
  await expect(page.getByTestId('loss-points')).toHaveText(String(totalSteps), { timeout: 60_000 });
  await expect(page.getByTestId('eval-row').first()).toContainText(/\d/);
  await expect(page.getByTestId('run-settings')).toBeVisible();
  // The model comes back from the run's last checkpoint (no step trained) for the demo: ask until it answers.
  await expect(page.getByTestId('log')).toContainText('resuming run', { timeout: 5 * 60_000 });
  const context = 'The Panthers defense gave up just 308 points, ranking sixth in the league.';
  const demo = page.getByTestId('qa-demo');
  await demo.getByRole('textbox', { name: 'Context', exact: true }).fill(context);
  await demo.getByRole('textbox', { name: 'Question', exact: true }).fill('How many points did the Panthers defense give up?');
  await expect(async () => {
    await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'finished', { timeout: 1_000 });
    await demo.getByRole('button', { name: 'Answer' }).click();
    await expect(demo.getByTestId('qa-result')).toBeVisible({ timeout: 30_000 });
  }).toPass({ timeout: 5 * 60_000 });
  // Reopening trained no step: the curve is still the run's.
  await expect(page.getByTestId('loss-points')).toHaveText(String(totalSteps));
  await expect(demo.getByTestId('answer-mark')).toBeVisible();
  expect(context).toContain((await demo.getByTestId('answer-mark').textContent()) ?? '');
  await snap(page, testInfo, 'reopened');
});
