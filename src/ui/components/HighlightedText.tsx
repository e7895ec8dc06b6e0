/** A context with character ranges marked: the predicted answer as <mark>, gold answers outlined. */
import { splitByRanges, type CharRange } from '../text/highlight';

export type HighlightKind = 'answer' | 'gold';

export interface HighlightedTextProps {
  text: string;
  ranges: CharRange<HighlightKind>[];
  className?: string;
  /** data-testid of the predicted-answer <mark>. */
  markTestId?: string;
}

export function HighlightedText({ text, ranges, className = 'context', markTestId = 'answer-mark' }: HighlightedTextProps) {
  const segments = splitByRanges(text, ranges);
  return (
    <div className={className}>
      {segments.map((s) =>
        s.kind === 'answer' ? (
          <mark key={s.start} data-testid={markTestId}>
            {s.text}
          </mark>
        ) : s.kind === 'gold' ? (
          <mark key={s.start} className="gold" title="gold answer">
            {s.text}
          </mark>
        ) : (
          <span key={s.start}>{s.text}</span>
        ),
      )}
    </div>
  );
}
