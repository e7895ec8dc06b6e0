/**
 * The training progress bar on stderr: one line redrawn in place on a terminal, or a line
 * every ~5% of the run (and each log line) when stderr is a file or a pipe.
 */
import type { StepMetrics } from '../../core/train';

export interface ProgressBar {
  step(m: StepMetrics, totalSteps: number): void;
  phase(name: string, done: number, total: number): void;
  log(line: string): void;
  done(): void;
}

interface Stream {
  write(s: string): boolean;
  isTTY?: boolean;
  columns?: number;
}

function bar(frac: number, width: number): string {
  const n = Math.max(0, Math.min(width, Math.round(frac * width)));
  return '#'.repeat(n) + '-'.repeat(width - n);
}

function fmtTime(s: number): string {
  if (!Number.isFinite(s)) return '?';
  const m = Math.floor(s / 60);
  return m > 0 ? `${m}m${String(Math.round(s % 60)).padStart(2, '0')}s` : `${Math.round(s)}s`;
}

export function createProgressBar(out: Stream): ProgressBar {
  const tty = !!out.isTTY;
  let live = false;
  let lastPct = -1;
  const started = Date.now();
  const draw = (text: string, force: boolean, pct: number) => {
    if (tty) {
      const width = out.columns ?? 100;
      out.write(`\r${text.slice(0, width - 1).padEnd(Math.min(width - 1, text.length))}\x1b[K`);
      live = true;
    } else if (force || Math.floor(pct / 5) !== Math.floor(lastPct / 5)) {
      out.write(text + '\n');
    }
    lastPct = pct;
  };
  const clear = () => {
    if (tty && live) {
      out.write('\r\x1b[K');
      live = false;
    }
  };
  return {
    step(m, total) {
      const frac = m.step / total;
      const elapsed = (Date.now() - started) / 1000;
      const eta = frac > 0 ? (elapsed * (1 - frac)) / frac : Infinity;
      const text =
        `step ${m.step}/${total} [${bar(frac, 24)}] epoch ${m.epoch.toFixed(2)} loss ${Number.isFinite(m.loss) ? m.loss.toFixed(4) : '…'} ` +
        `lr ${m.learningRate.toExponential(2)} |g| ${Number.isFinite(m.gradNorm) ? m.gradNorm.toFixed(3) : '…'} ${m.examplesPerSec.toFixed(1)} ex/s eta ${fmtTime(eta)}`;
      draw(text, m.step === total, Math.floor(frac * 100));
    },
    phase(name, done, total) {
      // Without a terminal, only a finished phase is worth a line (evaluations print their results).
      if (!tty && (done !== total || name === 'evaluating' || name === 'checkpoint')) return;
      const frac = total > 0 ? done / total : 1;
      draw(`${name} [${bar(frac, 24)}] ${done}/${total}`, true, lastPct);
    },
    log(line) {
      clear();
      out.write(line + '\n');
    },
    done() {
      clear();
    },
  };
}
