/**
 * SQuAD v1.1 / v2.0: read_squad_examples + convert_examples_to_features for training and
 * evaluation, span batches, write_predictions over the model's start/end logits, the official
 * EM/F1, and a few live span predictions.
 *
 * Training batches are always padded to max_seq_length: run_squad's loss is a softmax over every
 * position, padding included, so cutting padding would change it. Evaluation batches are cut to
 * length buckets (post-processing only looks at real tokens).
 */
import { TabtuneError } from '../errors';
import type { ProgressCallback, SquadExample, SquadFeature } from '../data/types';
import { readAllText, type DataSource } from '../data/source';
import { firstSquadQuestions, squadExamplesFromJson } from '../data/squad-reader';
import { convertSquadExamples } from '../data/squad-features';
import { collateSquad } from '../data/batch';
import { nbestJson, nullOddsJson, predictionsJson } from '../eval/squad-postprocess';
import { squadGoldFromJson } from '../eval/squad-gold';
import { evaluateSquadV1, evaluateSquadV2 } from '../eval/squad-metrics';
import type { Tokenizer } from '../tokenizer/types';
import type { HostBatch } from '../model/types';
import type { TrainingConfig } from './run-config';
import type { DatasetCache, EvalOutcome, EvalSet, LiveSpanPrediction, TaskAdapter, TrainSet } from './task-types';
import { createQuestionAnsweringPipeline } from '../pipeline/question-answering';
import { goldSpansById, liveSpanPrediction } from './task-spans';

export interface SquadTaskInput {
  task: 'squad' | 'squad2';
  tokenizer: Tokenizer;
  config: TrainingConfig;
  train?: DataSource;
  dev?: DataSource;
  onProgress?: (phase: 'reading' | 'featurizing', done: number, total: number) => void;
  cache?: DatasetCache;
}

/** A SQuAD file parsed (once per cache): the JSON object as the file holds it. */
export function readSquadJson(source: DataSource, cache?: DatasetCache, onProgress?: ProgressCallback): Promise<{ json: unknown }> {
  return cache ? cache.get(`squad-json\u0000${source.name}\u0000${source.size ?? ''}`, () => readJson(source, onProgress)) : readJson(source, onProgress);
}

async function readJson(source: DataSource, onProgress?: ProgressCallback): Promise<{ json: unknown }> {
  const text = await readAllText(source, onProgress);
  try {
    return { json: JSON.parse(text) };
  } catch (e) {
    throw new TabtuneError(`the file is not valid JSON: ${(e as Error).message}`, { file: source.name, expected: 'a SQuAD JSON file ({"version": …, "data": [...]})', code: 'squad-json' });
  }
}

function featurize(input: SquadTaskInput, examples: SquadExample[], training: boolean): SquadFeature[] {
  const c = input.config;
  return convertSquadExamples(
    examples,
    input.tokenizer,
    { maxSeqLength: c.maxSeqLength, docStride: c.docStride, maxQueryLength: c.maxQueryLength, training },
    (d, t) => input.onProgress?.('featurizing', d, t),
  );
}

export async function createSquadTask(input: SquadTaskInput): Promise<TaskAdapter> {
  const { config } = input;
  const version2 = input.task === 'squad2';
  const notes: string[] = [];
  const onSkip = (e: TabtuneError) => {
    if (notes.length < 5) notes.push(e.message);
  };

  let train: TrainSet | undefined;
  if (input.train) {
    const { json } = await readSquadJson(input.train, input.cache, (d, t) => input.onProgress?.('reading', d, t));
    const ds = squadExamplesFromJson(firstSquadQuestions(json, config.maxTrainExamples), input.train.name, { training: true, version2, onSkip });
    if (ds.stats.unrecoverable > 0) notes.push(`${input.train.name}: ${ds.stats.unrecoverable} answer(s) could not be recovered from the context and were skipped`);
    if (ds.stats.skipped > 0) notes.push(`${input.train.name}: ${ds.stats.skipped} bad question(s) skipped`);
    const features = featurize(input, ds.examples, true);
    train = {
      numExamples: ds.examples.length,
      numFeatures: features.length,
      batch(indices: readonly number[]): HostBatch {
        return collateSquad(indices.map((i) => features[i]), true);
      },
    };
  }

  let dev: EvalSet | undefined;
  if (input.dev) {
    const devSource = input.dev;
    // The file is parsed once: examples, gold answers and live spans' gold all come from `json`.
    const { json: fullJson } = await readSquadJson(devSource, input.cache, (d, t) => input.onProgress?.('reading', d, t));
    const json = firstSquadQuestions(fullJson, config.maxEvalExamples);
    const ds = squadExamplesFromJson(json, devSource.name, { training: false, version2, onSkip });
    const gold = squadGoldFromJson(json, devSource.name);
    const labelled = gold.questions.some((q) => q.answers.length > 0) || version2;
    const examples = ds.examples;
    const features = featurize(input, examples, false);
    const goldSpans = new Map<number, ReturnType<typeof goldSpansById>>();
    dev = {
      numExamples: examples.length,
      numFeatures: features.length,
      labelled,
      async evaluate(model, options): Promise<EvalOutcome> {
        const qa = createQuestionAnsweringPipeline({ model, tokenizer: input.tokenizer, settings: { ...config, evalBatchSize: options.batchSize }, version2 });
        const preds = await qa.predict(examples, features, { signal: options.signal, onProgress: options.onProgress });
        const post = { predictions: predictionsJson(preds), nbest: nbestJson(preds), nullOdds: version2 ? nullOddsJson(preds) : undefined };
        let metrics: Record<string, number> = {};
        if (labelled) {
          metrics = version2
            ? { ...evaluateSquadV2(gold.questions, post.predictions, { naProbs: post.nullOdds }) }
            : { ...evaluateSquadV1(gold.questions, post.predictions) };
        }
        const k = Math.min(options.liveSpanCount ?? 0, examples.length);
        let spans: LiveSpanPrediction[] | undefined;
        if (k > 0) {
          const chosen = examples.slice(0, k);
          if (!goldSpans.has(k)) goldSpans.set(k, goldSpansById(json, new Set(chosen.map((e) => e.qasId))));
          const golds = goldSpans.get(k)!;
          spans = chosen.map((e, i) => {
            const span = preds[i].span;
            return liveSpanPrediction(e, preds[i].text, golds.get(e.qasId) ?? [], span ? { start: span.wordStart, end: span.wordEnd } : undefined);
          });
        }
        return { metrics, predictions: { kind: 'span', predictions: post.predictions, nbest: post.nbest, nullOdds: post.nullOdds }, spans };
      },
    };
  }
  return { task: input.task, head: { kind: 'span' }, labels: [], train, dev, notes };
}
