/**
 * What the demos ask the model to show besides the answer: every layer's attention maps and the
 * tokens' integrated-gradient attributions (20 steps: the sums stay within a few percent of
 * completeness on the fixture models; see core/eval/attribution.test.ts).
 */
import type { ExplainOptions } from '../../core/pipeline';

export const LOOK_INSIDE: ExplainOptions = { attentions: true, attributions: 'integrated-gradients', steps: 20 };
