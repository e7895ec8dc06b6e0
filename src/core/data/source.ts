/**
 * Where a dataset's text comes from, and how readers consume it: as a stream of lines (TSV),
 * or once as a whole (SQuAD JSON). Runs in the worker (a dropped File), in Node (a file stream,
 * see src/platform/node/data-source.ts) and in tests (a string).
 *
 * Checks every reader needs: an empty file, a binary file (NUL bytes or bytes that are not UTF-8),
 * a byte-order mark on the first line. All raise a TabtuneError naming the file.
 */
import { TabtuneError } from '../errors';
import type { ProgressCallback } from './types';

export interface DataSource {
  /** File name shown in errors ("train.tsv", "stdin"…). */
  readonly name: string;
  /** Size in bytes (or characters, for text) when known: the total of read progress. */
  readonly size?: number;
  /** The content in order: UTF-8 bytes or already-decoded text. */
  chunks(): AsyncIterable<Uint8Array | string>;
}

/** A source over text already in memory (tests, pasted text, the demo). */
export function sourceFromText(name: string, text: string, chunkSize = 1 << 16): DataSource {
  return {
    name,
    size: text.length,
    async *chunks() {
      for (let i = 0; i < text.length; i += chunkSize) yield text.slice(i, i + chunkSize);
    },
  };
}

/** A source over a Blob / File (worker and page). */
export function sourceFromBlob(blob: Blob, name = (blob as Partial<File>).name ?? 'file'): DataSource {
  return {
    name,
    size: blob.size,
    async *chunks() {
      const reader = blob.stream().getReader();
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) return;
          yield value;
        }
      } finally {
        reader.releaseLock();
      }
    },
  };
}

/** Decoded text chunks of a source, with the empty / binary / encoding checks. BOM removed. */
export async function* textChunks(source: DataSource, onBytes?: (n: number) => void): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  let first = true;
  let any = false;
  let offset = 0;
  /** Line breaks (\n) in the bytes before `offset`: the line of an error. */
  let newlines = 0;
  const decode = (bytes: Uint8Array, stream: boolean): string => {
    try {
      return decoder.decode(bytes, { stream });
    } catch {
      // Point at the first byte that is not UTF-8 and its line (a Latin-1 'é' deep in the file,
      // not the start of the chunk). A sequence begun in the previous chunk counts from here.
      const bad = firstInvalidUtf8(bytes);
      let line = newlines + 1;
      for (let i = 0; i < bad; i++) if (bytes[i] === 0x0a) line++;
      const b = bytes[bad];
      throw new TabtuneError(`the file is not UTF-8 text: byte 0x${(b ?? 0).toString(16).padStart(2, '0')} at byte ${offset + bad} (line ${line}) is not valid UTF-8${b !== undefined && b >= 0xa0 ? ` (Latin-1 '${String.fromCharCode(b)}'? save the file as UTF-8)` : ''}`, {
        file: source.name,
        location: `line ${line}, byte ${offset + bad}`,
        expected: 'a UTF-8 text file',
        code: 'binary',
      });
    }
  };
  for await (const chunk of source.chunks()) {
    if (first && typeof chunk !== 'string' && chunk.byteLength >= 2 && ((chunk[0] === 0xff && chunk[1] === 0xfe) || (chunk[0] === 0xfe && chunk[1] === 0xff))) {
      throw new TabtuneError('the file is UTF-16 text', { file: source.name, location: 'byte 0', expected: 'UTF-8 text (save the file as UTF-8)', code: 'encoding' });
    }
    let text = typeof chunk === 'string' ? chunk : decode(chunk, true);
    const n = typeof chunk === 'string' ? chunk.length : chunk.byteLength;
    if (first && text.length > 0) {
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      first = false;
    }
    const nul = text.indexOf('\u0000');
    if (nul >= 0) {
      throw new TabtuneError('the file holds NUL bytes (a binary file?)', {
        file: source.name,
        location: `near byte ${offset + nul}`,
        expected: 'a UTF-8 text file',
        code: 'binary',
      });
    }
    if (typeof chunk !== 'string') {
      for (let i = chunk.indexOf(0x0a); i >= 0; i = chunk.indexOf(0x0a, i + 1)) newlines++;
    }
    offset += n;
    onBytes?.(offset);
    if (text.length > 0) {
      if (text.trim() !== '') any = true;
      yield text;
    }
  }
  const rest = decode(new Uint8Array(0), false);
  if (rest.length > 0) {
    any = any || rest.trim() !== '';
    yield rest;
  }
  if (!any) {
    throw new TabtuneError('the file is empty', { file: source.name, expected: 'at least one record', code: 'empty' });
  }
}

