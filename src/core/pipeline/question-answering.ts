/**
 * The question-answering pipeline, after transformers.js's `pipeline('question-answering')`:
 * tokenizer + span model + run_squad's post-processing as one object.
 *
 *   const qa = createQuestionAnsweringPipeline({ model, tokenizer, settings, version2 });
 *   const r = await qa.answer({ question, context });    // best answer, n-best, windows
 *   const preds = await qa.predict(examples, features);  // a whole dev set's write_predictions
 *
 * `answer` splits the context as read_squad_examples does, builds the doc-stride windows
 * (convert_examples_to_features), runs the model over them in evaluation batches and reads the
 * answer with write_predictions (n-best, get_final_text, the null answer for SQuAD 2.0). The same
 * `predict` evaluates a dev set from its already-built examples and features; nothing goes
 * through a SQuAD JSON string.
 */
import { TabtuneError } from '../errors';
import type { SquadExample, SquadFeature, ProgressCallback } from '../data/types';
import { splitContext } from '../data/squad-reader';
import { convertSquadExamples } from '../data/squad-features';
import { collateSquad } from '../data/batch';
import { postprocessSquad, type SquadPrediction, type SquadRawResult } from '../eval/squad-postprocess';
import type { BertModel } from '../model/types';
import type { Settings } from '../settings/schema';
import type { Tokenizer } from '../tokenizer/types';
import { bucketLengths, cutToBucket } from '../train/task-buckets';
import { inferBatches } from '../train/task-infer';
import { locateAnswer } from '../train/task-spans';
import { lookInside, type ExplainOptions, type LookInside } from './look-inside';

export type QaSettings = Pick<Settings, 'maxSeqLength' | 'docStride' | 'maxQueryLength' | 'nBestSize' | 'maxAnswerLength' | 'nullScoreDiffThreshold' | 'evalBatchSize' | 'seqBuckets'>;

export interface QaPipelineOptions {
  model: BertModel;
  tokenizer: Tokenizer;
  settings: QaSettings;
  /** SQuAD 2.0: the null answer is a candidate. */
  version2: boolean;
}

/** One candidate answer with where it sits in the context (UTF-16, end exclusive). */
export interface QaAnswer {
  text: string;
  start: number;
  end: number;
  /** Softmax over the n-best's start + end logits (nbest_predictions.json's probability). */
  probability: number;
  startLogit: number;
  endLogit: number;
}

export interface QaResult {
  /** null: no answer (SQuAD 2.0's null answer won, or no span could be read). */
  best: QaAnswer | null;
  /** The non-empty n-best answers, best first. */
  nbest: QaAnswer[];
  /** SQuAD 2.0: null score − best span score. */
  nullOdds?: number;
  /** Doc-stride windows the context needed. */
  windows: number;
  /** options.explain: attention maps and token attributions of the window the best answer came from. */
  inside?: LookInside;
}

export interface PredictOptions {
  signal?: AbortSignal;
  onProgress?: ProgressCallback;
  /** answer / classify: also look inside (look-inside.ts) for the predicted answer or label. */
  explain?: ExplainOptions;
}

export interface QuestionAnsweringPipeline {
  readonly task: 'question-answering';
  answer(input: { question: string; context: string }, options?: PredictOptions): Promise<QaResult>;
  /** write_predictions over examples and their features (one result per example, in order). */
  predict(examples: readonly SquadExample[], features: readonly SquadFeature[], options?: PredictOptions): Promise<SquadPrediction[]>;
}

