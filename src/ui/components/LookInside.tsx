/** "Look inside" an answered input: its token attributions and attention heatmap (from the predict result's `inside`). */
import type { LookInside as Inside } from '../../core/pipeline';
import { AttentionMap } from './AttentionMap';
import { TokenAttributions } from './TokenAttributions';

export function LookInside({ inside }: { inside: Inside }) {
  return (
    <details open className="stack" data-testid="look-inside">
      <summary>Look inside ({inside.tokens.length} tokens)</summary>
      {inside.attributions && <TokenAttributions attributions={inside.attributions} tokens={inside.tokens} />}
      {inside.attentions && <AttentionMap maps={inside.attentions} tokens={inside.tokens} />}
    </details>
  );
}
