/**
 * What the CLI's session commands (`train`, `predict`) share: the files they hand the session
 * (a model folder, an optional vocabulary, the data files with their splits) and the session events
 * every command reports the same way on stderr.
 */
import { existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { TabtuneError } from '../core/errors';
import type { ErrorInfo, SessionEvent, SessionFile } from '../core/session';
import { nodeFileSource, nodeFolderSources } from '../platform/node/byte-source';
import type { ProgressBar } from './commands/train-progress';

/** A model folder's own files: configs, tokenizer files, weights (safetensors, PyTorch, TF checkpoint). */
const MODEL_FILE = /^((bert_)?config\.json|vocab\.txt|tokenizer(_config)?\.json|special_tokens_map\.json|.*\.safetensors|.*\.bin|.*\.ckpt(-\d+)?\.(index|data-\d+-of-\d+|meta)|checkpoint)$/i;

export interface DataFileInput {
  file: string;
  split: 'train' | 'dev';
}

export interface ModelFolderOptions {
  /**
   * Keep only the model's own files (`predict`: a folder `tabtune train` wrote also holds its dev
   * predictions and metrics, which must not be read as data).
   */
  modelFilesOnly?: boolean;
  /** Told of each folder entry that cannot be read (a dangling link, a special file). */
  warn?: (message: string) => void;
}

/**
 * The model folder (its tokenizer files left out when `vocab` is given), the vocabulary and the
 * data files as session files. A data file named twice (train also used as dev) is handed once.
 */
export function sessionInputs(modelDir: string, vocab: string | undefined, data: readonly DataFileInput[], options: ModelFolderOptions = {}): SessionFile[] {
  if (!existsSync(modelDir)) throw new TabtuneError('no such model folder', { file: modelDir, expected: 'a Hugging Face folder (config.json + weights) or a Google checkpoint folder', code: 'model-files' });
  const warn = options.warn;
  const folder = basename(resolve(modelDir));
  const out: SessionFile[] = nodeFolderSources(modelDir, warn ? { onSkipped: (name, reason) => warn(`warning: ${join(modelDir, name)} ${reason}; skipped (not a model file)`) } : undefined)
    .filter((s) => !options.modelFilesOnly || MODEL_FILE.test(s.name))
    .filter((s) => !vocab || !/^(vocab\.txt|tokenizer\.json)$/i.test(s.name))
    .map((source) => ({ path: `${folder}/${source.name}`, source }));
  if (vocab) out.push({ path: resolve(vocab), source: nodeFileSource(vocab) });
  const seen = new Set<string>();
  for (const d of data) {
    const path = resolve(d.file);
    if (seen.has(path)) continue;
    seen.add(path);
    out.push({ path, source: nodeFileSource(d.file), split: d.split });
  }
  return out;
}

/**
 * Reports the events every session command reports alike (the backend, log lines, errors kept for
 * the exit). Returns false for any other event, which is the command's own to report.
 */
export function reportCommonEvent(ev: SessionEvent, bar: ProgressBar, errors: ErrorInfo[]): boolean {
  switch (ev.type) {
    case 'backend':
      bar.log(`backend: ${ev.name}${ev.tried.length ? ` (${ev.tried.map((t) => `${t.name}: ${t.reason}`).join('; ')})` : ''}`);
      return true;
    case 'log':
      bar.log(ev.level === 'info' ? ev.message : `${ev.level === 'warn' ? 'warning' : 'error'}: ${ev.message}`);
      return true;
    case 'error':
      errors.push(ev);
      return true;
    default:
      return false;
  }
}
