/**
 * The worker's dropped files: kept as Blobs (a File is read in slices, never copied whole) and
 * recognised from the name and the first 64 KiB with core's detectors (io/detect.ts for model
 * files, data/detect.ts for datasets). Each becomes a FileReport: what it is, what it will be used
 * for, or why it was rejected. A bad file is rejected with its reason; it never throws.
 */
import { isTabtuneError } from '../core/errors';
import { detectDataset, type DetectedDataset } from '../core/data';
import { splitFromFileName } from '../core/data';
import { sourceFromBlob, type DataSource } from '../core/data';
import type { Split } from '../core/data';
import { parseBertConfig, type ParsedConfig } from '../core/io';
import { baseName, detectModelFile, type ModelFileInfo } from '../core/io';
import { blobSource, type ByteSource } from '../core/io';
import { parseVocab } from '../core/tokenizer';
import type { FileKind, FileReport, FileUse } from '../protocol/events';
import { errorInfo } from './errors';

export const HEAD_BYTES = 65536;

export interface KeptFile {
  path: string;
  name: string;
  size: number;
  blob: Blob;
  head: Uint8Array;
  report: FileReport;
  model?: ModelFileInfo;
  dataset?: DetectedDataset;
  /** Dataset split (train/dev/test) from the name or header. */
  split?: Split;
  /** Parsed config (config.json / bert_config.json). */
  config?: ParsedConfig;
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

export function toBlob(data: File | Blob | ArrayBuffer): Blob {
  return data instanceof ArrayBuffer ? new Blob([data]) : data;
}

async function readHead(blob: Blob): Promise<Uint8Array> {
  return new Uint8Array(await blob.slice(0, Math.min(HEAD_BYTES, blob.size)).arrayBuffer());
}

function headText(head: Uint8Array): string {
  return new TextDecoder('utf-8', { fatal: false }).decode(head);
}

/** Recognises one file. Never throws: problems become a rejected report. */
export async function recogniseFile(path: string, data: File | Blob | ArrayBuffer): Promise<KeptFile> {
  const blob = toBlob(data);
  const name = baseName(path);
  const base: Omit<KeptFile, 'report'> = { path, name, size: blob.size, blob, head: new Uint8Array(0) };
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
        const text = await blob.text();
        kept.config = parseBertConfig(text, name);
        const c = kept.config.config;
        kept.report.description = `${info.kind === 'config' ? 'Hugging Face' : 'Google'} BERT config: hidden ${c.hiddenSize}, ${c.numHiddenLayers} layers, ${c.numAttentionHeads} heads, vocabulary ${c.vocabSize}`;
      } else if (info.kind === 'vocab') {
        const vocab = parseVocab(await blob.text(), name);
        kept.report.description = `WordPiece vocabulary (${vocab.size.toLocaleString('en-US')} tokens)`;
      }
      return kept;
    }
    const modelLike = /\.(safetensors|bin|pt|pth|index)$/i.test(name) || /^(bert_)?config.*\.json$/i.test(name);
    if (modelLike) return reject('unknown', info.description, info.description);

    const dataset = detectDataset(name, headText(head));
    switch (dataset.kind) {
      case 'glue': {
        const split = dataset.split;
        return {
          ...base, dataset, split,
          report: { path, size: blob.size, kind: 'glue-tsv', description: `${dataset.task.toUpperCase()} ${split} file (GLUE)`, accepted: true, use: SPLIT_USE[split] },
        };
      }
      case 'csv':
      case 'tsv': {
        const split = splitFromFileName(name);
        return {
          ...base, dataset, split,
          report: { path, size: blob.size, kind: 'table', description: `${dataset.kind.toUpperCase()} table with columns ${dataset.columns.join(', ')}`, accepted: true, use: SPLIT_USE[split] },
        };
      }
      case 'squad': {
        const split = squadSplit(name);
        return {
          ...base, dataset, split,
          report: { path, size: blob.size, kind: 'squad-json', description: `SQuAD v${dataset.version === 2 ? '2.0' : '1.1'} questions (JSON)`, accepted: true, use: SPLIT_USE[split] },
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

export function byteSource(f: KeptFile): ByteSource {
  return blobSource(f.blob, f.path);
}

export function dataSource(f: KeptFile): DataSource {
  return sourceFromBlob(f.blob, f.name);
}
