/**
 * The studio's masked-LM task on WebGPU (SwiftShader here): the tiny-uncased folder and a small
 * plain-text file written by this test are dropped; the task is recognised as "Domain text
 * (masked-LM)"; the trainable-parameter choice changes the parameter counts; a few steps train
 * in the page's worker while the loss and the held-out masked-token accuracy charts fill; the
 * fill-the-mask demo answers; and one click makes the adapted encoder the pre-trained model.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { guardNetwork, snap } from './helpers';
import { tinyUncasedFiles } from './fixture-folders';

async function setField(page: Page, label: string, value: string) {
  const field = page.getByLabel(label, { exact: true });
  await field.fill(value);
  await field.blur();
}

/** Three short documents of a user's own notes (one sentence per line, blank line between documents). */
function notesFile(dir: string): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'notes.txt');
  writeFileSync(
    path,
    [
      'The harbour was quiet before the storm arrived.',
      'Fishing boats stayed tied to the pier all night.',
      '',
      'In the morning the wind dropped and the sky cleared.',
      'The boats went out again at first light.',
      '',
      'The market sold fresh fish by nine o clock.',
      'Prices were lower than the week before.',
      '',
    ].join('\n'),
  );
  return path;
}

test('masked-LM on dropped text: charts, fill the mask, then fine-tune the adapted model next', async ({ page }, testInfo) => {
  test.setTimeout(20 * 60_000);
  const net = guardNetwork(page);
  await page.goto('/');
  const dir = testInfo.outputPath('mlm');
  await page.getByLabel('Choose files').setInputFiles([...tinyUncasedFiles(dir), notesFile(dir)]);
  await expect(page.getByTestId('file-item')).toHaveCount(4);
  await expect(page.locator('[data-testid="file-item"][data-kind="text-corpus"]')).toHaveAttribute('data-accepted', 'true');
  await expect(page.getByTestId('task-select')).toHaveValue('mlm');
  await expect(page.getByTestId('data-preview')).toContainText('[MASK]');

  // The trainable-parameter choice shows its effect on what trains.
  const counts = page.getByTestId('trainable-counts');
  await expect(counts).toContainText(/Trains .* of .* parameters/);
  const full = await counts.textContent();
  await page.getByLabel('LoRA adapters').check();
  await expect(counts).toContainText('in adapters');
  expect(await counts.textContent()).not.toBe(full);
  await page.getByLabel('Full fine-tuning').check();
  await expect(counts).toHaveText(full!);

  // A few steps: ~6 packed sequences of 24 tokens, batch 4, one epoch, evaluation at every step.
  await setField(page, 'Max sequence length', '24');
  await setField(page, 'Batch size', '4');
  await setField(page, 'Epochs', '1');
  await setField(page, 'Evaluate every N steps', '1');
  await setField(page, 'Learning rate', '0.001');
  await snap(page, testInfo, 'files');
  await page.getByRole('button', { name: /^Start/ }).click();
  await expect(page.getByTestId('backend-badge')).toHaveAttribute('data-backend', 'webgpu', { timeout: 120_000 });
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'finished', { timeout: 15 * 60_000 });
  expect(Number(await page.getByTestId('loss-points').textContent())).toBeGreaterThanOrEqual(1);
  await expect(page.getByTestId('loss-chart')).not.toContainText('The loss appears here at the first step.');
  await expect(page.getByTestId('mlm-accuracy-chart')).not.toContainText('appears at each evaluation');
  await expect(page.getByTestId('mlm-loss-chart')).not.toContainText('appears at each evaluation');
  await expect(page.getByTestId('mlm-accuracy-chart').locator('canvas').first()).toBeVisible();
  await snap(page, testInfo, 'trained');

  // Fill the mask: the top 5 for the one [MASK] of the default sentence.
  await page.getByRole('button', { name: 'Fill the mask' }).click();
  const candidates = page.getByTestId('fill-mask-candidates');
  await expect(candidates).toHaveCount(1, { timeout: 120_000 });
  await expect(candidates.getByRole('meter')).toHaveCount(5);
  await expect(page.getByTestId('fill-mask-filled')).toContainText('⟨');
  await snap(page, testInfo, 'fill-mask');

  // One click: the adapted encoder replaces the dropped model.
  await page.getByRole('button', { name: 'Fine-tune this model next' }).click();
  await expect(page.getByTestId('fine-tune-next-note')).toContainText('now the pre-trained model', { timeout: 60_000 });
  const items = page.getByTestId('file-item');
  await expect(items.filter({ hasText: /adapted-model-[^/]+\/config\.json/ })).toHaveCount(1);
  await expect(items.filter({ hasText: /adapted-model-[^/]+\/tokenizer_config\.json/ })).toHaveCount(1);
  await expect(items.filter({ hasText: /adapted-model-.*model\.safetensors/ })).toHaveCount(1);
  await expect(items.filter({ hasText: 'model.safetensors' })).toHaveCount(1); // the dropped tiny-uncased weights are gone
  await expect(page.getByTestId('model-summary')).toBeVisible();
  await expect(page.getByTestId('log')).toContainText(/is now the pre-trained model; its mlm head is dropped/);
  await snap(page, testInfo, 'fine-tune-next');
  net.assertOnlySameOrigin();
});
