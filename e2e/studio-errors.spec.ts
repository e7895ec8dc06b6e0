/**
 * Every bad input of the data pipeline shown in the page, naming the file and what was wrong,
 * without breaking the page: afterwards good files are still recognised and a run can start.
 */
import { expect, test } from '@playwright/test';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { guardNetwork, shared, snap } from './helpers';
import { tinyUncasedFiles } from './fixture-folders';

/** name -> [contents, a pattern the message must show] */
function badFiles(dir: string): Array<{ path: string; name: string; expect: RegExp }> {
  mkdirSync(dir, { recursive: true });
  const mrpc = readFileSync(shared('datasets/glue/MRPC/train.tsv'), 'utf8').split('\n');
  const squad = JSON.parse(readFileSync(shared('fixtures/squad/xquad.en/input-train.json'), 'utf8'));
  const firstQa = squad.data[0].paragraphs[0].qas[0];
  const outside = { version: '1.1', data: [{ title: 't', paragraphs: [{ context: 'Short context.', qas: [{ ...firstQa, answers: [{ text: 'x', answer_start: 500 }] }] }] }] };
  const cases: Array<[string, string | Uint8Array, RegExp]> = [
    // A header and good rows, one row with a missing column and one with a label MRPC does not have.
    ['train.tsv', [mrpc[0], mrpc[1], mrpc[2], 'only\ttwo columns', mrpc[3].replace(/^1\t|^0\t/, '7\t'), mrpc[4]].join('\n') + '\n', /train\.tsv.*line [45]/is],
    ['squad-not-json.json', '{"version": "1.1", "data": [ {"title": "x", "paragraphs": [', /json/i],
    ['squad-no-data.json', JSON.stringify({ version: '1.1' }), /data/],
    ['squad-outside.json', JSON.stringify(outside), /answer_start|outside|context/i],
    ['vocab.txt', 'hello\nworld\n', /\[CLS\]|\[SEP\]|\[UNK\]/],
    ['empty.tsv', '', /empty/i],
    ['dev.tsv', new Uint8Array(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)), /binary|not a text|UTF-8/i],
  ];
  return cases.map(([name, body, pattern]) => {
    const path = join(dir, name);
    writeFileSync(path, body);
    return { path, name, expect: pattern };
  });
}

test('bad inputs are reported with the file and the problem, and the page keeps working', async ({ page }, testInfo) => {
  const net = guardNetwork(page);
  const good = tinyUncasedFiles(testInfo.outputPath('good'));
  for (const f of badFiles(testInfo.outputPath('bad'))) {
    await page.goto('/');
    // A bad vocabulary comes alone (a good one would replace it); the others beside a good model.
    await page.getByLabel('Choose files').setInputFiles(f.name === 'vocab.txt' ? [f.path] : [...good, f.path]);
    // The file shows up with why it was rejected, or an error or warning names it.
    const said = page
      .getByTestId('file-item')
      .or(page.getByTestId('error-item'))
      .or(page.getByTestId('log'))
      .filter({ hasText: f.name });
    await expect(said.first()).toBeVisible({ timeout: 60_000 });
    await expect
      .poll(async () => (await said.allTextContents()).join(' | '), { message: `what the page says about ${f.name}`, timeout: 60_000 })
      .toMatch(f.expect);
    await snap(page, testInfo, f.name.replace(/\W+/g, '-'));
    if (f.name !== 'train.tsv') continue;
    // Still usable: the good rows of the file with bad rows are kept and previewed.
    await expect(page.getByTestId('task-select')).toHaveValue('mrpc');
    await expect(page.getByTestId('dataset-counts')).toContainText('3 training');
    await expect(page.getByTestId('data-preview')).toContainText('[CLS]');
    await expect(page.getByTestId('file-item').filter({ hasText: 'model.safetensors' })).toHaveAttribute('data-accepted', 'true');
  }
  net.assertOnlySameOrigin();
});
