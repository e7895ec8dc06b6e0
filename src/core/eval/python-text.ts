/**
 * Python's notion of whitespace and of a regex word character, so that text handling matches
 * the reference scripts (str.split(), str.strip(), re's Unicode \b) rather than JavaScript's.
 */

/** Characters for which Python's str.isspace() is true. */
const PY_WS = '\\t\\n\\x0b\\x0c\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';

const WS_RUN = new RegExp(`[${PY_WS}]+`, 'g');
const WS_EDGES = new RegExp(`^[${PY_WS}]+|[${PY_WS}]+$`, 'g');

/** Python's str.split() with no argument: split on whitespace runs, drop empty pieces. */
export function pySplit(text: string): string[] {
  return text.split(WS_RUN).filter((t) => t !== '');
}

/** Python's str.strip() with no argument. */
export function pyStrip(text: string): string {
  return text.replace(WS_EDGES, '');
}

/** A character Python's re module treats as \w in a str pattern (letters, numbers, underscore). */
export const PY_WORD_CHAR = '[\\p{L}\\p{N}_]';
