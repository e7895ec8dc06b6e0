/** `tabtune evaluate` spawned as a user runs it: every official-metrics fixture, GLUE dev files, bad inputs. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, readShared, sharedPath } from '../../testing/shared';

function tabtune(args: string[]) {
  const r = spawnSync(process.execPath, [join(REPO_ROOT, 'bin/tabtune.mjs'), 'evaluate', ...args], { encoding: 'utf8', cwd: REPO_ROOT });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function expectMetrics(stdout: string, expected: Record<string, number>) {
  const lines = stdout.split('\n').filter((l) => l);
  expect(lines).toHaveLength(1);
  const got = JSON.parse(lines[0]) as Record<string, number>;
  expect(Object.keys(got)).toEqual(Object.keys(expected));
  for (const [k, v] of Object.entries(expected)) expect(Math.abs(got[k] - v), `${k}: ${got[k]} vs ${v}`).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(v)));
}

const tmp = () => mkdtempSync(join(tmpdir(), 'tabtune-eval-'));

describe('tabtune evaluate: SQuAD, every *-official-metrics.json', () => {
  for (const { set, task } of [
    { set: 'xquad.en', task: 'squad' },
    { set: 'cs224n-dev-v2.0', task: 'squad2' },
  ]) {
    const dir = `fixtures/squad/${set}`;
    for (const mf of readdirSync(sharedPath(dir)).filter((f) => f.endsWith('-official-metrics.json'))) {
      it(`${set}/${mf}`, () => {
        const stem = mf.replace('-official-metrics.json', '');
        const preds = stem === 'crafted' ? 'crafted-predictions.json' : `${stem}-predictions.json`;
        const args = ['--task', task, '--data', sharedPath(dir, 'input.json'), '--predictions', sharedPath(dir, preds)];
        if (task === 'squad2') args.push('--na-prob-file', sharedPath(dir, `${stem}-null_odds.json`));
        const r = tabtune(args);
        expect(r.stderr).toBe('');
        expect(r.code).toBe(0);
        expectMetrics(r.stdout, JSON.parse(readShared(dir, mf)));
      });
    }
  }

  it('counts a missing question as wrong and warns on stderr', () => {
    const dir = 'fixtures/squad/xquad.en';
    const preds = JSON.parse(readShared(dir, 'crafted-predictions.json')) as Record<string, string>;
    const [first, ...rest] = Object.keys(preds);
    const file = join(tmp(), 'preds.json');
    writeFileSync(file, JSON.stringify(Object.fromEntries(rest.map((k) => [k, preds[k]]))));
    const full = tabtune(['--task', 'squad', '--data', sharedPath(dir, 'input.json'), '--predictions', sharedPath(dir, 'crafted-predictions.json')]);
    const r = tabtune(['--task', 'squad', '--data', sharedPath(dir, 'input.json'), '--predictions', file]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`warning: no prediction for question ${first}; it scores 0`);
    const a = JSON.parse(full.stdout);
    const b = JSON.parse(r.stdout);
    // The first crafted answer is exactly right (EM 1, F1 1): dropping it loses 100/N points of each.
    const total = Object.keys(preds).length;
    expect(b.exact_match).toBeCloseTo(a.exact_match - 100 / total, 9);
    expect(b.f1).toBeCloseTo(a.f1 - 100 / total, 9);
  });

  it('v2 without a null-odds file gives no best_* keys; --na-prob-thresh moves answers to no-answer', () => {
    const dir = 'fixtures/squad/cs224n-dev-v2.0';
    const base = ['--task', 'squad2', '--data', sharedPath(dir, 'input.json'), '--predictions', sharedPath(dir, 'crafted-predictions.json')];
    const r = tabtune(base);
    expect(r.code).toBe(0);
    expect(Object.keys(JSON.parse(r.stdout))).toEqual(['exact', 'f1', 'total', 'HasAns_exact', 'HasAns_f1', 'HasAns_total', 'NoAns_exact', 'NoAns_f1', 'NoAns_total']);
    // With every question's no-answer score above the threshold, exactly the NoAns questions are right.
    const odds = JSON.parse(readShared(dir, 'crafted-null_odds.json')) as Record<string, number>;
    const low = Math.min(...Object.values(odds)) - 1;
    const t = tabtune([...base, '--na-prob-file', sharedPath(dir, 'crafted-null_odds.json'), `--na-prob-thresh=${low}`]);
    const m = JSON.parse(t.stdout);
    expect(m.NoAns_exact).toBe(100);
    expect(m.HasAns_exact).toBe(0);
    expect(m.exact).toBeCloseTo((100 * m.NoAns_total) / m.total, 9);
  });

  it('bad SQuAD inputs are clear errors', () => {
    const d = tmp();
    const notJson = join(d, 'p.json');
    writeFileSync(notJson, '{"a": ');
    const data = sharedPath('fixtures/squad/xquad.en', 'input.json');
    let r = tabtune(['--task', 'squad', '--data', data, '--predictions', notJson]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`${notJson}: not valid JSON.*expected a JSON object`));
    const numbers = join(d, 'n.json');
    writeFileSync(numbers, '{"q1": 3}');
    r = tabtune(['--task', 'squad', '--data', data, '--predictions', numbers]);
    expect(r.stderr).toContain(`${numbers}, question q1: the prediction is a number (expected a string`);
    const noData = join(d, 'd.json');
    writeFileSync(noData, '{"version": "1.1"}');
    r = tabtune(['--task', 'squad', '--data', noData, '--predictions', numbers]);
    expect(r.stderr).toContain(`${noData}: no "data" array at the top level`);
    r = tabtune(['--task', 'squad', '--data', data, '--predictions', join(d, 'missing.json')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('missing.json: cannot read the predictions (ENOENT)');
    r = tabtune(['--task', 'squad', '--data', data, '--predictions', numbers, '--na-prob-thresh', '0.5']);
    expect(r.code).toBe(2);
  });
});

/** Gold labels read directly from the dev files (the label column of each task's layout). */
function goldLabels(file: string, column: (cols: string[]) => string, header: boolean): string[] {
  const lines = readShared(file).replace(/^\ufeff/, '').split(/\r?\n/).filter((l) => l.trim() !== '');
  return (header ? lines.slice(1) : lines).map((l) => column(l.split('\t')));
}

