/**
 * Question answering: the tiny-uncased BERT folder and SQuAD-format questions from the fixtures,
 * a short WebGPU run with live span predictions, then the QA demo highlighting an answer.
 */
import { expect, test, type Page } from '@playwright/test';
import { guardNetwork, shared, snap } from './helpers';
import { squadHead, tinyUncasedFiles } from './fixture-folders';

async function setField(page: Page, label: string, value: string) {
  const field = page.getByLabel(label, { exact: true });
  await field.fill(value);
  await field.blur();
}

test('trains on SQuAD questions, shows span predictions, and the QA demo marks an answer', async ({ page }, testInfo) => {
  const net = guardNetwork(page);
  await page.goto('/');
  const dir = testInfo.outputPath('squad');
  const files = [
    ...tinyUncasedFiles(dir),
    squadHead(shared('fixtures/squad/xquad.en/input-train.json'), 24, dir, 'train.json'),
    squadHead(shared('fixtures/squad/xquad.en/input.json'), 6, dir, 'dev.json'),
  ];
  await page.getByLabel('Choose files').setInputFiles(files);
  await expect(page.getByTestId('task-select')).toHaveValue('squad');
  await expect(page.getByTestId('data-preview')).toContainText('[SEP]');
  // Question length first: a 64-token sequence has no room beside the default 64-token question.
  await setField(page, 'Max question length', '16');
  await setField(page, 'Document stride', '32');
  await setField(page, 'Max sequence length', '64');
  await setField(page, 'Batch size', '16');
  await setField(page, 'Learning rate', '0.001');
  await setField(page, 'Epochs', '1');
  await setField(page, 'Evaluate every N steps', '3');
  await snap(page, testInfo, 'configured');

  await page.getByRole('button', { name: /^Start/ }).click();
  await expect(page.getByTestId('backend-badge')).toHaveAttribute('data-backend', 'webgpu', { timeout: 120_000 });
  await expect(page.getByTestId('span-prediction').first()).toBeVisible({ timeout: 10 * 60_000 });
  await expect(page.getByTestId('eval-row').first()).toContainText(/\d/);
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'finished', { timeout: 10 * 60_000 });
  await snap(page, testInfo, 'trained');

  const demo = page.getByTestId('qa-demo');
  await demo.getByRole('textbox', { name: 'Context', exact: true }).fill('The Panthers defense gave up just 308 points, ranking sixth in the league.');
  await demo.getByRole('textbox', { name: 'Question', exact: true }).fill('How many points did the Panthers defense give up?');
  await demo.getByRole('button', { name: 'Answer' }).click();
  await expect(demo.getByTestId('qa-result')).toBeVisible({ timeout: 120_000 });
  await demo.getByText(/^n-best list/).click();
  await expect(demo.getByTestId('nbest-table')).toBeVisible();
  expect(await demo.getByTestId('nbest-table').locator('tbody tr').count()).toBeGreaterThan(1);
  // The best span is marked inside the context (a tiny model's answer, not necessarily right).
  await expect(demo.getByTestId('answer-mark')).toBeVisible();
  const marked = (await demo.getByTestId('answer-mark').textContent()) ?? '';
  expect(marked.length).toBeGreaterThan(0);
  expect('The Panthers defense gave up just 308 points, ranking sixth in the league.').toContain(marked);
  await snap(page, testInfo, 'qa-demo');
  net.assertOnlySameOrigin();
});
