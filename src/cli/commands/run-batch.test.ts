/**
 * `tabtune run-batch` end to end: spawns `node bin/tabtune.mjs run-batch` on the fixtures
 * (golden.safetensors as the batch) and compares every tensor it writes with golden.safetensors:
 * output/*, grad_cls/* or grad_qa/*, and the 4 optimizer steps, from model.safetensors,
 * pytorch_model.bin and tiny-odd's Google checkpoint.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readSafetensors, writeSafetensors } from '../../core/io';
import { expectClose, goldenNames, gradTolerance, loadFixture, OUTPUT_TOL, PARAM_TOL, type FixtureCase } from '../../testing/fixture-case';
import { REPO_ROOT, sharedPath } from '../../testing/shared';

const tmp = mkdtempSync(join(tmpdir(), 'tabtune-run-batch-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function runBatch(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(REPO_ROOT, 'bin/tabtune.mjs'), 'run-batch', ...args], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const TRAJ_FLAGS = ['--learning-rate', '0.001', '--num-train-steps', '10', '--num-warmup-steps', '2', '--max-grad-norm', '0.3', '--weight-decay', '0.01'];

interface Case {
  name: FixtureCase;
  label: string;
  model: string;
  extra: string[];
  grads: 'cls' | 'qa';
  optimizer?: 'bert-adam' | 'adamw';
}

const CASES: Case[] = [
  { name: 'tiny-uncased', label: 'safetensors, grad_qa', model: '', extra: ['--heads', 'heads.safetensors'], grads: 'qa' },
  { name: 'tiny-uncased', label: 'pytorch_model.bin, grad_cls', model: '', extra: ['--heads', 'heads.safetensors', '--weights', 'bin'], grads: 'cls' },
  { name: 'tiny-odd', label: 'pytorch_model.bin, grad_cls, bert-adam steps', model: '', extra: ['--heads', 'heads.safetensors', '--weights', 'bin'], grads: 'cls', optimizer: 'bert-adam' },
  { name: 'tiny-odd', label: 'Google checkpoint, grad_qa, adamw steps', model: 'google', extra: [], grads: 'qa', optimizer: 'adamw' },
];

describe.each(CASES)('run-batch on $name ($label)', (c) => {
  it('writes every golden tensor of its mode within tolerance', () => {
    const dir = sharedPath('fixtures', 'model', c.name);
    const out = join(tmp, `${c.name}-${c.grads}-${c.model || 'hf'}.safetensors`);
    const extra = c.extra.map((a) => (a.endsWith('.safetensors') ? join(dir, a) : a));
    const steps = c.optimizer ? ['--train-steps', '4', '--optimizer', c.optimizer, ...TRAJ_FLAGS] : [];
    const r = runBatch(['--model', join(dir, c.model), '--batch', join(dir, 'golden.safetensors'), '--out', out, '--grads', c.grads, ...extra, ...steps]);
    expect(r.status, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(summary.backend).toBe('wasm');
    const got = readSafetensors(new Uint8Array(readFileSync(out))).tensors;
    const { golden, goldenJson } = loadFixture(c.name);
    expect(Math.abs((summary[`${c.grads}_loss`] as number) - (goldenJson[`${c.grads}_loss`] as number))).toBeLessThanOrEqual(OUTPUT_TOL);
    const prefixes: [string, (n: string) => number][] = [
      ['output/', () => OUTPUT_TOL],
      [`grad_${c.grads}/`, (n) => gradTolerance(golden.get(n)!)],
    ];
    if (c.optimizer) {
      const p = c.optimizer === 'bert-adam' ? 'bertadam' : 'adamw';
      for (let k = 1; k <= 4; k++) prefixes.push([`${p}/step${k}/`, () => PARAM_TOL]);
    }
    const written = [...got.keys()].sort();
    const expected = prefixes.flatMap(([p]) => goldenNames(golden, p).map((n) => p + n)).sort();
    expect(written).toEqual(expected);
    for (const [p, tol] of prefixes) {
      for (const n of goldenNames(golden, p)) expectClose(p + n, got.get(p + n)!.data, golden.get(p + n)!, tol(p + n));
    }
  });
});

describe('run-batch bad input', () => {
  it('names the batch file and the missing tensor', () => {
    const bad = join(tmp, 'bad-batch.safetensors');
    writeFileSync(bad, writeSafetensors({ 'input/input_ids': { dtype: 'int32', shape: [1, 4], data: new Int32Array([101, 7, 8, 102]) } }));
    const r = runBatch(['--model', sharedPath('fixtures', 'model', 'tiny-odd'), '--batch', bad, '--out', join(tmp, 'x.safetensors')]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('bad-batch.safetensors');
    expect(r.stderr).toContain('input/token_type_ids');
  });

  it('rejects an unknown optimizer as a usage error', () => {
    const r = runBatch(['--model', 'x', '--batch', 'y', '--out', 'z', '--optimizer', 'sgd']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--optimizer');
  });
});