/** Predictions: the gold label, except every third example gets the other label. */
function predictionsTsv(labels: string[], classes: [string, string]): { tsv: string; preds: string[] } {
  const preds = labels.map((g, i) => (i % 3 === 0 ? (g === classes[0] ? classes[1] : classes[0]) : g));
  return { tsv: ['index\tprediction', ...preds.map((p, i) => `${i}\t${p}`)].join('\n') + '\n', preds };
}

function counts(preds: string[], gold: string[], pos: string) {
  let tp = 0, fp = 0, fn = 0, tn = 0;
  preds.forEach((p, i) => {
    if (p === pos && gold[i] === pos) tp++;
    else if (p === pos) fp++;
    else if (gold[i] === pos) fn++;
    else tn++;
  });
  return { tp, fp, fn, tn };
}

describe('tabtune evaluate: GLUE dev files', () => {
  it('MRPC: F1 of "1" and accuracy', () => {
    const gold = goldLabels('datasets/glue/MRPC/dev.tsv', (c) => c[0], true);
    const { tsv, preds } = predictionsTsv(gold, ['0', '1']);
    const file = join(tmp(), 'mrpc.tsv');
    writeFileSync(file, tsv);
    const r = tabtune(['--task', 'mrpc', '--data', sharedPath('datasets/glue/MRPC/dev.tsv'), '--predictions', file]);
    expect(r.stderr).toBe('');
    const { tp, fp, fn, tn } = counts(preds, gold, '1');
    expect(tp + fp + fn + tn).toBe(408);
    expectMetrics(r.stdout, { f1: (2 * tp) / (2 * tp + fp + fn), accuracy: (tp + tn) / gold.length });
  });

  it('CoLA: Matthews correlation', () => {
    const gold = goldLabels('datasets/glue/CoLA/dev.tsv', (c) => c[1], false);
    const { tsv, preds } = predictionsTsv(gold, ['0', '1']);
    const file = join(tmp(), 'cola.tsv');
    writeFileSync(file, tsv);
    const r = tabtune(['--task', 'cola', '--data', sharedPath('datasets/glue/CoLA/dev.tsv'), '--predictions', file]);
    expect(r.stderr).toBe('');
    const { tp, fp, fn, tn } = counts(preds, gold, '1');
    expect(tp + fp + fn + tn).toBe(1043);
    expectMetrics(r.stdout, { mcc: (tp * tn - fp * fn) / Math.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn)) });
  });

  it('RTE and SST-2: accuracy', () => {
    for (const { task, dir, classes } of [
      { task: 'rte', dir: 'RTE', classes: ['entailment', 'not_entailment'] as [string, string] },
      { task: 'sst-2', dir: 'SST-2', classes: ['0', '1'] as [string, string] },
    ]) {
      const gold = goldLabels(`datasets/glue/${dir}/dev.tsv`, (c) => c[c.length - 1], true);
      const { tsv } = predictionsTsv(gold, classes);
      const file = join(tmp(), `${task}.tsv`);
      writeFileSync(file, tsv);
      const r = tabtune(['--task', task, '--data', sharedPath(`datasets/glue/${dir}/dev.tsv`), '--predictions', file]);
      expect(r.stderr).toBe('');
      const wrong = Math.ceil(gold.length / 3);
      expectMetrics(r.stdout, { accuracy: (gold.length - wrong) / gold.length });
    }
  });

  it('STS-B: Pearson and Spearman (scipy: 0.9528766529317902, 0.9705882352941178)', () => {
    const d = tmp();
    const scores = ['0.000', '1.500', '2.500', '2.500', '4.000', '5.000'];
    const header = 'index\tgenre\tfilename\tyear\told_index\tsource1\tsource2\tsentence1\tsentence2\tscore';
    const rows = scores.map((s, i) => `${i}\tmain-news\tf\t2017\t${i}\tnone\tnone\tA man plays ${i}.\tA man sings ${i}.\t${s}`);
    const data = join(d, 'dev.tsv');
    writeFileSync(data, [header, ...rows].join('\n') + '\n');
    const preds = join(d, 'sts-b.tsv');
    writeFileSync(preds, 'index\tprediction\n' + [0.2, 1.0, 3.0, 2.0, 4.0, 4.0].map((p, i) => `${i}\t${p}`).join('\n') + '\n');
    const r = tabtune(['--task', 'sts-b', '--data', data, '--predictions', preds]);
    expect(r.stderr).toBe('');
    expectMetrics(r.stdout, { pearson: 0.9528766529317902, spearman: 0.9705882352941178 });
    writeFileSync(preds, 'index\tprediction\n0\t1\n');
    const missing = tabtune(['--task', 'sts-b', '--data', data, '--predictions', preds]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`${preds}: 5 examples have no prediction (first: index 1)`);
  });

  it('a missing GLUE prediction counts as wrong, with a warning', () => {
    const gold = goldLabels('datasets/glue/RTE/dev.tsv', (c) => c[c.length - 1], true);
    const file = join(tmp(), 'rte.tsv');
    writeFileSync(file, 'index\tprediction\n' + gold.slice(1).map((g, i) => `${i + 1}\t${g}`).join('\n'));
    const r = tabtune(['--task', 'rte', '--data', sharedPath('datasets/glue/RTE/dev.tsv'), '--predictions', file]);
    expect(r.stderr).toContain(`warning: 1 of ${gold.length} examples have no prediction (first: index 0); they count as wrong`);
    expectMetrics(r.stdout, { accuracy: (gold.length - 1) / gold.length });
  });

  it('bad GLUE predictions name the file, line and what was expected', () => {
    const data = sharedPath('datasets/glue/MRPC/dev.tsv');
    const d = tmp();
    const cases: Array<[string, string]> = [
      ['id\tlabel\n0\t1\n', 'line 1: the header is \'id\tlabel\' (expected a TSV with the header "index<TAB>prediction")'],
      ['index\tprediction\n0\tyes\n', "line 2: prediction 'yes' is not a label of the task (expected one of 0, 1)"],
      ['index\tprediction\n0\t1\n0\t0\n', 'line 3: index 0 appears twice'],
      ['index\tprediction\n999\t1\n', "line 2: index '999' is not an example of the gold file (expected a whole number from 0 to 407)"],
      ['index\tprediction\n0\t1\textra\n', 'line 2: the row has 3 columns'],
    ];
    cases.forEach(([content, message], i) => {
      const file = join(d, `p${i}.tsv`);
      writeFileSync(file, content);
      const r = tabtune(['--task', 'mrpc', '--data', data, '--predictions', file]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`${file}, ${message}`);
    });
    const r = tabtune(['--task', 'mrpc', '--data', sharedPath('datasets/glue/MRPC/test.tsv'), '--predictions', join(d, 'p0.tsv')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('GLUE test files carry no labels');
    const u = tabtune(['--task', 'nope', '--data', data, '--predictions', join(d, 'p0.tsv')]);
    expect(u.code).toBe(2);
    expect(u.stderr).toContain("unknown task 'nope'");
  });
});
