/**
 * What decides which examples of a run's files it trains and evaluates on, besides the files
 * themselves (whose fingerprint is fingerprintFiles, run-storage.ts): the example limits and,
 * for a user's own CSV/TSV table, which columns hold text A, text B and the label. Stored beside
 * the files' fingerprint in a run's record (the page) and its tabtune_run.json (the CLI), and
 * compared on resume: the same files read with another limit or other columns are other data.
 *
 * Kept apart from the fingerprint (not hashed into it) so that a record written before it
 * existed still compares by its files, and a refusal can say which setting differs and how.
 */

/** A column by header name or 0-based index (core/data's ColumnRef). */
export type SelectionColumn = string | number;

export interface DataSelection {
  /** Training examples used (the first N; 0: all). */
  maxTrainExamples: number;
  /** Evaluation examples used (the first N; 0: all). */
  maxEvalExamples: number;
  /** A user's table (task tsv): the columns read; null for the fixed formats (GLUE, SQuAD, text). */
  columns: { textA: SelectionColumn; textB?: SelectionColumn; label?: SelectionColumn } | null;
}

export function dataSelectionOf(
  settings: { maxTrainExamples: number; maxEvalExamples: number },
  columns?: { textA: SelectionColumn; textB?: SelectionColumn; label?: SelectionColumn },
): DataSelection {
  return {
    maxTrainExamples: settings.maxTrainExamples,
    maxEvalExamples: settings.maxEvalExamples,
    columns: columns ? { textA: columns.textA, ...(columns.textB !== undefined ? { textB: columns.textB } : {}), ...(columns.label !== undefined ? { label: columns.label } : {}) } : null,
  };
}

const limit = (n: number) => (n > 0 ? String(n) : 'all');
const column = (c: SelectionColumn | undefined) => (c === undefined ? 'none' : typeof c === 'number' ? `#${c}` : JSON.stringify(c));
const columnsText = (c: DataSelection['columns']) => (c ? `text A ${column(c.textA)}, text B ${column(c.textB)}, label ${column(c.label)}` : 'none (not a user table)');

/**
 * How `now` differs from the run's `stored` selection, one phrase per setting naming both values
 * ("max-train-examples: 100 for the run, 200 now"); [] when they select the same examples.
 */
export function dataSelectionChanges(stored: DataSelection, now: DataSelection): string[] {
  const out: string[] = [];
  if (stored.maxTrainExamples !== now.maxTrainExamples) out.push(`max-train-examples: ${limit(stored.maxTrainExamples)} for the run, ${limit(now.maxTrainExamples)} now`);
  if (stored.maxEvalExamples !== now.maxEvalExamples) out.push(`max-eval-examples: ${limit(stored.maxEvalExamples)} for the run, ${limit(now.maxEvalExamples)} now`);
  if (columnsText(stored.columns) !== columnsText(now.columns)) out.push(`columns: ${columnsText(stored.columns)} for the run, ${columnsText(now.columns)} now`);
  return out;
}

/** True for a value read back from storage or JSON that has the DataSelection shape. */
export function isDataSelection(v: unknown): v is DataSelection {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  return typeof o.maxTrainExamples === 'number' && typeof o.maxEvalExamples === 'number' && (o.columns === null || (typeof o.columns === 'object' && o.columns !== null));
}

/** Said when a run's record predates this check: its files are compared, its limits and columns cannot be. */
export const SELECTION_NOT_RECORDED =
  'the run was saved before its example limits and column mapping were recorded: only its files are checked, so resume with the same max-train-examples, max-eval-examples and columns it was started with';
