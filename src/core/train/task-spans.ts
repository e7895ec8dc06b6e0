/**
 * Live span predictions for the page: a few questions with the predicted answer located in the
 * context (UTF-16 character range), the gold answers, and their SQuAD scores.
 */
import type { SquadExample } from '../data/types';
import { computeExactV2, computeF1V2 } from '../eval/squad-metrics';
import type { CharSpan, LiveSpanPrediction } from './task-types';

/** Gold answers with character ranges, by question id, from a SQuAD JSON object. */
export function goldSpansById(json: unknown, ids: ReadonlySet<string>): Map<string, CharSpan[]> {
  const out = new Map<string, CharSpan[]>();
  const data = (json as { data?: unknown[] })?.data;
  if (!Array.isArray(data)) return out;
  for (const article of data) {
    for (const para of ((article as { paragraphs?: unknown[] }).paragraphs ?? []) as Array<{ qas?: unknown[] }>) {
      for (const qa of (para.qas ?? []) as Array<{ id?: string; answers?: Array<{ text?: string; answer_start?: number }> }>) {
        if (typeof qa.id !== 'string' || !ids.has(qa.id)) continue;
        const spans: CharSpan[] = [];
        for (const a of qa.answers ?? []) {
          if (typeof a.text === 'string' && typeof a.answer_start === 'number') {
            spans.push({ text: a.text, start: a.answer_start, end: a.answer_start + a.text.length });
          }
        }
        out.set(qa.id, spans);
      }
    }
  }
  return out;
}

/**
 * Where the predicted text sits in the context. `origStart`/`origEnd` (doc-token indices of the
 * chosen n-best entry) narrow the search to that span's characters, as the answer came from
 * there; without them the first occurrence in the context is used.
 */
export function locateAnswer(example: SquadExample, text: string, origStart?: number, origEnd?: number): CharSpan | null {
  if (text === '') return null;
  const ctx = example.contextText;
  if (origStart !== undefined && origEnd !== undefined && origStart >= 0 && origEnd < example.docTokens.length) {
    const from = example.docTokenCharStarts[origStart];
    const to = example.docTokenCharStarts[origEnd] + example.docTokens[origEnd].length;
    const at = ctx.slice(from, to).indexOf(text);
    if (at >= 0) return { text, start: from + at, end: from + at + text.length };
    const lower = ctx.slice(from, to).toLowerCase().indexOf(text.toLowerCase());
    if (lower >= 0) return { text: ctx.slice(from + lower, from + lower + text.length), start: from + lower, end: from + lower + text.length };
  }
  const at = ctx.indexOf(text);
  if (at >= 0) return { text, start: at, end: at + text.length };
  const lower = ctx.toLowerCase().indexOf(text.toLowerCase());
  if (lower >= 0) return { text: ctx.slice(lower, lower + text.length), start: lower, end: lower + text.length };
  return null;
}

export function liveSpanPrediction(
  example: SquadExample,
  predictedText: string,
  gold: CharSpan[],
  orig?: { start: number; end: number },
): LiveSpanPrediction {
  const predicted = locateAnswer(example, predictedText, orig?.start, orig?.end);
  const golds = gold.length > 0 ? gold.map((g) => g.text) : [''];
  const exact = Math.max(...golds.map((g) => computeExactV2(g, predictedText)));
  const f1 = Math.max(...golds.map((g) => computeF1V2(g, predictedText)));
  return {
    qasId: example.qasId,
    question: example.questionText,
    context: example.contextText,
    predicted: predictedText === '' ? null : predicted,
    gold,
    exact: exact === 1,
    f1,
  };
}
