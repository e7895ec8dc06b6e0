/**
 * The `tsv` task: a user's own TSV or CSV whose columns the user maps to text_a, optional text_b
 * and label. Streamed: lines are grouped into complete records (a quoted field may span lines)
 * and parsed by papaparse in batches, so only the examples stay in memory.
 *
 * TSV defaults to GLUE's rule (a `"` is a literal character); CSV to RFC 4180 quoting.
 * Labels come from the training file (sorted: numerically when all are numbers) and are passed
 * to the dev/test readers, where an unknown label is a bad record.
 */
import Papa from 'papaparse';
import type { BadRecordPolicy } from '../errors';
import { TabtuneError } from '../errors';
import { badRecords, emptyStats } from './bad-records';
import { isNumber, type ClassifierDataset } from './glue-reader';
import { splitFromFileName } from './glue-tasks';
import { MAX_LINE_CHARS, readLines, type DataSource } from './source';
import type { InputExample, ProgressCallback, Split } from './types';

/** A column by header name, or by 0-based index (a number, or a numeric string that is not a header name). */
export type ColumnRef = string | number;

export interface ColumnMapping {
  textA: ColumnRef;
  textB?: ColumnRef;
  /** Omit for an unlabelled (test) file. */
  label?: ColumnRef;
}

export interface TableReadOptions extends BadRecordPolicy {
  columns: ColumnMapping;
  /** Default: ',' for *.csv, else tab. */
  delimiter?: string;
  /** CSV double-quote quoting. Default: on for ',' and off for tab (GLUE style). */
  quoting?: boolean;
  /** Default true. Without a header, columns are referenced by index. */
  hasHeader?: boolean;
  /** Labels of the training file; when absent they are collected from this file. */
  labels?: readonly string[];
  /** Float targets (like STS-B) instead of classes. */
  regression?: boolean;
  /** Default: from the file name. */
  split?: Split;
  onProgress?: ProgressCallback;
}

export interface TableDataset extends ClassifierDataset {
  /** Header names (or "0", "1", … without a header). */
  columns: string[];
}

const BATCH_CHARS = 1 << 20;

interface PendingRecord {
  text: string;
  line: number;
}

export async function readTable(source: DataSource, options: TableReadOptions): Promise<TableDataset> {
  const delimiter = options.delimiter ?? (/\.csv$/i.test(source.name) ? ',' : '\t');
  const quoting = options.quoting ?? delimiter === ',';
  const hasHeader = options.hasHeader ?? true;
  const split = options.split ?? splitFromFileName(source.name);
  const regression = options.regression ?? false;
  const stats = emptyStats();
  const bad = badRecords(stats, options);
  const given = options.labels ? new Set(options.labels) : null;
  const seen = new Set<string>();
  const examples: InputExample[] = [];

  let columns: string[] | null = null;
  let index: { a: number; b: number; label: number } | null = null;

  const onRow = (cols: string[], line: number) => {
    if (!columns) {
      columns = hasHeader ? cols.map((c) => c.trim()) : cols.map((_, i) => String(i));
      index = resolveColumns(columns, options.columns, source.name);
      if (hasHeader) return;
    }
    stats.records++;
    const location = `line ${line}`;
    if (cols.length !== columns.length) {
      bad.skip(`the row has ${cols.length} column${cols.length === 1 ? '' : 's'}`, {
        file: source.name,
        location,
        expected: `${columns.length} columns separated by ${delimiter === '\t' ? 'tabs' : `'${delimiter}'`}`,
        code: 'tsv-columns',
      });
      return;
    }
    const ix = index!;
    const example: InputExample = { guid: `${split}-${line - 1}`, textA: cols[ix.a] };
    if (ix.b >= 0) example.textB = cols[ix.b];
    if (ix.label >= 0) {
      const label = cols[ix.label].trim();
      if (regression) {
        if (!isNumber(label)) {
          bad.skip(`label '${label}' is not a number`, { file: source.name, location, expected: 'a number (regression target)', code: 'label' });
          return;
        }
      } else if (given && !given.has(label)) {
        bad.skip(`label '${label}' is not in the training file's labels`, {
          file: source.name,
          location,
          expected: `one of ${[...given].join(', ')}`,
          code: 'label',
        });
        return;
      } else if (!given) {
        seen.add(label);
      }
      example.label = label;
    }
    examples.push(example);
    stats.kept++;
  };

  if (quoting) {
    await readQuoted(source, delimiter, options.onProgress, onRow, (line, message) =>
      bad.skip(message, { file: source.name, location: `line ${line}`, expected: 'a well-formed quoted CSV record', code: 'csv-quotes' }),
    );
  } else {
    for await (const line of readLines(source, options.onProgress)) {
      if (line.text.trim() === '') continue;
      onRow(line.text.split(delimiter), line.number);
    }
  }
  if (!columns) throw new TabtuneError('the file has no rows', { file: source.name, expected: 'a header and data rows', code: 'empty' });
  if (stats.records === 0) {
    throw new TabtuneError('the file has a header but no data rows', { file: source.name, location: 'line 2', expected: 'at least one row after the header', code: 'empty' });
  }
  if (stats.kept === 0 && stats.skipped > 0) {
    throw new TabtuneError(`no usable row: all ${stats.skipped} were bad (first: ${stats.firstErrors[0].message})`, {
      file: source.name,
      expected: 'at least one well-formed row',
      code: stats.firstErrors[0].code,
    });
  }
  const labels = regression ? null : given ? [...given] : index!.label >= 0 ? sortLabels([...seen]) : null;
  return { examples, labels, split, stats, columns };
}

