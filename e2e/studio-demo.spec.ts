/**
 * First visit with nothing dropped: "Try the demo" trains a small BERT from scratch on the
 * generated question-answering set, and the QA demo answers a held-out question correctly.
 */
import { expect, test } from '@playwright/test';
import { DEMO_SETTINGS, generateDemoQa } from '../src/core/data/demo-qa';
import { guardNetwork, snap } from './helpers';

/** The answer the generator wrote for a held-out (dev) question, looked up independently of the page. */
function expectedAnswer(context: string, question: string): string {
  for (const p of generateDemoQa({ seed: 1 }).dev.data.flatMap((a) => a.paragraphs)) {
    if (p.context !== context) continue;
    const qa = p.qas.find((q) => q.question === question);
    if (qa) return qa.answers[0].text;
  }
  throw new Error(`held-out question not found in the generated dev set: ${question}`);
}

test('the built-in demo trains and answers a held-out question', async ({ page }, testInfo) => {
  // 150 steps of 16 (2,400 examples): seconds on a real GPU; on this machine's SwiftShader WebGPU
  // the first steps of a batch-32 run went at about 1.3 examples/s, so the run can take half an hour here.
  test.setTimeout(100 * 60_000);
  const net = guardNetwork(page);
  await page.goto('/');
  await expect(page.getByTestId('demo-hero')).toBeVisible();
  await page.getByRole('button', { name: 'Try the demo' }).click();
  await expect(page.getByTestId('backend-badge')).toHaveAttribute('data-backend', 'webgpu', { timeout: 120_000 });
  await expect.poll(async () => Number(await page.getByTestId('loss-points').textContent()), { timeout: 10 * 60_000, intervals: [3000] }).toBeGreaterThan(2);
  await snap(page, testInfo, 'training');
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'finished', { timeout: 90 * 60_000 });
  await snap(page, testInfo, 'trained');
  // The loss fell well below a random span head's ln(sequence length).
  const loss = Number(await page.getByTestId('latest-loss').textContent());
  expect(loss).toBeLessThan(0.5 * Math.log(DEMO_SETTINGS.maxSeqLength));

  const demo = page.getByTestId('qa-demo');
  await demo.getByRole('button', { name: /^Use held-out question 1/ }).click();
  const context = await demo.getByLabel('Context').inputValue();
  const question = await demo.getByLabel('Question').inputValue();
  await demo.getByRole('button', { name: 'Answer' }).click();
  await expect(demo.getByTestId('answer-mark')).toBeVisible({ timeout: 120_000 });
  await expect(demo.getByTestId('qa-answer')).toHaveText(expectedAnswer(context, question));
  await snap(page, testInfo, 'answered');
  net.assertOnlySameOrigin();
});
