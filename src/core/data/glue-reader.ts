/**
 * GLUE TSV readers (run_classifier's DataProcessor._read_tsv + _create_examples).
 *
 * _read_tsv is `csv.reader(f, delimiter="\t", quotechar=None)`: a `"` is a literal character,
 * a record is one line, fields are split on every tab. The byte-order mark some GLUE files carry
 * on the header is removed. Lines are streamed: only the examples are kept.
 *
 * Bad rows (wrong column count, label not in the task's list, STS-B score that is not a number)
 * are skipped and counted, or thrown at once with `failFast`.
 */
import type { BadRecordPolicy } from '../errors';
import { TabtuneError } from '../errors';
import { badRecords, emptyStats } from './bad-records';
import { glueTaskSpec, splitFromFileName } from './glue-tasks';
import { readLines, type DataSource } from './source';
import type { GlueTask, InputExample, ProgressCallback, ReadStats, Split } from './types';

export interface GlueReadOptions extends BadRecordPolicy {
  /** Default: from the file name (test / dev / train). */
  split?: Split;
  /** Bytes read so far / file size. */
  onProgress?: ProgressCallback;
}

export interface ClassifierDataset {
  examples: InputExample[];
  /** Label names in label-id order; null for regression. */
  labels: string[] | null;
  split: Split;
  stats: ReadStats;
}

export async function readGlue(task: GlueTask, source: DataSource, options: GlueReadOptions = {}): Promise<ClassifierDataset> {
  const spec = glueTaskSpec(task);
  const split = options.split ?? splitFromFileName(source.name);
  const stats = emptyStats();
  const bad = badRecords(stats, options);
  const labelSet = spec.labels ? new Set(spec.labels) : null;
  const examples: InputExample[] = [];
  const minColumns = spec.minColumns(split);
  let expectedColumns = spec.hasHeader(split) ? -1 : minColumns;
  let headerSeen = !spec.hasHeader(split);

  for await (const line of readLines(source, options.onProgress)) {
    if (line.text.trim() === '') continue;
    const cols = line.text.split('\t');
    if (!headerSeen) {
      headerSeen = true;
      if (cols.length < minColumns) {
        throw new TabtuneError(`the header has ${cols.length} column${cols.length === 1 ? '' : 's'}; the ${task} ${split} file has at least ${minColumns}`, {
          file: source.name,
          location: `line ${line.number}`,
          expected: `a GLUE ${task} ${split} file (tab-separated, ${minColumns}+ columns)`,
          code: 'tsv-header',
        });
      }
      expectedColumns = cols.length;
      continue;
    }
    stats.records++;
    const location = `line ${line.number}`;
    if (cols.length !== expectedColumns) {
      bad.skip(`the row has ${cols.length} column${cols.length === 1 ? '' : 's'}`, {
        file: source.name,
        location,
        expected: `${expectedColumns} tab-separated columns`,
        code: 'tsv-columns',
      });
      continue;
    }
    const example = spec.example(cols, line.number - 1, split);
    if (split !== 'test') {
      const label = example.label ?? '';
      if (labelSet && !labelSet.has(label)) {
        bad.skip(`label '${label}' is not one of the ${task} labels`, {
          file: source.name,
          location,
          expected: `one of ${[...labelSet].join(', ')}`,
          code: 'label',
        });
        continue;
      }
      if (!labelSet && !isNumber(label)) {
        bad.skip(`score '${label}' is not a number`, { file: source.name, location, expected: 'a number (STS-B similarity score)', code: 'label' });
        continue;
      }
    }
    examples.push(example);
    stats.kept++;
  }
  if (!headerSeen) {
    throw new TabtuneError('the file has no rows', { file: source.name, expected: `a GLUE ${task} ${split} file`, code: 'empty' });
  }
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
  return { examples, labels: spec.labels ? [...spec.labels] : null, split, stats };
}

/** A decimal number as Python's float() reads it (no hex, no inf/nan). */
export function isNumber(s: string): boolean {
  return /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/.test(s);
}
