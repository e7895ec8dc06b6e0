/**
 * GLUE predictions files as the benchmark's submission format: a TSV with the header
 * `index<TAB>prediction`, one row per example (index = the example's 0-based position in its
 * file), the prediction being a label name or, for STS-B, a number.
 */
import { TabtuneError } from '../errors';

/** Writes the TSV (label names as given; numbers with JavaScript's shortest round-trip form). */
export function formatGluePredictionsTsv(predictions: readonly (string | number)[]): string {
  const rows = predictions.map((p, i) => `${i}\t${p}`);
  return ['index\tprediction', ...rows].join('\n') + '\n';
}

export interface GluePredictionsOptions {
  /** The task's label names; null for regression (predictions must be numbers). */
  labels: readonly string[] | null;
  /** How many examples the gold file has (indices must lie below it). */
  count: number;
}

/** index -> prediction. Missing indices are simply absent. */
export function parseGluePredictionsTsv(text: string, file: string, options: GluePredictionsOptions): Map<number, string> {
  const lines = text.replace(/^\ufeff/, '').split(/\r\n|\n|\r/);
  while (lines.length > 0 && lines[lines.length - 1].trim() === '') lines.pop();
  const expectedHeader = 'a TSV with the header "index<TAB>prediction"';
  if (lines.length === 0) throw new TabtuneError('the predictions file is empty', { file, expected: expectedHeader, code: 'empty' });
  const header = lines[0].split('\t').map((h) => h.trim().toLowerCase());
  if (header.length !== 2 || header[0] !== 'index' || header[1] !== 'prediction') {
    throw new TabtuneError(`the header is '${lines[0].slice(0, 80)}'`, { file, location: 'line 1', expected: expectedHeader, code: 'glue-predictions' });
  }
  const labelSet = options.labels ? new Set(options.labels) : null;
  const out = new Map<number, string>();
  for (let i = 1; i < lines.length; i++) {
    const location = `line ${i + 1}`;
    if (lines[i].trim() === '') continue;
    const cols = lines[i].split('\t');
    if (cols.length !== 2) {
      throw new TabtuneError(`the row has ${cols.length} column${cols.length === 1 ? '' : 's'}`, { file, location, expected: '2 tab-separated columns: index, prediction', code: 'glue-predictions' });
    }
    const index = Number(cols[0]);
    if (cols[0].trim() === '' || !Number.isInteger(index) || index < 0 || index >= options.count) {
      throw new TabtuneError(`index '${cols[0]}' is not an example of the gold file`, { file, location, expected: `a whole number from 0 to ${options.count - 1}`, code: 'glue-predictions' });
    }
    if (out.has(index)) {
      throw new TabtuneError(`index ${index} appears twice`, { file, location, expected: 'one row per example', code: 'glue-predictions' });
    }
    const pred = cols[1].trim();
    if (labelSet && !labelSet.has(pred)) {
      throw new TabtuneError(`prediction '${pred}' is not a label of the task`, { file, location, expected: `one of ${[...labelSet].join(', ')}`, code: 'glue-predictions' });
    }
    if (!labelSet && (pred === '' || !Number.isFinite(Number(pred)))) {
      throw new TabtuneError(`prediction '${pred}' is not a number`, { file, location, expected: 'a number (regression task)', code: 'glue-predictions' });
    }
    out.set(index, pred);
  }
  return out;
}
