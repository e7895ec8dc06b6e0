/**
 * A session's files: kept as random-access byte sources (a dropped File in the browser, a file
 * handle in Node; read in slices, never copied whole) and recognised from the name and the first 64 KiB with core's detectors (io/detect.ts for model
 * files, data/detect.ts for datasets). Each becomes a FileReport: what it is, what it will be used
 * for, or why it was rejected. A bad file is rejected with its reason; it never throws.
 */
import { isTabtuneError } from '../errors';
import { detectDataset, type DetectedDataset } from '../data/detect';
import { splitFromFileName } from '../data/glue-tasks';
import type { DataSource } from '../data/source';
import type { Split } from '../data/types';
import { parseBertConfig, type ParsedConfig } from '../io/config';
import { baseName, detectModelFile, type ModelFileInfo } from '../io/detect';
import type { ByteSource } from '../io/safetensors';
import { parseVocab } from '../tokenizer/vocab';
import type { FileKind, FileReport, FileUse } from './events';
import { errorInfo } from './errors';

/** One file given to a session: its path inside a dropped folder (else its name) and its bytes. */
export interface SessionFile {
  path: string;
  source: ByteSource;
  /** The dataset split when the caller knows it (the CLI's --train / --dev); else from the name and header. */
  split?: Split;
}

export const HEAD_BYTES = 65536;

export interface KeptFile {
  path: string;
  name: string;
  size: number;
  source: ByteSource;
  head: Uint8Array;
  report: FileReport;
  model?: ModelFileInfo;
  dataset?: DetectedDataset;
  /** Dataset split (train/dev/test) from the name or header. */
  split?: Split;
  /** Parsed config (config.json / bert_config.json). */
  config?: ParsedConfig;
  /** Vocabulary files: the number of tokens. */
  vocabSize?: number;
}

const MODEL_KIND: Partial<Record<ModelFileInfo['kind'], { kind: FileKind; use: FileUse }>> = {
  config: { kind: 'hf-config', use: 'model-config' },
  'google-config': { kind: 'google-config', use: 'model-config' },
  vocab: { kind: 'vocab', use: 'vocabulary' },
  'tokenizer-json': { kind: 'tokenizer-json', use: 'vocabulary' },
  'tokenizer-config': { kind: 'tokenizer-config', use: 'model-config' },
  'special-tokens': { kind: 'tokenizer-config', use: 'ignored' },
  safetensors: { kind: 'safetensors', use: 'weights' },
  'safetensors-index': { kind: 'safetensors', use: 'weights' },
  'pytorch-bin': { kind: 'pytorch-bin', use: 'weights' },
  'ckpt-index': { kind: 'tf-index', use: 'weights' },
  'ckpt-data': { kind: 'tf-data', use: 'weights' },
  'ckpt-state': { kind: 'tf-index', use: 'ignored' },
};

const SPLIT_USE: Record<Split, FileUse> = { train: 'train-data', dev: 'dev-data', test: 'test-data' };

async function readHead(src: ByteSource): Promise<Uint8Array> {
  return src.read(0, Math.min(HEAD_BYTES, src.size));
}

async function readText(src: ByteSource): Promise<string> {
  return new TextDecoder('utf-8').decode(await src.read(0, src.size));
}

function headText(head: Uint8Array): string {
  return new TextDecoder('utf-8', { fatal: false }).decode(head);
}

