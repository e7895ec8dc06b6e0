/**
 * Signals to the real `tabtune train` process (node bin/tabtune.mjs, WASM backend, the
 * tiny-uncased fixture model, 32 MRPC rows written to a temporary folder): after the first
 * progress line, SIGINT and SIGTERM each stop the run at the next step boundary with a
 * checkpoint and exit 130 / 143, and --resume continues from that checkpoint to the end; a
 * second signal exits at once. Periodic checkpoints are off (--save-checkpoints-steps 0), so
 * the checkpoint can only come from the signal.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readShared, REPO_ROOT, sharedPath } from '../testing/shared';

const tmp = mkdtempSync(join(tmpdir(), 'tabtune-signals-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const data = join(tmp, 'train.tsv');
writeFileSync(data, readShared('datasets', 'glue', 'MRPC', 'train.tsv').split('\n').slice(0, 33).join('\n') + '\n');
// 32 rows, batch 4, 3 epochs: 24 steps.
const TOTAL = 24;
const args = (out: string, ...extra: string[]) => [
  'bin/tabtune.mjs', 'train', '--model', sharedPath('fixtures/model/tiny-uncased'), '--vocab', sharedPath('fixtures/vocab/bert-base-uncased.txt'),
  '--task', 'mrpc', '--train', data, '--out', out, '--backend', 'wasm', '--max-seq-length', '32', '--train-batch-size', '4',
  '--num-train-epochs', '3', '--learning-rate', '1e-3', '--save-checkpoints-steps', '0', ...extra,
];

interface Exit { code: number | null; signal: NodeJS.Signals | null; stderr: string; stdout: string }

/** Runs the CLI; `onLine(line, send)` sees each stderr line and may signal the process. */
function tabtune(argv: string[], onLine?: (line: string, send: (s: NodeJS.Signals) => void) => void): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, argv, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let stdout = '';
    let pending = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => {
      const text = b.toString();
      stderr += text;
      pending += text;
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) onLine?.(line, (s) => child.kill(s));
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stderr, stdout }));
  });
}

function checkpoints(out: string): string[] {
  const dir = join(out, 'checkpoints');
  return existsSync(dir) ? readdirSync(dir).filter((n) => existsSync(join(dir, n, 'trainer_state.json'))).sort() : [];
}

const stepOf = (name: string) => Number(name.replace('step-', ''));

describe.each([
  ['SIGINT', 130],
  ['SIGTERM', 143],
] as const)('tabtune train and %s', (sig, code) => {
  it(`saves a checkpoint at the next step boundary, exits ${code}, and --resume continues from it`, async () => {
    const out = join(tmp, `run-${sig}`);
    let sent = false;
    const first = await tabtune(args(out), (line, send) => {
      if (!sent && /^step \d+\//.test(line)) {
        sent = true;
        send(sig);
      }
    });
    expect(first.code, first.stderr).toBe(code);
    // The step the run had finished when the process handled the signal.
    const at = new RegExp(`${sig} at step (\\d+): stopping at the next step boundary`).exec(first.stderr);
    expect(at, first.stderr).not.toBeNull();
    const firstStep = Number(at![1]);
    expect(firstStep).toBeGreaterThanOrEqual(1);
    const saved = checkpoints(out);
    expect(saved).toHaveLength(1);
    const step = stepOf(saved[0]);
    // The step being computed when the signal came is finished, then the run stops.
    expect(step).toBeGreaterThanOrEqual(firstStep);
    expect(step).toBeLessThanOrEqual(firstStep + 1);
    expect(JSON.parse(first.stdout)).toMatchObject({ status: 'cancelled', global_step: step, num_train_steps: TOTAL });
    expect(first.stderr).toContain(`checkpoint ${saved[0]} saved: continue with --resume`);

    const resumed = await tabtune(args(out, '--resume'));
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain(`resuming from ${saved[0]}`);
    expect(resumed.stderr).toContain(`resumed at step ${step}`);
    const metrics = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8'));
    expect(metrics.final).toMatchObject({ status: 'completed', global_step: TOTAL });
    // The resumed run logged only the steps after the checkpoint on top of the interrupted run's.
    expect(metrics.train.map((t: { step: number }) => t.step)).toEqual(Array.from({ length: TOTAL }, (_, i) => i + 1));
    // Both checkpoints are there: the resumed run deletes none it did not write.
    expect(checkpoints(out)).toEqual([saved[0], `step-${String(TOTAL).padStart(9, '0')}`]);
  }, 240_000);
});

describe('a second signal', () => {
  it('exits at once with its code, without waiting for the step boundary', async () => {
    const out = join(tmp, 'run-twice');
    let sent = 0;
    const r = await tabtune(args(out), (line, send) => {
      if (sent === 0 && /^step \d+\//.test(line)) {
        sent = 1;
        send('SIGINT');
      } else if (sent === 1 && /^SIGINT at step \d+: stopping/.test(line)) {
        sent = 2;
        send('SIGTERM');
      }
    });
    expect(sent).toBe(2);
    expect(r.stderr).toContain('SIGTERM again: exiting now');
    expect(r.code).toBe(143);
    // It exited before writing the model: no metrics, no exported weights.
    expect(existsSync(join(out, 'metrics.json'))).toBe(false);
  }, 240_000);
});
