/** Turns anything thrown into the protocol's ErrorInfo (TabtuneError keeps file / location / expected). */
import { isTabtuneError } from '../errors';
import type { ErrorInfo } from './events';

export function errorInfo(e: unknown, fallbackFile?: string): ErrorInfo {
  if (isTabtuneError(e)) {
    return { message: e.message, file: e.file ?? fallbackFile, location: e.location, expected: e.expected, code: e.code };
  }
  const message = e instanceof Error ? e.message : String(e);
  return { message: fallbackFile ? `${fallbackFile}: ${message}` : message, file: fallbackFile, code: classify(message) };
}

/** Recognises out-of-memory and lost-GPU failures in backend error messages. */
function classify(message: string): string | undefined {
  const m = message.toLowerCase();
  if (/out of memory|oom|allocation failed|failed to allocate|createbuffer|exceeds the max|buffer size/.test(m)) return 'out-of-memory';
  if (/device (was )?lost|device is lost|gpu device|context lost|gpu was lost|external instance reference/.test(m)) return 'device-lost';
  return undefined;
}

export function isAbortError(e: unknown): boolean {
  return e instanceof Error && (e.name === 'AbortError' || /cancelled|aborted/i.test(e.message));
}
