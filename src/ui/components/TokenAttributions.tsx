/**
 * Token attributions as a tint on each WordPiece token: green pushes the prediction (label, or
 * the answer's start + end) up, red pulls it down; stronger tint = larger share of the largest.
 */
import type { TokenAttributionScores } from '../../core/pipeline';
import { attributionTint } from '../inside/attention';

export interface TokenAttributionsProps {
  attributions: TokenAttributionScores;
  tokens: readonly string[];
}

const METHOD_TEXT = { 'integrated-gradients': 'integrated gradients', 'gradient-x-input': 'gradient × input' } as const;

export function TokenAttributions({ attributions, tokens }: TokenAttributionsProps) {
  const { scores } = attributions;
  const maxAbs = scores.reduce((m, s) => Math.max(m, Math.abs(s)), 0);
  const sum = scores.reduce((a, b) => a + b, 0);
  return (
    <div className="stack" data-testid="token-attributions">
      <p className="small muted">
        Each token’s share of the {attributions.target} ({METHOD_TEXT[attributions.method]}
        {attributions.method === 'integrated-gradients' ? `, ${attributions.steps} steps from an all-zero embedding` : ''}). Green raises it, red lowers it.
        {attributions.baselineValue !== undefined && ` Scores add up to ${sum.toFixed(3)}; the score went from ${attributions.baselineValue.toFixed(3)} to ${attributions.targetValue.toFixed(3)}.`}
      </p>
      <p style={{ lineHeight: 2, margin: 0 }}>
        {tokens.map((t, i) => (
          <span
            key={i}
            data-testid="attributed-token"
            data-score={scores[i]}
            title={`${t}: ${scores[i]?.toFixed(4)}`}
            style={{ background: attributionTint(scores[i] ?? 0, maxAbs), borderRadius: 3, padding: '1px 3px', marginRight: 2, fontFamily: 'var(--mono, monospace)', fontSize: '0.85em' }}
          >
            {t}
          </span>
        ))}
      </p>
    </div>
  );
}
