/** `tabtune postprocess` spawned as a user runs it, on every post-processing fixture. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, readShared, sharedPath } from '../../testing/shared';

function tabtune(args: string[]) {
  const r = spawnSync(process.execPath, [join(REPO_ROOT, 'bin/tabtune.mjs'), 'postprocess', ...args], { encoding: 'utf8', cwd: REPO_ROOT });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const CASES = [
  { set: 'xquad.en', v2: false },
  { set: 'cs224n-dev-v2.0', v2: true },
];
const WINDOWS = ['384-128-64', '64-16-12'];

interface Entry {
  text: string;
  probability: number;
  start_logit: number;
  end_logit: number;
}

function inputs(set: string, window: string): string[] {
  const dir = `fixtures/squad/${set}`;
  return ['--data', sharedPath(dir, 'input.json'), '--features', sharedPath(dir, `features-eval-${window}.jsonl`), '--logits', sharedPath(dir, `post-${window}-logits.jsonl`)];
}

describe('tabtune postprocess', () => {
  for (const { set, v2 } of CASES) {
    for (const window of WINDOWS) {
      it(`${set} ${window}: writes the original's files`, () => {
        const dir = `fixtures/squad/${set}`;
        const out = mkdtempSync(join(tmpdir(), 'tabtune-post-'));
        const r = tabtune([...inputs(set, window), '--out-dir', out, '--n-best-size', '20', '--max-answer-length', '30', '--null-score-diff-threshold', '0', ...(v2 ? ['--version-2-with-negative'] : [])]);
        expect(r.stderr).toMatch(/questions/);
        expect(r.code).toBe(0);
        // Strings only: the file is byte-for-byte the original's json.dumps(indent=4).
        expect(readFileSync(join(out, 'predictions.json'), 'utf8')).toBe(readShared(dir, `post-${window}-predictions.json`));
        const got = JSON.parse(readFileSync(join(out, 'nbest_predictions.json'), 'utf8')) as Record<string, Entry[]>;
        const expected = JSON.parse(readShared(dir, `post-${window}-nbest.json`)) as Record<string, Entry[]>;
        expect(Object.keys(got)).toEqual(Object.keys(expected));
        for (const [qid, list] of Object.entries(expected)) {
          expect(got[qid].map((e) => e.text)).toEqual(list.map((e) => e.text));
          list.forEach((e, i) => {
            for (const k of ['probability', 'start_logit', 'end_logit'] as const) {
              expect(Math.abs(got[qid][i][k] - e[k]), `${qid}[${i}].${k}`).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(e[k])));
            }
          });
        }
        if (v2) {
          const odds = JSON.parse(readFileSync(join(out, 'null_odds.json'), 'utf8')) as Record<string, number>;
          const expOdds = JSON.parse(readShared(dir, `post-${window}-null_odds.json`)) as Record<string, number>;
          expect(Object.keys(odds)).toEqual(Object.keys(expOdds));
          for (const [qid, v] of Object.entries(expOdds)) expect(Math.abs(odds[qid] - v), qid).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(v)));
        } else {
          expect(existsSync(join(out, 'null_odds.json'))).toBe(false);
        }
      });
    }
  }

  it('names the logits file when a feature has no logits', () => {
    const tmp = mkdtempSync(join(tmpdir(), 'tabtune-post-bad-'));
    const lines = readShared('fixtures/squad/xquad.en', 'post-64-16-12-logits.jsonl').split('\n').filter((l) => l);
    const logits = join(tmp, 'logits.jsonl');
    writeFileSync(logits, lines.slice(1).join('\n') + '\n');
    const args = inputs('xquad.en', '64-16-12');
    args[args.indexOf('--logits') + 1] = logits;
    const r = tabtune([...args, '--out-dir', join(tmp, 'out')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${logits}, feature unique_id 1000000000: no logits for feature unique_id 1000000000`);
  });

  it('names the line of a malformed feature', () => {
    const tmp = mkdtempSync(join(tmpdir(), 'tabtune-post-bad-'));
    const lines = readShared('fixtures/squad/xquad.en', 'features-eval-64-16-12.jsonl').split('\n').filter((l) => l);
    const third = JSON.parse(lines[2]);
    delete third.token_to_orig_map;
    lines[2] = JSON.stringify(third);
    lines[4] = '{"unique_id": 1000000004, ';
    const features = join(tmp, 'features.jsonl');
    writeFileSync(features, lines.join('\n'));
    const args = inputs('xquad.en', '64-16-12');
    args[args.indexOf('--features') + 1] = features;
    const r = tabtune([...args, '--out-dir', join(tmp, 'out')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${features}, line 3: field "token_to_orig_map" is missing or malformed`);
  });

  it('refuses features built from another SQuAD file', () => {
    const v1 = inputs('xquad.en', '64-16-12');
    const v2 = inputs('cs224n-dev-v2.0', '64-16-12');
    const r = tabtune(['--data', v1[1], '--features', v2[3], '--logits', v2[5], '--out-dir', mkdtempSync(join(tmpdir(), 'tabtune-post-'))]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/features-eval-64-16-12\.jsonl, line 1: the feature's question 68cf05f67fd29c6f129fe2fb9 is question 56beb4343aeaaa14008c925b/);
  });

  it('reports a missing flag as a usage error', () => {
    const r = tabtune(['--data', 'x.json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('missing required flag --features');
  });
});
