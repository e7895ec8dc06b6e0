/**
 * One-off predictions with the current model, through core only: a QA question runs as a
 * one-question SQuAD set (the same doc-stride windows, n-best and get_final_text as evaluation),
 * a classification input as one converted example.
 */
import { TabtuneError } from '../core/errors';
import { collateClassifier } from '../core/data';
import { convertExample } from '../core/data';
import { sourceFromText } from '../core/data';
import { squadExamplesFromJson } from '../core/data';
import type { BertModel } from '../core/model';
import type { Tokenizer } from '../core/tokenizer';
import type { TrainingConfig } from '../core/train';
import { createSquadTask } from '../core/train';
import { inferBatches } from '../core/train';
import { locateAnswer } from '../core/train';
import type { PredictInput } from '../protocol/commands';
import type { PredictResult, QaAnswer } from '../protocol/events';

export interface PredictContext {
  model: BertModel;
  tokenizer: Tokenizer;
  config: TrainingConfig;
  labels: string[];
}

const QUESTION_ID = 'question';

export async function predictOne(ctx: PredictContext, input: PredictInput): Promise<PredictResult> {
  if (input.kind === 'qa') return predictQa(ctx, input.context, input.question);
  return predictClass(ctx, input.textA, input.textB);
}

async function predictQa(ctx: PredictContext, context: string, question: string): Promise<PredictResult> {
  if (ctx.model.head.kind !== 'span') {
    throw new TabtuneError('this model answers classification inputs, not questions', { location: 'predict', expected: 'a question-answering (SQuAD) model', code: 'predict-task' });
  }
  if (context.trim() === '') throw new TabtuneError('the context is empty', { location: 'Context', expected: 'a paragraph that contains the answer', code: 'predict-input' });
  if (question.trim() === '') throw new TabtuneError('the question is empty', { location: 'Question', expected: 'a question about the context', code: 'predict-input' });
  const version2 = ctx.config.task === 'squad2';
  const json = { version: version2 ? 'v2.0' : '1.1', data: [{ title: 'question', paragraphs: [{ context, qas: [{ id: QUESTION_ID, question, answers: [] as unknown[], ...(version2 ? { is_impossible: false } : {}) }] }] }] };
  const text = JSON.stringify(json);
  const adapter = await createSquadTask({ task: version2 ? 'squad2' : 'squad', tokenizer: ctx.tokenizer, config: { ...ctx.config, maxEvalExamples: 0 }, dev: sourceFromText('question.json', text) });
  const dev = adapter.dev!;
  const outcome = await dev.evaluate(ctx.model, { batchSize: ctx.config.evalBatchSize, liveSpanCount: 1 });
  if (outcome.predictions.kind !== 'span') throw new Error('internal: a SQuAD evaluation returned no span predictions');
  const example = squadExamplesFromJson(json, 'question.json', { training: false, version2 }).examples[0];
  const nbest = (outcome.predictions.nbest[QUESTION_ID] ?? []) as Array<{ text: string; probability: number; start_logit: number; end_logit: number }>;
  const best = outcome.spans?.[0]?.predicted ?? null;
  const answers: QaAnswer[] = [];
  for (const e of nbest) {
    if (e.text === '') continue;
    const at = best && e.text === best.text ? best : locateAnswer(example, e.text);
    if (!at) continue;
    answers.push({ text: at.text, start: at.start, end: at.end, probability: e.probability, startLogit: e.start_logit, endLogit: e.end_logit });
  }
  const predictedText = outcome.predictions.predictions[QUESTION_ID] ?? '';
  const bestAnswer = predictedText === '' ? null : (answers.find((a) => best && a.start === best.start && a.end === best.end) ?? answers[0] ?? null);
  return { kind: 'qa', best: bestAnswer, nbest: answers, windows: dev.numFeatures };
}

async function predictClass(ctx: PredictContext, textA: string, textB?: string): Promise<PredictResult> {
  const head = ctx.model.head;
  if (head.kind === 'span') {
    throw new TabtuneError('this model answers questions, not classification inputs', { location: 'predict', expected: 'a classification model', code: 'predict-task' });
  }
  if (textA.trim() === '') throw new TabtuneError('Text A is empty', { location: 'Text A', expected: 'the text to classify', code: 'predict-input' });
  const feature = convertExample({ guid: 'input', textA, textB: textB && textB.trim() !== '' ? textB : undefined }, ctx.tokenizer, { maxSeqLength: ctx.config.maxSeqLength, labels: null });
  const regression = head.kind === 'regression';
  const batch = collateClassifier([{ ...feature, label_id: 0 }], regression);
  let logits: Float32Array | undefined;
  await inferBatches(ctx.model, 1, () => batch, (out) => {
    logits = out.logits;
  });
  if (!logits) throw new Error('internal: the model returned no logits');
  if (regression) return { kind: 'regression', value: logits[0] };
  const max = Math.max(...logits);
  const exps = Array.from(logits, (v) => Math.exp(v - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  const labels = ctx.labels.length === exps.length ? ctx.labels : exps.map((_, i) => String(i));
  return { kind: 'classification', labels, probabilities: exps.map((e) => e / sum) };
}
