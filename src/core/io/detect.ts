/**
 * What a dropped model file is, from its name and first bytes, for the page's file list and
 * for loadPretrained's format detection.
 */
export type ModelFileKind =
  | 'config' | 'google-config' | 'vocab' | 'tokenizer-json' | 'tokenizer-config' | 'special-tokens'
  | 'safetensors' | 'safetensors-index' | 'pytorch-bin'
  | 'ckpt-index' | 'ckpt-data' | 'ckpt-state' | 'ckpt-meta' | 'unknown';

export interface ModelFileInfo {
  kind: ModelFileKind;
  /** For ckpt-index / ckpt-data: the checkpoint prefix, e.g. "bert_model.ckpt". */
  prefix?: string;
  /** For ckpt-data: shard k (0-based) of count. */
  shard?: { index: number; count: number };
  /** One line for the page: what the file will be used for, or why not. */
  description: string;
}

export function baseName(name: string): string {
  return name.split(/[\\/]/).pop() ?? name;
}

const DATA_SHARD = /^(.*)\.data-(\d{5})-of-(\d{5})$/;

/** `headBytes`: the file's first bytes (16 or more is enough; fewer just means less sniffing). */
export function detectModelFile(name: string, headBytes: Uint8Array = new Uint8Array(0)): ModelFileInfo {
  const base = baseName(name);
  const lower = base.toLowerCase();
  const startsWith = (...sig: number[]) => headBytes.byteLength >= sig.length && sig.every((b, i) => headBytes[i] === b);
  const firstNonSpace = [...headBytes.subarray(0, 64)].find((b) => b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09 && b !== 0xef && b !== 0xbb && b !== 0xbf);
  const looksJson = headBytes.byteLength === 0 || firstNonSpace === 0x7b;

  if (/^bert_config.*\.json$/.test(lower)) {
    return looksJson ? { kind: 'google-config', description: "Google BERT config (bert_config.json): model shape; \"gelu\" runs as Google's tanh approximation" }
      : { kind: 'unknown', description: 'named like a BERT config but is not JSON' };
  }
  if (lower === 'config.json') {
    return looksJson ? { kind: 'config', description: 'Hugging Face model config: model shape and activation' }
      : { kind: 'unknown', description: 'named config.json but is not JSON' };
  }
  if (lower === 'tokenizer.json') return { kind: 'tokenizer-json', description: 'Hugging Face tokenizer (WordPiece vocabulary and settings)' };
  if (lower === 'tokenizer_config.json') return { kind: 'tokenizer-config', description: 'tokenizer settings (do_lower_case, special tokens)' };
  if (lower === 'special_tokens_map.json') return { kind: 'special-tokens', description: 'special tokens map (not needed: BERT special tokens are fixed)' };
  if (lower.endsWith('.safetensors.index.json')) return { kind: 'safetensors-index', description: 'index of a sharded safetensors checkpoint' };
  if (/vocab.*\.txt$/.test(lower)) return { kind: 'vocab', description: 'WordPiece vocabulary (one token per line)' };
  if (lower.endsWith('.txt') && looksLikeWordPieceVocab(headBytes)) {
    return { kind: 'vocab', description: 'WordPiece vocabulary (one token per line; recognised by its content)' };
  }
  if (lower.endsWith('.safetensors')) {
    if (headBytes.byteLength >= 9) {
      const n = new DataView(headBytes.buffer, headBytes.byteOffset, 8).getBigUint64(0, true);
      if (n === 0n || n > 100_000_000n || headBytes[8] !== 0x7b) return { kind: 'unknown', description: 'named .safetensors but has no safetensors header' };
    }
    return { kind: 'safetensors', description: 'weights (safetensors)' };
  }
  if (lower.endsWith('.bin') || lower.endsWith('.pt') || lower.endsWith('.pth')) {
    if (startsWith(0x50, 0x4b, 0x03, 0x04)) return { kind: 'pytorch-bin', description: 'weights (PyTorch zip checkpoint, read without running its pickle)' };
    if (startsWith(0x80, 0x02, 0x8a, 0x0a)) return { kind: 'pytorch-bin', description: 'weights (PyTorch checkpoint, pre-1.6 format, read without running its pickle)' };
    if (headBytes.byteLength === 0) return { kind: 'pytorch-bin', description: 'weights (PyTorch checkpoint)' };
    return { kind: 'unknown', description: 'named .bin but is not a PyTorch checkpoint' };
  }
  const shard = DATA_SHARD.exec(base);
  if (shard) {
    const index = Number(shard[2]);
    const count = Number(shard[3]);
    return { kind: 'ckpt-data', prefix: shard[1], shard: { index, count }, description: `TensorFlow checkpoint data, shard ${index + 1} of ${count}` };
  }
  if (lower.endsWith('.index')) return { kind: 'ckpt-index', prefix: base.slice(0, -'.index'.length), description: 'TensorFlow checkpoint index (tensor names, shapes, offsets)' };
  if (lower.endsWith('.ckpt.meta') || /\.ckpt-\d+\.meta$/.test(lower)) return { kind: 'ckpt-meta', prefix: base.slice(0, -'.meta'.length), description: 'TensorFlow graph definition (.meta): not needed, ignored' };
  if (lower === 'checkpoint') return { kind: 'ckpt-state', description: 'TensorFlow checkpoint list (names the latest checkpoint)' };
  return { kind: 'unknown', description: 'not a model file' };
}

const SPECIAL_LINES = new Set(['[CLS]', '[SEP]', '[UNK]', '[PAD]', '[MASK]']);

/**
 * A .txt whose first lines look like a WordPiece vocabulary: one token per line (no tabs, few
 * spaces), and either two of BERT's special tokens on lines of their own or many `##` pieces.
 */
export function looksLikeWordPieceVocab(headBytes: Uint8Array): boolean {
  if (headBytes.byteLength === 0) return false;
  const text = new TextDecoder('utf-8', { fatal: false }).decode(headBytes);
  const lines = text.split(/\r?\n/);
  if (headBytes.byteLength > 4096 && lines.length > 1) lines.pop(); // a cut last line
  const nonEmpty = lines.filter((l) => l !== '');
  if (nonEmpty.length < 3) return false;
  if (nonEmpty.some((l) => l.includes('\t'))) return false;
  const spaced = nonEmpty.filter((l) => /\S\s+\S/.test(l)).length;
  if (spaced > nonEmpty.length * 0.01) return false;
  const specials = new Set(nonEmpty.filter((l) => SPECIAL_LINES.has(l.trim())).map((l) => l.trim()));
  if (specials.size >= 2) return true;
  const pieces = nonEmpty.filter((l) => l.startsWith('##')).length;
  return nonEmpty.length >= 50 && pieces >= nonEmpty.length * 0.05;
}
