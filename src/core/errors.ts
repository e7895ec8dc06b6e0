/**
 * The one error type every layer throws for bad input. The CLI prints it on stderr;
 * the worker sends it to the page as an `error` event; the UI shows `message`.
 *
 * `file` names the input, `location` the line / question id / tensor name, and
 * `expected` what would have been valid. `message` is always the full sentence.
 */
export interface TabtuneErrorDetails {
  /** File name (or a short label such as "stdin") the problem was found in. */
  file?: string;
  /** Line number (1-based), question id, tensor name, row index… */
  location?: string;
  /** What was expected there. */
  expected?: string;
  /** Machine-readable kind, e.g. "tsv-columns", "squad-json", "vocab-special". */
  code?: string;
}

export class TabtuneError extends Error {
  readonly file?: string;
  readonly location?: string;
  readonly expected?: string;
  readonly code?: string;

  constructor(problem: string, details: TabtuneErrorDetails = {}) {
    super(formatMessage(problem, details));
    this.name = 'TabtuneError';
    this.file = details.file;
    this.location = details.location;
    this.expected = details.expected;
    this.code = details.code;
  }
}

function formatMessage(problem: string, d: TabtuneErrorDetails): string {
  const where = [d.file, d.location].filter(Boolean).join(', ');
  let msg = where ? `${where}: ${problem}` : problem;
  if (d.expected) msg += ` (expected ${d.expected})`;
  return msg;
}

export function isTabtuneError(e: unknown): e is TabtuneError {
  return e instanceof TabtuneError || (e instanceof Error && e.name === 'TabtuneError');
}

/** Counts bad records while a reader keeps the good ones (the default), or fails fast. */
export interface BadRecordPolicy {
  /** Throw at the first bad record instead of skipping it. */
  failFast?: boolean;
  /** Called for each skipped record. */
  onSkip?: (error: TabtuneError) => void;
}
