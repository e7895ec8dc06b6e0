/** Skip-and-count (default) or fail-fast handling of bad records, shared by every reader. */
import { TabtuneError, type BadRecordPolicy, type TabtuneErrorDetails } from '../errors';
import type { ReadStats } from './types';

const KEEP_ERRORS = 20;

export function emptyStats(): ReadStats {
  return { records: 0, kept: 0, skipped: 0, firstErrors: [] };
}

export interface BadRecords {
  /** Throws under failFast, else counts the record as skipped and reports it. */
  skip(problem: string, details: TabtuneErrorDetails): void;
  /** Reports a record dropped by the reference's own rules (e.g. an unrecoverable SQuAD answer): never throws. */
  note(error: TabtuneError): void;
}

export function badRecords(stats: ReadStats, policy: BadRecordPolicy = {}): BadRecords {
  const remember = (e: TabtuneError) => {
    if (stats.firstErrors.length < KEEP_ERRORS) stats.firstErrors.push({ message: e.message, location: e.location, code: e.code });
    policy.onSkip?.(e);
  };
  return {
    skip(problem, details) {
      const error = new TabtuneError(problem, details);
      if (policy.failFast) throw error;
      stats.skipped++;
      remember(error);
    },
    note: remember,
  };
}