/** Recognises one file. Never throws: problems become a rejected report. */
export async function recogniseFile(path: string, source: ByteSource, knownSplit?: Split): Promise<KeptFile> {
  const blob = source;
  const name = baseName(path);
  const base: Omit<KeptFile, 'report'> = { path, name, size: blob.size, source, head: new Uint8Array(0) };
  const reject = (kind: FileKind, description: string, reason: string, e?: unknown): KeptFile => ({
    ...base,
    report: { path, size: blob.size, kind, description, accepted: false, use: null, reason, error: e === undefined ? undefined : errorInfo(e, path) },
  });
  try {
    if (blob.size === 0) return reject('unknown', 'an empty file', 'the file is empty');
    const head = await readHead(blob);
    base.head = head;
    const info = detectModelFile(name, head);
    const mapped = MODEL_KIND[info.kind];
    if (mapped) {
      const kept: KeptFile = { ...base, model: info, report: { path, size: blob.size, kind: mapped.kind, description: info.description, accepted: true, use: mapped.use } };
      if (info.kind === 'special-tokens' || info.kind === 'ckpt-state') kept.report.reason = info.description;
      if (info.kind === 'config' || info.kind === 'google-config') {
        const text = await readText(blob);
        kept.config = parseBertConfig(text, name);
        const c = kept.config.config;
        kept.report.description = `${info.kind === 'config' ? 'Hugging Face' : 'Google'} BERT config: hidden ${c.hiddenSize}, ${c.numHiddenLayers} layers, ${c.numAttentionHeads} heads, vocabulary ${c.vocabSize}`;
      } else if (info.kind === 'vocab') {
        const vocab = parseVocab(await readText(blob), name);
        kept.report.description = `WordPiece vocabulary (${vocab.size.toLocaleString('en-US')} tokens)`;
        kept.vocabSize = vocab.size;
      }
      return kept;
    }
    const modelLike = /\.(safetensors|bin|pt|pth|index)$/i.test(name) || /^(bert_)?config.*\.json$/i.test(name);
    if (modelLike) return reject('unknown', info.description, info.description);

    const dataset = detectDataset(name, headText(head));
    switch (dataset.kind) {
      case 'glue': {
        const split = knownSplit ?? dataset.split;
        return {
          ...base, dataset, split,
          report: { path, size: blob.size, kind: 'glue-tsv', description: `${dataset.task.toUpperCase()} ${split} file (GLUE)`, accepted: true, use: SPLIT_USE[split] },
        };
      }
      case 'csv':
      case 'tsv': {
        const split = knownSplit ?? splitFromFileName(name);
        return {
          ...base, dataset, split,
          report: { path, size: blob.size, kind: 'table', description: `${dataset.kind.toUpperCase()} table with columns ${dataset.columns.join(', ')}`, accepted: true, use: SPLIT_USE[split] },
        };
      }
      case 'squad': {
        const split = knownSplit ?? squadSplit(name);
        return {
          ...base, dataset, split,
          report: { path, size: blob.size, kind: 'squad-json', description: `SQuAD v${dataset.version === 2 ? '2.0' : '1.1'} questions (JSON)`, accepted: true, use: SPLIT_USE[split] },
        };
      }
      case 'text': {
        const split = knownSplit ?? splitFromFileName(name);
        return {
          ...base, dataset, split,
          report: { path, size: blob.size, kind: 'text-corpus', description: 'plain text for the masked-LM task (one sentence per line, blank line between documents)', accepted: true, use: SPLIT_USE[split] },
        };
      }
      default:
        return reject('unknown', 'not a model, vocabulary or dataset file', dataset.reason);
    }
  } catch (e) {
    const info = isTabtuneError(e) ? e.message : `could not be read: ${(e as Error)?.message ?? String(e)}`;
    return reject('unknown', 'unreadable file', info, e);
  }
}

/** SQuAD files are named train-v1.1.json / dev-v2.0.json...; a name with neither is training data. */
function squadSplit(name: string): Split {
  const lower = name.toLowerCase();
  if (lower.includes('train')) return 'train';
  if (lower.includes('dev') || lower.includes('val') || lower.includes('test') || lower.includes('eval')) return 'dev';
  return 'train';
}

/** The file as a byte source named by its path (for loadPretrained). */
export function byteSource(f: KeptFile): ByteSource {
  return { name: f.path, size: f.size, read: (b, e) => f.source.read(b, e) };
}

const CHUNK = 1 << 20;

/** The file as a dataset source, read in 1 MiB slices. */
export function dataSource(f: KeptFile): DataSource {
  const src = f.source;
  return {
    name: f.name,
    size: f.size,
    async *chunks() {
      for (let at = 0; at < src.size; at += CHUNK) yield await src.read(at, Math.min(src.size, at + CHUNK));
    },
  };
}
