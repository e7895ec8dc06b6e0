/**
 * Predictions of a fine-tuned model over a whole data file: the session's path for `tabtune
 * predict` (and any caller with a fine-tuned folder and a file to label).
 *
 *   model folder (config, weights with the fine-tuned head, vocabulary) + data file (the dev
 *   split) -> head from the weights (classifier [labels, H], 1 output = regression; SQuAD's
 *   qa_outputs) and labels from config id2label, else the task's -> the task adapter over the
 *   file (the session's cache: parsed once) -> predictions + metrics when the file is labelled.
 *
 *   const out = await predictDataset({ task, settings, modelFiles, vocab, data, columns, cache, onProgress });
 *   out.predictions (TaskPredictions), out.metrics, out.labelled
 */
import { TabtuneError } from '../errors';
import { glueTaskSpec, isSquadTask } from '../data/glue-tasks';
import type { DataSource } from '../data/source';
import type { ColumnMapping } from '../data/table-reader';
import type { GlueTask, TaskName } from '../data/types';
import { loadPretrained } from '../io/load-pretrained';
import { createBertModel } from '../model/bert-model';
import type { Settings } from '../settings/schema';
import { validateSettings } from '../settings/validate';
import { createTaskAdapter } from '../train/task';
import type { DatasetCache, TaskPredictions } from '../train/task-types';
import type { Tokenizer } from '../tokenizer/types';
import type { ByteSource } from '../io/safetensors';

export interface PredictDatasetInput {
  task: TaskName;
  settings: Settings;
  /** True when the user chose lower-casing (else the folder's tokenizer config decides). */
  doLowerCaseEdited: boolean;
  modelFiles: ByteSource[];
  /** Label for errors: the model folder. */
  modelLabel: string;
  tokenizer(doLowerCase: boolean): Promise<Tokenizer>;
  data: DataSource;
  columns?: ColumnMapping;
  cache: DatasetCache;
  onProgress(phase: 'reading' | 'featurizing' | 'loading-weights' | 'predicting', done: number, total: number): void;
  onNote(message: string): void;
}

export interface DatasetPredictions {
  task: TaskName;
  predictions: TaskPredictions;
  /** Metrics against the file's labels / answers ({} when it has none). */
  metrics: Record<string, number>;
  labelled: boolean;
}

/** Class labels of a fine-tuned folder's config (id2label), in id order. */
export function labelsFromConfig(raw: Record<string, unknown>): string[] | undefined {
  const id2label = raw.id2label as Record<string, string> | undefined;
  if (!id2label || typeof id2label !== 'object') return undefined;
  const entries = Object.entries(id2label).map(([k, v]) => [Number(k), String(v)] as const);
  if (!entries.every(([k]) => Number.isInteger(k))) return undefined;
  return entries.sort((a, b) => a[0] - b[0]).map(([, v]) => v);
}

export async function predictDataset(input: PredictDatasetInput): Promise<DatasetPredictions> {
  const { task } = input;
  input.onProgress('loading-weights', 0, 1);
  const loaded = await loadPretrained(input.modelFiles, { onProgress: (d, t) => input.onProgress('loading-weights', d, t) });
  for (const n of loaded.notes) input.onNote(n);
  const doLowerCase = input.doLowerCaseEdited || loaded.doLowerCase === undefined ? input.settings.doLowerCase : loaded.doLowerCase;
  const settings: Settings = { ...input.settings, doLowerCase };
  const [issue] = validateSettings(task, settings, { maxPositions: loaded.config.maxPositionEmbeddings });
  if (issue) throw new TabtuneError(issue.message, { location: `settings: ${issue.key ?? 'model'}`, expected: 'settings the model can take', code: 'settings' });

  // The head: SQuAD's span head, or the classes of the fine-tuned config (id2label), else the task's.
  let labels: string[] | undefined;
  let regression = false;
  if (!isSquadTask(task)) {
    const cls = loaded.weights.get('classifier.weight');
    if (cls && cls.shape[0] === 1) regression = true;
    labels = regression ? undefined : labelsFromConfig(loaded.rawConfig);
    if (!regression && task !== 'tsv') {
      const taskLabels = glueTaskSpec(task as GlueTask).labels;
      if (taskLabels === null) regression = true;
      else if (!labels || labels.length !== taskLabels.length || labels.every((l, i) => l === `LABEL_${i}`)) labels = [...taskLabels];
    }
    if (!regression && !labels) {
      throw new TabtuneError('the model folder does not say its class labels', { file: `${input.modelLabel}/config.json`, location: 'id2label', expected: 'id2label as tabtune train writes it', code: 'labels-missing' });
    }
  }
  const headName = isSquadTask(task) ? 'qa_outputs.weight' : 'classifier.weight';
  if (!loaded.weights.has(headName)) {
    throw new TabtuneError(`the model has no fine-tuned head (${headName})`, { file: input.modelLabel, expected: `a fine-tuned model (tabtune train's output) with ${headName}`, code: 'head-missing' });
  }
  const tokenizer = await input.tokenizer(doLowerCase);
  const config = { ...settings, task, versionTwoWithNegative: task === 'squad2' };
  const adapter = await createTaskAdapter({
    tokenizer, config, dev: input.data, labels, regression, columns: input.columns, cache: input.cache,
    onProgress: (phase, d, t) => input.onProgress(phase, d, t),
  });
  for (const n of adapter.notes) input.onNote(n);
  if (!adapter.dev) throw new TabtuneError('the data file gave nothing to predict', { file: input.data.name, expected: 'at least one example', code: 'no-data' });
  input.onProgress('loading-weights', 1, 1);
  const model = createBertModel(loaded.config, loaded.weights, adapter.head, { source: input.modelLabel });
  loaded.weights.clear();
  try {
    const outcome = await adapter.dev.evaluate(model, { batchSize: config.evalBatchSize, onProgress: (d, t) => input.onProgress('predicting', d, t) });
    return { task, predictions: outcome.predictions, metrics: adapter.dev.labelled ? outcome.metrics : {}, labelled: adapter.dev.labelled };
  } finally {
    model.dispose();
  }
}
