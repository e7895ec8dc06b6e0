/**
 * Classification and regression tasks (GLUE, or a user's own TSV/CSV): read the files, convert
 * examples to run_classifier features, collate bucketed batches, and score predictions with
 * GLUE's metrics.
 */
import { TabtuneError } from '../errors';
import type { ClassifierFeature, GlueTask, InputExample, ProgressCallback } from '../data/types';
import type { DataSource } from '../data/source';
import { readGlue } from '../data/glue-reader';
import { readTable, type ColumnMapping } from '../data/table-reader';
import { convertExamples } from '../data/classifier-features';
import { collateClassifier } from '../data/batch';
import { glueMetrics } from '../eval/glue-metrics';
import type { Tokenizer } from '../tokenizer/types';
import type { HeadSpec, HostBatch } from '../model/types';
import type { TrainingConfig } from './run-config';
import type { DatasetCache, EvalOutcome, EvalSet, TaskAdapter, TrainSet } from './task-types';
import { bucketLengths, cutToBucket } from './task-buckets';
import { createTextClassificationPipeline } from '../pipeline/text-classification';

export interface ClassifierTaskInput {
  task: GlueTask | 'tsv';
  tokenizer: Tokenizer;
  config: TrainingConfig;
  train?: DataSource;
  /** Dev file (labelled) or a test file to predict on. */
  dev?: DataSource;
  /** `tsv` only: which columns hold text_a, text_b and the label. */
  columns?: ColumnMapping;
  /** Class labels when no training file gives them (prediction with a fine-tuned model's id2label). */
  labels?: string[];
  /** `tsv` only: float targets instead of classes. */
  regression?: boolean;
  onProgress?: (phase: 'reading' | 'featurizing', done: number, total: number) => void;
  cache?: DatasetCache;
}

export interface ReadResult {
  examples: InputExample[];
  labels: string[] | null;
  split: 'train' | 'dev' | 'test';
  notes: string[];
  /** Bad rows skipped. */
  skipped: number;
}

async function readExamples(input: Pick<ClassifierTaskInput, 'task' | 'columns' | 'regression' | 'onProgress'>, source: DataSource, role: 'train' | 'dev', labels: string[] | null): Promise<ReadResult> {
  const onProgress: ProgressCallback = (d, t) => input.onProgress?.('reading', d, t);
  const notes: string[] = [];
  const onSkip = (e: TabtuneError) => {
    if (notes.length < 5) notes.push(e.message);
  };
  if (input.task === 'tsv') {
    if (!input.columns) {
      throw new TabtuneError('a tsv task needs a column mapping', { file: source.name, expected: 'columns for text_a, optional text_b, and label', code: 'tsv-columns' });
    }
    const ds = await readTable(source, {
      columns: input.columns,
      labels: labels ?? undefined,
      regression: input.regression,
      split: role === 'train' ? 'train' : undefined,
      onProgress,
      onSkip,
    });
    if (ds.stats.skipped > 0) notes.unshift(`${source.name}: ${ds.stats.skipped} bad row(s) skipped`);
    return { examples: ds.examples, labels: ds.labels, split: ds.split, notes, skipped: ds.stats.skipped };
  }
  const ds = await readGlue(input.task, source, { split: role === 'train' ? 'train' : undefined, onProgress, onSkip });
  if (ds.stats.skipped > 0) notes.unshift(`${source.name}: ${ds.stats.skipped} bad row(s) skipped`);
  return { examples: ds.examples, labels: ds.labels, split: ds.split, notes, skipped: ds.stats.skipped };
}

/** A classification file's examples (read once per cache and reading: task, role, columns, labels). */
export function readClassifierFile(
  input: Pick<ClassifierTaskInput, 'task' | 'columns' | 'regression' | 'onProgress' | 'cache'>,
  source: DataSource,
  role: 'train' | 'dev',
  labels: string[] | null,
): Promise<ReadResult> {
  const read = () => readExamples(input, source, role, labels);
  if (!input.cache) return read();
  const key = ['classifier', source.name, source.size ?? '', input.task, role, JSON.stringify(input.columns ?? null), String(input.regression ?? false), JSON.stringify(labels)].join('\u0000');
  return input.cache.get(key, read);
}

function limit<T>(items: T[], max: number): T[] {
  return max > 0 && items.length > max ? items.slice(0, max) : items;
}

