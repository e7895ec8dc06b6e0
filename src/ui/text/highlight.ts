/**
 * Splits a text into consecutive segments around character ranges, so a component can wrap the
 * highlighted parts in <mark>. Ranges are UTF-16 [start, end) indices (JavaScript string
 * indices), as the data pipeline's offsets are. Where ranges overlap, the one listed first wins
 * (the rest of the other is still marked); out-of-bounds ranges are clipped; empty ones dropped.
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
    .filter((r) => r.end > r.start);
  // Elementary intervals between all boundaries; each takes the kind of the first range (in the
  // given order) that covers it, so a prediction listed first stays whole inside a gold answer.
  const cuts = [...new Set([0, text.length, ...clipped.flatMap((r) => [r.start, r.end])])].sort((a, b) => a - b);
  const out: TextSegment<K>[] = [];
  for (let i = 0; i + 1 < cuts.length; i++) {
    const a = cuts[i];
    const b = cuts[i + 1];
    const owner = clipped.find((r) => r.start <= a && r.end >= b);
    const kind = owner ? owner.kind : null;
    const prev = out[out.length - 1];
    if (prev && prev.kind === kind && prev.end === a && (kind === null || owner === ownerOf(clipped, prev))) {
      prev.end = b;
      prev.text = text.slice(prev.start, b);
    } else out.push({ text: text.slice(a, b), start: a, end: b, kind });
  }
  if (out.length === 0) out.push({ text: '', start: 0, end: 0, kind: null });
  return out;
}

/** The range a segment came from (segments of two separate ranges of one kind stay apart). */
function ownerOf<K extends string>(ranges: readonly CharRange<K>[], seg: TextSegment<K>): CharRange<K> | undefined {
  return ranges.find((r) => r.start <= seg.start && r.end >= seg.end);
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
