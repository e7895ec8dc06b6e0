/**
 * Splits a text into consecutive segments around character ranges, so a component can wrap the
 * highlighted parts in <mark>. Ranges are UTF-16 [start, end) indices (JavaScript string
 * indices), as the data pipeline's offsets are. Overlapping ranges: the earlier one wins for
 * the overlapping part; out-of-bounds ranges are clipped; empty ranges are dropped.
 */
export interface CharRange<K extends string = string> {
  start: number;
  end: number;
  kind: K;
}

export interface TextSegment<K extends string = string> {
  text: string;
  start: number;
  end: number;
  /** The range's kind, or null for plain text between ranges. */
  kind: K | null;
}

export function splitByRanges<K extends string>(text: string, ranges: readonly CharRange<K>[]): TextSegment<K>[] {
  const clipped = ranges
    .map((r) => ({ start: clamp(Math.min(r.start, r.end), 0, text.length), end: clamp(Math.max(r.start, r.end), 0, text.length), kind: r.kind }))
    .filter((r) => r.end > r.start)
    .sort((a, b) => a.start - b.start || b.end - a.end);
  const out: TextSegment<K>[] = [];
  let pos = 0;
  for (const r of clipped) {
    const start = Math.max(r.start, pos);
    if (start >= r.end) continue;
    if (start > pos) out.push({ text: text.slice(pos, start), start: pos, end: start, kind: null });
    out.push({ text: text.slice(start, r.end), start, end: r.end, kind: r.kind });
    pos = r.end;
  }
  if (pos < text.length || out.length === 0) out.push({ text: text.slice(pos), start: pos, end: text.length, kind: null });
  return out;
}

/**
 * Finds an answer string inside a context when only the text is known (e.g. a prediction
 * string without offsets): case-insensitive first occurrence, or null.
 */
export function findAnswerRange(context: string, answer: string): { start: number; end: number } | null {
  const needle = answer.trim();
  if (!needle) return null;
  const exact = context.indexOf(needle);
  if (exact >= 0) return { start: exact, end: exact + needle.length };
  const i = context.toLowerCase().indexOf(needle.toLowerCase());
  return i >= 0 ? { start: i, end: i + needle.length } : null;
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}