function featurize(input: ClassifierTaskInput, examples: InputExample[], labels: string[] | null): ClassifierFeature[] {
  return convertExamples(examples, input.tokenizer, { maxSeqLength: input.config.maxSeqLength, labels }, (d, t) =>
    input.onProgress?.('featurizing', d, t),
  );
}

function makeTrainSet(features: ClassifierFeature[], numExamples: number, lengths: number[], regression: boolean): TrainSet {
  return {
    numExamples,
    numFeatures: features.length,
    batch(indices: readonly number[]): HostBatch {
      return cutToBucket(collateClassifier(indices.map((i) => features[i]), regression), lengths);
    },
  };
}

function makeEvalSet(
  task: GlueTask | 'tsv',
  features: ClassifierFeature[],
  labels: string[] | null,
  labelled: boolean,
  tokenizer: Tokenizer,
  settings: TrainingConfig,
): EvalSet {
  const regression = labels === null;
  return {
    numExamples: features.length,
    numFeatures: features.length,
    labelled,
    async evaluate(model, options): Promise<EvalOutcome> {
      const rows = await createTextClassificationPipeline({ model, tokenizer, settings: { ...settings, evalBatchSize: options.batchSize }, labels: labels ?? [] })
        .predict(features, { signal: options.signal, onProgress: options.onProgress });
      const predicted: string[] = [];
      const values: number[] = [];
      const logitRows: Float32Array[] = [];
      for (const row of rows) {
        if (regression) {
          values.push(row[0]);
        } else {
          let best = 0;
          for (let k = 1; k < row.length; k++) if (row[k] > row[best]) best = k;
          predicted.push(labels![best]);
          logitRows.push(row);
        }
      }
      const guids = features.map((f) => f.guid);
      if (regression) {
        // Regression is scored as STS-B is (Pearson, Spearman), for a user's table too.
        const metrics = labelled ? glueMetrics('sts-b', values, features.map((f) => f.label_id)) : {};
        const losses = labelled ? values.map((v, i) => (v - features[i].label_id) ** 2) : undefined;
        return { metrics, predictions: { kind: 'regression', guids, predicted: values, ...(losses ? { losses } : {}) } };
      }
      const metrics = labelled ? glueMetrics(task, predicted, features.map((f) => labels![f.label_id])) : {};
      const losses = labelled ? logitRows.map((row, i) => exampleCrossEntropy(row, features[i].label_id)) : undefined;
      return { metrics, predictions: { kind: 'classification', guids, labels: labels!, predicted, logits: logitRows, ...(losses ? { losses } : {}) } };
    },
  };
}

export async function createClassifierTask(input: ClassifierTaskInput): Promise<TaskAdapter> {
  const { config } = input;
  const lengths = bucketLengths(config.seqBuckets, config.maxSeqLength);
  const notes: string[] = [];
  let labels: string[] | null = input.labels ?? null;
  if (input.task === 'sts-b' || input.regression) labels = null;

  let train: TrainSet | undefined;
  if (input.train) {
    const r = await readClassifierFile(input, input.train, 'train', labels);
    notes.push(...r.notes);
    labels = r.labels;
    const examples = limit(r.examples, config.maxTrainExamples);
    train = makeTrainSet(featurize(input, examples, labels), examples.length, lengths, labels === null);
  }
  let dev: EvalSet | undefined;
  if (input.dev) {
    const r = await readClassifierFile(input, input.dev, 'dev', labels);
    notes.push(...r.notes);
    if (!input.train) labels = input.labels ?? r.labels;
    const examples = limit(r.examples, config.maxEvalExamples);
    dev = makeEvalSet(input.task, featurize(input, examples, labels), labels, r.split !== 'test', input.tokenizer, config);
  }
  if (labels !== null && labels.length < 2) {
    throw new TabtuneError(`only ${labels.length} class label(s) found`, { file: input.train?.name ?? input.dev?.name, expected: 'at least two classes for classification', code: 'label' });
  }
  const head: HeadSpec = labels === null ? { kind: 'regression' } : { kind: 'classification', numLabels: labels.length, labels };
  return { task: input.task, head, labels: labels ?? [], train, dev, notes };
}

/** −log softmax(row)[gold], computed stably (log-sum-exp): one example's loss, as the training loss averages it. */
export function exampleCrossEntropy(row: ArrayLike<number>, gold: number): number {
  let max = -Infinity;
  for (let k = 0; k < row.length; k++) if (row[k] > max) max = row[k];
  let sum = 0;
  for (let k = 0; k < row.length; k++) sum += Math.exp(row[k] - max);
  return max + Math.log(sum) - row[gold];
}
