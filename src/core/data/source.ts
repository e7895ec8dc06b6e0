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
  const decode = (bytes: Uint8Array, stream: boolean): string => {
    try {
      return decoder.decode(bytes, { stream });
    } catch {
      throw new TabtuneError('the file is not UTF-8 text (a binary file?)', {
        file: source.name,
        location: `near byte ${offset}`,
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
  let carry = '';
  let number = 0;
  let pendingCR = false;
  for await (const chunk of textChunks(source, onProgress ? (n) => onProgress(n, total) : undefined)) {
    let text = carry + chunk;
    carry = '';
    let start = 0;
    if (pendingCR) {
      // The previous chunk ended with \r: a following \n belongs to the same line break.
      if (text.charCodeAt(0) === 10) start = 1;
      pendingCR = false;
    }
    for (;;) {
      const nl = nextBreak(text, start);
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
    carry = text.slice(start);
    text = '';
  }
  if (carry.length > 0) yield { text: carry, number: ++number };
}

function nextBreak(text: string, from: number): number {
  const n = text.indexOf('\n', from);
  const r = text.indexOf('\r', from);
  if (r < 0) return n;
  if (n < 0) return r;
  return Math.min(n, r);
}

/** The whole text of a source (for JSON), decoded and checked; progress in bytes. */
export async function readAllText(source: DataSource, onProgress?: ProgressCallback): Promise<string> {
  const parts: string[] = [];
  const total = source.size ?? 0;
  for await (const chunk of textChunks(source, onProgress ? (n) => onProgress(n, total) : undefined)) parts.push(chunk);
  return parts.join('');
}
