/**
 * First visit with nothing dropped: "Try the demo" sizes itself to the device and runs to the
 * end. On this machine WebGPU is SwiftShader (a software renderer), so the demo's probe step
 * must lead it to its smallest size (demo-size.ts: 40 steps, hidden 32, 1 layer, sequence 40),
 * which it says before training; the form shows that size's settings; the whole demo finishes
 * within a few minutes; and the QA demo answers its first held-out question with the
 * generator's exact answer. Screenshots of the chosen size and the answer go to
 * docs/screenshots/ for the closing note.
 */
import { mkdirSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { generateDemoQa } from '../src/core/data';
import { demoSizeNamed, demoSteps } from '../src/core/session';
import { guardNetwork, snap } from './helpers';

test('the demo picks a small size on SwiftShader, finishes within a few minutes, and answers its held-out question', async ({ page }, testInfo) => {
  // About 3.5 minutes on an idle machine (probe ~40 s, 40 steps of ~3 s, the evaluation); the
  // timeouts leave room for a machine shared by several SwiftShader runs (load average ~20 seen).
  test.setTimeout(13 * 60_000);
  const net = guardNetwork(page);
  await page.goto('/');
  const hero = page.getByTestId('demo-hero');
  await expect(hero).toBeVisible();
  // Before anything is measured the first screen promises no duration, only that the demo sizes itself.
  await expect(page.getByTestId('demo-hero-sizing')).toContainText('It sizes itself to this device');
  await expect(hero).not.toContainText('in about a minute');
  await snap(page, testInfo, 'first-visit');
  await page.getByRole('button', { name: 'Try the demo' }).click();

  // The probe runs on WebGPU (SwiftShader) and the demo says what it chose and why.
  const size = page.getByTestId('demo-size');
  await expect(size).toBeVisible({ timeout: 60_000 });
  await expect(size).toHaveAttribute('data-status', 'chosen', { timeout: 5 * 60_000 });
  await expect(page.getByTestId('backend-badge')).toHaveAttribute('data-backend', 'webgpu');
  await expect(size).toHaveAttribute('data-device', 'software-gpu');
  await expect(size).toHaveAttribute('data-size', 'small');
  const small = demoSizeNamed('small');
  await expect(page.getByTestId('demo-size-reason')).toHaveText(`slow GPU (software renderer): ${demoSteps(small)} steps, hidden ${small.model.hiddenSize}, 1 layer, sequence ${small.settings.maxSeqLength}`);
  await expect(size).toContainText(/· (under a minute|about \d+ min)/);

  // The form shows the settings the demo runs with (the chosen size's), read-only.
  const runSettings = page.getByTestId('run-settings');
  await expect(runSettings).toBeVisible({ timeout: 120_000 });
  await expect(runSettings.getByLabel('Max sequence length', { exact: true })).toHaveValue(String(small.settings.maxSeqLength));
  await expect(runSettings.getByLabel('Batch size', { exact: true })).toHaveValue(String(small.settings.trainBatchSize));
  await expect(runSettings.getByLabel('Epochs', { exact: true })).toHaveValue(String(small.settings.numTrainEpochs));
  await expect(runSettings.getByLabel('Max sequence length', { exact: true })).toBeDisabled();
  await expect.poll(async () => Number(await page.getByTestId('loss-points').textContent()), { timeout: 3 * 60_000, intervals: [2000] }).toBeGreaterThanOrEqual(1);
  mkdirSync('docs/screenshots', { recursive: true });
  await page.screenshot({ path: 'docs/screenshots/demo-chosen-size.png' });
  await snap(page, testInfo, 'chosen-size');

  // The whole demo runs to its end: every step, then the evaluation.
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'finished', { timeout: 6 * 60_000 });
  await expect(page.getByTestId('loss-points')).toHaveText(String(demoSteps(small)));

  // The first held-out question (a name never seen in training) is answered with the exact gold answer.
  const demo = page.getByTestId('qa-demo');
  await expect(demo).not.toContainText('still training');
  await demo.getByRole('button', { name: /^Use held-out question 1/ }).click();
  const context = await demo.getByRole('textbox', { name: 'Context', exact: true }).inputValue();
  const question = await demo.getByRole('textbox', { name: 'Question', exact: true }).inputValue();
  const dev = generateDemoQa({ seed: 1, trainParagraphs: small.trainParagraphs, devParagraphs: small.devParagraphs, factsPerParagraph: [small.factsPerParagraph, small.factsPerParagraph] }).dev.data.flatMap((a) => a.paragraphs);
  const held = dev.find((p) => p.context === context)?.qas.find((q) => q.question === question);
  expect(held, 'the offered question is one of the generated held-out questions').toBeTruthy();
  await demo.getByRole('button', { name: 'Answer' }).click();
  await expect(demo.getByTestId('answer-mark')).toBeVisible({ timeout: 120_000 });
  await expect(demo.getByTestId('answer-mark')).toHaveText(held!.answers[0].text);
  await demo.getByTestId('answer-mark').scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'docs/screenshots/demo-answered.png' });
  await snap(page, testInfo, 'answered');
  net.assertOnlySameOrigin();
});