/** Collected labels in a stable order: numerically when all are numbers, else by code unit. */
export function sortLabels(labels: string[]): string[] {
  if (labels.every(isNumber)) return labels.sort((x, y) => Number(x) - Number(y));
  return labels.sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
}

function resolveColumns(columns: string[], mapping: ColumnMapping, file: string): { a: number; b: number; label: number } {
  const find = (ref: ColumnRef | undefined, role: string): number => {
    if (ref === undefined) return -1;
    let i = typeof ref === 'number' ? ref : columns.indexOf(ref);
    if (i < 0 && typeof ref === 'string' && /^\d+$/.test(ref)) i = Number(ref);
    if (i < 0 || i >= columns.length) {
      throw new TabtuneError(`no column '${ref}' for ${role}`, {
        file,
        location: 'header',
        expected: `one of ${columns.map((c, k) => `'${c}' (${k})`).join(', ')}`,
        code: 'tsv-mapping',
      });
    }
    return i;
  };
  return { a: find(mapping.textA, 'text_a'), b: find(mapping.textB, 'text_b'), label: find(mapping.label, 'label') };
}

/**
 * Quoted CSV, streamed: physical lines are joined until the record's quotes balance (an escaped
 * `""` keeps the parity), complete records are parsed by papaparse about 1 MB at a time.
 */
async function readQuoted(
  source: DataSource,
  delimiter: string,
  onProgress: ProgressCallback | undefined,
  onRow: (cols: string[], line: number) => void,
  onBad: (line: number, message: string) => void,
): Promise<void> {
  let batch: PendingRecord[] = [];
  let chars = 0;
  let open: PendingRecord | null = null;
  let quotes = 0;

  const flush = () => {
    if (batch.length === 0) return;
    const result = Papa.parse<string[]>(batch.map((r) => r.text).join('\n'), { delimiter, quoteChar: '"', newline: '\n' });
    const broken = new Map<number, string>();
    for (const e of result.errors) if (e.row !== undefined && !broken.has(e.row)) broken.set(e.row, e.message);
    if (result.data.length !== batch.length) {
      // Papaparse could not keep one row per record: parse them one by one to find the bad one.
      for (const r of batch) {
        const one = Papa.parse<string[]>(r.text, { delimiter, quoteChar: '"', newline: '\n' });
        if (one.errors.length > 0 || one.data.length !== 1) onBad(r.line, one.errors[0]?.message ?? 'unbalanced quotes');
        else onRow(one.data[0], r.line);
      }
    } else {
      result.data.forEach((row, k) => {
        const msg = broken.get(k);
        if (msg) onBad(batch[k].line, msg);
        else onRow(row, batch[k].line);
      });
    }
    batch = [];
    chars = 0;
  };

  for await (const line of readLines(source, onProgress)) {
    if (open) {
      open.text += '\n' + line.text;
      if (open.text.length > MAX_LINE_CHARS) {
        throw new TabtuneError(`the record starting on line ${open.line} runs past ${MAX_LINE_CHARS} characters: a quoted field is never closed`, {
          file: source.name, location: `line ${open.line}`, expected: 'balanced quotes (a quote inside a field is written "")', code: 'csv-quotes',
        });
      }
    } else {
      if (line.text.trim() === '') continue;
      open = { text: line.text, line: line.number };
      quotes = 0;
    }
    quotes += countQuotes(line.text);
    if (quotes % 2 === 0) {
      batch.push(open);
      chars += open.text.length;
      open = null;
      if (chars >= BATCH_CHARS) flush();
    }
  }
  if (open) {
    flush();
    onBad(open.line, 'a quoted field is never closed');
  }
  flush();
}

function countQuotes(s: string): number {
  let n = 0;
  for (let i = s.indexOf('"'); i >= 0; i = s.indexOf('"', i + 1)) n++;
  return n;
}
