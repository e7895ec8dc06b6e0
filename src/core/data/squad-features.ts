/**
 * run_squad.convert_examples_to_features: a question and a window of its context per feature.
 *
 *   tokens:      [CLS] question… [SEP] context window… [SEP] [PAD]…
 *   segment_ids:   0      0       0        1        …    1    0
 *
 * Contexts longer than max_seq_length - len(query) - 3 are cut into windows that start
 * doc_stride tokens apart; a token seen in several windows is "max context" only in the window
 * where it has the most context on its shorter side (_check_is_max_context). In training the
 * answer's token span is tightened to the tokenized answer (_improve_answer_span); a window that
 * does not contain the whole answer (and every window of an impossible question) points at
 * [CLS] (0, 0). unique_id counts from 1000000000 over the whole call. Features of one call
 * share frozen input_mask / segment_ids arrays (see shared-arrays.ts).
 */
import { TabtuneError } from '../errors';
import type { Tokenizer } from '../tokenizer/types';
import { SharedArrays } from './shared-arrays';
import { MAX_SEQ_LENGTH } from './limits';
import type { ProgressCallback, SquadExample, SquadFeature } from './types';

export interface SquadConvertOptions {
  maxSeqLength: number;
  docStride: number;
  maxQueryLength: number;
  /** run_squad's is_training: fill start/end positions. */
  training: boolean;
  /** First unique_id (default 1000000000). */
  firstUniqueId?: number;
}

export const FIRST_UNIQUE_ID = 1000000000;

interface DocSpan {
  start: number;
  length: number;
}

/** Word pieces of one context, computed once per paragraph (examples share docTokens). */
interface TokenizedDoc {
  docTokens: readonly string[];
  allDocTokens: string[];
  allDocIds: number[];
  tokToOrigIndex: number[];
  origToTokIndex: number[];
}

function tokenizeDoc(docTokens: readonly string[], tokenizer: Tokenizer): TokenizedDoc {
  const allDocTokens: string[] = [];
  const allDocIds: number[] = [];
  const tokToOrigIndex: number[] = [];
  const origToTokIndex: number[] = new Array(docTokens.length);
  for (let i = 0; i < docTokens.length; i++) {
    origToTokIndex[i] = allDocTokens.length;
    const enc = tokenizer.encode(docTokens[i]);
    for (let k = 0; k < enc.tokens.length; k++) {
      tokToOrigIndex.push(i);
      allDocTokens.push(enc.tokens[k]);
      allDocIds.push(enc.ids[k]);
    }
  }
  return { docTokens, allDocTokens, allDocIds, tokToOrigIndex, origToTokIndex };
}

/**
 * _improve_answer_span: the first (start, then longest-end) sub-span of [inputStart, inputEnd]
 * whose tokens equal the tokenized answer, else the input span. Word pieces hold no spaces, so
 * comparing the " "-joined strings is comparing the token lists.
 */
export function improveAnswerSpan(
  docTokens: readonly string[],
  inputStart: number,
  inputEnd: number,
  answerTokens: readonly string[],
): [number, number] {
  const n = answerTokens.length;
  if (n === 0) return [inputStart, inputEnd];
  for (let newStart = inputStart; newStart + n - 1 <= inputEnd; newStart++) {
    let same = true;
    for (let k = 0; k < n; k++) {
      if (docTokens[newStart + k] !== answerTokens[k]) {
        same = false;
        break;
      }
    }
    if (same) return [newStart, newStart + n - 1];
  }
  return [inputStart, inputEnd];
}

/** _check_is_max_context: is `spanIndex` the span where `position` has the most context? */
export function checkIsMaxContext(spans: readonly DocSpan[], spanIndex: number, position: number): boolean {
  let bestScore = -Infinity;
  let bestIndex = -1;
  for (let i = 0; i < spans.length; i++) {
    const span = spans[i];
    const end = span.start + span.length - 1;
    if (position < span.start || position > end) continue;
    const score = Math.min(position - span.start, end - position) + 0.01 * span.length;
    if (bestIndex < 0 || score > bestScore) {
      bestScore = score;
      bestIndex = i;
    }
  }
  return spanIndex === bestIndex;
}

/** The doc-stride windows over `numTokens` word pieces. */
export function docSpans(numTokens: number, maxTokensForDoc: number, docStride: number): DocSpan[] {
  const spans: DocSpan[] = [];
  let start = 0;
  while (start < numTokens) {
    const length = Math.min(numTokens - start, maxTokensForDoc);
    spans.push({ start, length });
    if (start + length === numTokens) break;
    start += Math.min(length, docStride);
  }
  return spans;
}

function checkOptions(o: SquadConvertOptions): void {
  const whole = (v: number, name: string, min: number) => {
    if (!Number.isInteger(v) || v < min) {
      throw new TabtuneError(`${name} is ${v}`, { location: name, expected: `a whole number >= ${min}`, code: 'option' });
    }
  };
  whole(o.maxSeqLength, 'max_seq_length', 4);
  if (o.maxSeqLength > MAX_SEQ_LENGTH) {
    throw new TabtuneError(`max_seq_length is ${o.maxSeqLength}`, { location: 'max_seq_length', expected: `at most ${MAX_SEQ_LENGTH} (BERT's position table holds 512)`, code: 'option' });
  }
  whole(o.docStride, 'doc_stride', 1);
  whole(o.maxQueryLength, 'max_query_length', 1);
  if (o.maxSeqLength - o.maxQueryLength - 3 < 1) {
    throw new TabtuneError(`max_seq_length ${o.maxSeqLength} leaves no room for the context after a ${o.maxQueryLength}-token question`, {
      location: 'max_seq_length',
      expected: `max_seq_length > max_query_length + 3 (${o.maxQueryLength + 3})`,
      code: 'option',
    });
  }
}