/**
 * Index of the first byte of `bytes` that does not begin or continue a valid UTF-8 sequence
 * (up to 3 leading continuation bytes are taken as the end of a sequence begun before).
 * bytes.length when every byte is valid, but a sequence is cut at the end.
 */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < 3 && i < bytes.length && (bytes[i] & 0xc0) === 0x80) i++;
  while (i < bytes.length) {
    const b = bytes[i];
    let n: number;
    let min = 0x80;
    let max = 0xbf;
    if (b < 0x80) { i++; continue; }
    if (b >= 0xc2 && b <= 0xdf) n = 1;
    else if (b >= 0xe0 && b <= 0xef) { n = 2; if (b === 0xe0) min = 0xa0; if (b === 0xed) max = 0x9f; }
    else if (b >= 0xf0 && b <= 0xf4) { n = 3; if (b === 0xf0) min = 0x90; if (b === 0xf4) max = 0x8f; }
    else return i;
    for (let k = 1; k <= n; k++) {
      if (i + k >= bytes.length) return bytes.length;
      const c = bytes[i + k];
      if (c < (k === 1 ? min : 0x80) || c > (k === 1 ? max : 0xbf)) return i;
    }
    i += n + 1;
  }
  return bytes.length;
}

/**
 * Longest line a text reader accepts (characters). A TSV row or CSV record is a sentence or a
 * paragraph; a "line" of 40 MB is a file without line breaks, refused with its line number
 * instead of being held and scanned whole.
 */
export const MAX_LINE_CHARS = 8 * 1024 * 1024;

export interface Line {
  /** The line without its line break (\n or \r\n). */
  text: string;
  /** 1-based line number. */
  number: number;
}

/**
 * The source's lines, streamed (one chunk in memory at a time). Like Python's text mode plus
 * csv.reader: `\n`, `\r\n` and `\r` end a line; a last line without a line break is still a line.
 */
export async function* readLines(source: DataSource, onProgress?: ProgressCallback): AsyncGenerator<Line> {
  const total = source.size ?? 0;
  // The unfinished last line, kept as parts while chunks bring no line break: joined once when
  // its break arrives, so a long line costs linear time, and refused past MAX_LINE_CHARS.
  let parts: string[] = [];
  let partsLength = 0;
  let number = 0;
  let pendingCR = false;
  const tooLong = () =>
    new TabtuneError(`line ${number + 1} is longer than ${MAX_LINE_CHARS} characters (no line break in ${partsLength} characters)`, {
      file: source.name,
      location: `line ${number + 1}`,
      expected: `lines of at most ${MAX_LINE_CHARS} characters (one record per line)`,
      code: 'line-length',
    });
  for await (const chunk of textChunks(source, onProgress ? (n) => onProgress(n, total) : undefined)) {
    if (!pendingCR && chunk.indexOf('\n') < 0 && chunk.indexOf('\r') < 0) {
      parts.push(chunk);
      partsLength += chunk.length;
      if (partsLength > MAX_LINE_CHARS) throw tooLong();
      continue;
    }
    // The carried part holds no line break: search only the new chunk.
    const searchFrom = partsLength;
    parts.push(chunk);
    let text = parts.length === 1 ? chunk : parts.join('');
    parts = [];
    partsLength = 0;
    let start = 0;
    let first = true;
    if (pendingCR) {
      // The previous chunk ended with \r: a following \n belongs to the same line break.
      if (text.charCodeAt(0) === 10) start = 1;
      pendingCR = false;
    }
    for (;;) {
      const nl = nextBreak(text, first ? Math.max(start, searchFrom) : start);
      first = false;
      if (nl < 0) break;
      const code = text.charCodeAt(nl);
      if (code === 13 && nl + 1 === text.length) {
        pendingCR = true;
        yield { text: text.slice(start, nl), number: ++number };
        start = nl + 1;
        break;
      }
      yield { text: text.slice(start, nl), number: ++number };
      start = code === 13 && text.charCodeAt(nl + 1) === 10 ? nl + 2 : nl + 1;
    }
    if (start < text.length) {
      parts.push(text.slice(start));
      partsLength = text.length - start;
      if (partsLength > MAX_LINE_CHARS) throw tooLong();
    }
    text = '';
  }
  if (partsLength > 0) yield { text: parts.join(''), number: ++number };
}

function nextBreak(text: string, from: number): number {
  const n = text.indexOf('\n', from);
  const r = text.indexOf('\r', from);
  if (r < 0) return n;
  if (n < 0) return r;
  return Math.min(n, r);
}

/** The whole text of a source (for JSON), decoded and checked; progress in bytes. */
export async function readAllText(source: DataSource, onProgress?: ProgressCallback, maxBytes = Number.MAX_SAFE_INTEGER, what = 'the file'): Promise<string> {
  const tooBig = (size: number) =>
    new TabtuneError(`${what} is ${size > maxBytes ? 'over' : ''} ${Math.ceil(size / 1048576)} MB, more than the ${Math.floor(maxBytes / 1048576)} MB Tabtune reads whole`, {
      file: source.name,
      expected: `a file of at most ${Math.floor(maxBytes / 1048576)} MB (split it into several files)`,
      code: 'file-too-large',
    });
  if (source.size !== undefined && source.size > maxBytes) throw tooBig(source.size);
  const parts: string[] = [];
  const total = source.size ?? 0;
  let chars = 0;
  for await (const chunk of textChunks(source, onProgress ? (n) => onProgress(n, total) : undefined)) {
    chars += chunk.length;
    if (chars > maxBytes) throw tooBig(chars);
    parts.push(chunk);
  }
  return parts.join('');
}
