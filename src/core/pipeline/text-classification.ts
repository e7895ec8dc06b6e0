/**
 * The text-classification pipeline, after transformers.js's `pipeline('text-classification')`:
 * tokenizer + classification (or regression) model + softmax as one object.
 *
 *   const cls = createTextClassificationPipeline({ model, tokenizer, settings, labels });
 *   const r = await cls.classify({ textA, textB });   // labels with probabilities, or a value
 *   const rows = await cls.predict(features);          // a whole dev set's logits, in order
 *
 * `classify` converts one example as run_classifier's convert_single_example does; `predict`
 * runs already-built features in evaluation batches cut to the padding buckets.
 */
import { TabtuneError } from '../errors';
import type { ClassifierFeature } from '../data/types';
import { convertExample } from '../data/classifier-features';
import { collateClassifier } from '../data/batch';
import type { BertModel } from '../model/types';
import type { Settings } from '../settings/schema';
import type { Tokenizer } from '../tokenizer/types';
import { bucketLengths, cutToBucket } from '../train/task-buckets';
import { inferBatches } from '../train/task-infer';
import type { PredictOptions } from './question-answering';
import { lookInside, type LookInside } from './look-inside';

export type ClassificationSettings = Pick<Settings, 'maxSeqLength' | 'evalBatchSize' | 'seqBuckets'>;

export interface ClassificationPipelineOptions {
  model: BertModel;
  tokenizer: Tokenizer;
  settings: ClassificationSettings;
  /** Class names in label-id order (the head's); ignored for a regression head. */
  labels: readonly string[];
}

export type ClassificationResult =
  | { kind: 'classification'; labels: string[]; probabilities: number[]; label: string; inside?: LookInside }
  | { kind: 'regression'; value: number; inside?: LookInside };

export interface TextClassificationPipeline {
  readonly task: 'text-classification';
  classify(input: { textA: string; textB?: string }, options?: PredictOptions): Promise<ClassificationResult>;
  /** Logits rows ([numLabels], or [1] for regression) of each feature, in order. */
  predict(features: readonly ClassifierFeature[], options?: PredictOptions): Promise<Float32Array[]>;
}

/** Softmax of one logits row. */
export function softmax(row: ArrayLike<number>): number[] {
  let max = -Infinity;
  for (let i = 0; i < row.length; i++) if (row[i] > max) max = row[i];
  const exps = Array.from(row, (v) => Math.exp(v - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / sum);
}

export function createTextClassificationPipeline(options: ClassificationPipelineOptions): TextClassificationPipeline {
  const { model, tokenizer, settings } = options;
  const head = model.head;
  if (head.kind !== 'classification' && head.kind !== 'regression') {
    throw new TabtuneError('this model answers questions; it does not classify text', { location: 'pipeline', expected: 'a classification model', code: 'predict-task' });
  }
  const regression = head.kind === 'regression';
  const lengths = bucketLengths(settings.seqBuckets, settings.maxSeqLength);

  const predict = async (features: readonly ClassifierFeature[], o: PredictOptions = {}): Promise<Float32Array[]> => {
    const bs = settings.evalBatchSize;
    const rows: Float32Array[] = [];
    await inferBatches(
      model,
      Math.ceil(features.length / bs),
      (i) => cutToBucket(collateClassifier(features.slice(i * bs, (i + 1) * bs), regression), lengths),
      (out) => {
        const logits = out.logits!;
        const width = logits.length / out.batch.batchSize;
        for (let b = 0; b < out.batch.batchSize; b++) rows.push(logits.slice(b * width, (b + 1) * width));
      },
      { signal: o.signal, onProgress: o.onProgress, progressTotal: features.length },
    );
    return rows;
  };

  return {
    task: 'text-classification',
    predict,
    async classify({ textA, textB }, o = {}) {
      if (textA.trim() === '') throw new TabtuneError('Text A is empty', { location: 'Text A', expected: 'the text to classify', code: 'predict-input' });
      const feature = convertExample({ guid: 'input', textA, textB: textB && textB.trim() !== '' ? textB : undefined }, tokenizer, { maxSeqLength: settings.maxSeqLength, labels: null });
      const [row] = await predict([{ ...feature, label_id: 0 }], o);
      const explain = o.explain && (o.explain.attentions || o.explain.attributions) ? o.explain : undefined;
      const tokens = () => tokenizer.convertIdsToTokens(feature.input_ids);
      if (regression) {
        const inside = explain ? await lookInside(model, feature, tokens(), { kind: 'label', index: 0, name: 'value' }, explain) : undefined;
        return { kind: 'regression', value: row[0], ...(inside ? { inside } : {}) };
      }
      const probabilities = softmax(row);
      const labels = options.labels.length === probabilities.length ? [...options.labels] : probabilities.map((_, i) => String(i));
      let best = 0;
      for (let k = 1; k < probabilities.length; k++) if (probabilities[k] > probabilities[best]) best = k;
      const inside = explain ? await lookInside(model, feature, tokens(), { kind: 'label', index: best, name: labels[best] }, explain) : undefined;
      return { kind: 'classification', labels, probabilities, label: labels[best], ...(inside ? { inside } : {}) };
    },
  };
}