export function createQuestionAnsweringPipeline(options: QaPipelineOptions): QuestionAnsweringPipeline {
  const { model, tokenizer, settings, version2 } = options;
  if (model.head.kind !== 'span') {
    throw new TabtuneError('this model classifies text; it does not answer questions', { location: 'pipeline', expected: 'a question-answering (SQuAD) model', code: 'predict-task' });
  }
  const lengths = bucketLengths(settings.seqBuckets, settings.maxSeqLength);

  const run = async (examples: readonly SquadExample[], features: readonly SquadFeature[], o: PredictOptions): Promise<{ predictions: SquadPrediction[]; results: SquadRawResult[] }> => {
    const bs = settings.evalBatchSize;
    const results: SquadRawResult[] = [];
    await inferBatches(
      model,
      Math.ceil(features.length / bs),
      (i) => cutToBucket(collateSquad(features.slice(i * bs, (i + 1) * bs), false), lengths),
      (out, i) => {
        const S = out.batch.seqLength;
        for (let b = 0; b < out.batch.batchSize; b++) {
          results.push({
            unique_id: features[i * bs + b].unique_id,
            start_logits: Array.from(out.startLogits!.subarray(b * S, (b + 1) * S)),
            end_logits: Array.from(out.endLogits!.subarray(b * S, (b + 1) * S)),
          });
        }
      },
      { signal: o.signal, onProgress: o.onProgress, progressTotal: features.length },
    );
    const predictions = postprocessSquad(examples, features, results, {
      nBestSize: settings.nBestSize,
      maxAnswerLength: settings.maxAnswerLength,
      version2WithNegative: version2,
      nullScoreDiffThreshold: settings.nullScoreDiffThreshold,
      basicTokenize: (t) => tokenizer.basicTokenize(t),
    });
    return { predictions, results };
  };
  const predict = async (examples: readonly SquadExample[], features: readonly SquadFeature[], o: PredictOptions = {}): Promise<SquadPrediction[]> => (await run(examples, features, o)).predictions;

  return {
    task: 'question-answering',
    predict,
    async answer({ question, context }, o = {}) {
      if (context.trim() === '') throw new TabtuneError('the context is empty', { location: 'Context', expected: 'a paragraph that contains the answer', code: 'predict-input' });
      if (question.trim() === '') throw new TabtuneError('the question is empty', { location: 'Question', expected: 'a question about the context', code: 'predict-input' });
      const split = splitContext(context);
      const example: SquadExample = {
        qasId: 'question', questionText: question, docTokens: split.docTokens, isImpossible: false,
        contextText: context, docTokenCharStarts: split.charStarts,
      };
      const features = convertSquadExamples([example], tokenizer, {
        maxSeqLength: settings.maxSeqLength, docStride: settings.docStride, maxQueryLength: settings.maxQueryLength, training: false,
      });
      const { predictions: [pred], results } = await run([example], features, o);
      const result = qaResult(example, pred, features.length);
      if (o.explain && (o.explain.attentions || o.explain.attributions)) {
        const at = answerTokens(pred, features, results);
        result.inside = await lookInside(model, at.feature, at.feature.tokens, { kind: 'span', start: at.start, end: at.end }, o.explain);
      }
      return result;
    },
  };
}

/**
 * The window and token positions the answer was read from: among the windows holding the answer's
 * first and last words (the first at a max-context token, as write_predictions requires), the
 * highest start + end logit. No answer (SQuAD 2.0's null, or none found): [CLS] of the first doc-stride span.
 */
export function answerTokens(pred: SquadPrediction, features: readonly SquadFeature[], results: readonly SquadRawResult[]): { feature: SquadFeature; start: number; end: number } {
  let best = { feature: features[0], start: 0, end: 0 };
  const span = pred.text !== '' ? pred.span : undefined;
  if (!span) return best;
  let bestScore = -Infinity;
  const byId = new Map(results.map((r) => [r.unique_id, r]));
  for (const f of features) {
    const r = byId.get(f.unique_id);
    if (!r) continue;
    const n = f.tokens.length;
    for (let i = 0; i < n; i++) {
      if (f.token_to_orig_map[String(i)] !== span.wordStart || !f.token_is_max_context[String(i)]) continue;
      for (let j = i; j < n; j++) {
        if (f.token_to_orig_map[String(j)] !== span.wordEnd) continue;
        const score = r.start_logits[i] + r.end_logits[j];
        if (score > bestScore) {
          bestScore = score;
          best = { feature: f, start: i, end: j };
        }
      }
    }
  }
  return best;
}

/** The prediction of one example as answers located in its context. */
export function qaResult(example: SquadExample, pred: SquadPrediction, windows: number): QaResult {
  const nbest: QaAnswer[] = [];
  let best: QaAnswer | null = null;
  for (const e of pred.nbest) {
    if (e.text === '') continue;
    const chosen = pred.span && e.text === pred.text && pred.span.charStart !== undefined && pred.span.charEnd !== undefined;
    const at = chosen ? { text: e.text, start: pred.span!.charStart!, end: pred.span!.charEnd! } : locateAnswer(example, e.text);
    if (!at) continue;
    const a: QaAnswer = { text: at.text, start: at.start, end: at.end, probability: e.probability, startLogit: e.start_logit, endLogit: e.end_logit };
    if (chosen && !best) best = a;
    nbest.push(a);
  }
  if (pred.text !== '' && !best) best = nbest.find((a) => a.text === pred.text) ?? null;
  return { best: pred.text === '' ? null : best, nbest, nullOdds: pred.nullOdds, windows };
}