/**
 * Converts examples to features, calling `emit` for each feature in order (the reference's
 * output_fn), so a caller can stream them. Returns the number of features.
 */
export function forEachSquadFeature(
  examples: readonly SquadExample[],
  tokenizer: Tokenizer,
  options: SquadConvertOptions,
  emit: (feature: SquadFeature) => void,
  onProgress?: ProgressCallback,
): number {
  checkOptions(options);
  const { maxSeqLength, docStride, maxQueryLength, training } = options;
  let uniqueId = options.firstUniqueId ?? FIRST_UNIQUE_ID;
  let doc: TokenizedDoc | null = null;
  const shared = new SharedArrays(maxSeqLength);
  const step = Math.max(1, Math.floor(examples.length / 100));
  let count = 0;

  for (let exampleIndex = 0; exampleIndex < examples.length; exampleIndex++) {
    const example = examples[exampleIndex];
    const query = tokenizer.encode(example.questionText);
    const queryLength = Math.min(query.tokens.length, maxQueryLength);
    if (!doc || doc.docTokens !== example.docTokens) doc = tokenizeDoc(example.docTokens, tokenizer);
    const { allDocTokens, allDocIds, tokToOrigIndex, origToTokIndex } = doc;

    let tokStart = -1;
    let tokEnd = -1;
    if (training && !example.isImpossible) {
      const start = example.startPosition!;
      const end = example.endPosition!;
      tokStart = origToTokIndex[start];
      tokEnd = end < example.docTokens.length - 1 ? origToTokIndex[end + 1] - 1 : allDocTokens.length - 1;
      [tokStart, tokEnd] = improveAnswerSpan(allDocTokens, tokStart, tokEnd, tokenizer.tokenize(example.origAnswerText ?? ''));
    }

    // The -3 accounts for [CLS], [SEP] and [SEP].
    const maxTokensForDoc = maxSeqLength - queryLength - 3;
    const spans = docSpans(allDocTokens.length, maxTokensForDoc, docStride);

    for (let spanIndex = 0; spanIndex < spans.length; spanIndex++) {
      const span = spans[spanIndex];
      const tokens: string[] = ['[CLS]'];
      const inputIds = new Array<number>(maxSeqLength).fill(0);
      const tokenToOrigMap: Record<string, number> = {};
      const tokenIsMaxContext: Record<string, boolean> = {};
      inputIds[0] = tokenizer.clsId;
      for (let k = 0; k < queryLength; k++) {
        tokens.push(query.tokens[k]);
        inputIds[tokens.length - 1] = query.ids[k];
      }
      tokens.push('[SEP]');
      inputIds[tokens.length - 1] = tokenizer.sepId;
      for (let k = 0; k < span.length; k++) {
        const split = span.start + k;
        const pos = tokens.length;
        tokenToOrigMap[pos] = tokToOrigIndex[split];
        tokenIsMaxContext[pos] = checkIsMaxContext(spans, spanIndex, split);
        tokens.push(allDocTokens[split]);
        inputIds[pos] = allDocIds[split];
      }
      tokens.push('[SEP]');
      inputIds[tokens.length - 1] = tokenizer.sepId;
      const inputMask = shared.run(0, tokens.length);
      const segmentIds = shared.run(queryLength + 2, tokens.length);

      let startPosition: number | null = null;
      let endPosition: number | null = null;
      if (training) {
        if (example.isImpossible) {
          startPosition = 0;
          endPosition = 0;
        } else {
          const docStart = span.start;
          const docEnd = span.start + span.length - 1;
          if (tokStart >= docStart && tokEnd <= docEnd) {
            const docOffset = queryLength + 2;
            startPosition = tokStart - docStart + docOffset;
            endPosition = tokEnd - docStart + docOffset;
          } else {
            startPosition = 0;
            endPosition = 0;
          }
        }
      }

      emit({
        unique_id: uniqueId++,
        example_index: exampleIndex,
        qas_id: example.qasId,
        doc_span_index: spanIndex,
        tokens,
        token_to_orig_map: tokenToOrigMap,
        token_is_max_context: tokenIsMaxContext,
        input_ids: inputIds,
        input_mask: inputMask,
        segment_ids: segmentIds,
        start_position: startPosition,
        end_position: endPosition,
        is_impossible: example.isImpossible,
      });
      count++;
    }
    if (onProgress && ((exampleIndex + 1) % step === 0 || exampleIndex + 1 === examples.length)) onProgress(exampleIndex + 1, examples.length);
  }
  return count;
}

/** convert_examples_to_features collected into an array. */
export function convertSquadExamples(
  examples: readonly SquadExample[],
  tokenizer: Tokenizer,
  options: SquadConvertOptions,
  onProgress?: ProgressCallback,
): SquadFeature[] {
  const out: SquadFeature[] = [];
  forEachSquadFeature(examples, tokenizer, options, (f) => out.push(f), onProgress);
  return out;
}
