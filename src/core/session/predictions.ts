/**
 * The dev-set predictions of an evaluation, as rows for the page and as files for the export.
 *
 *   rows (DevPrediction[])  {id, text_a?, text_b?, question?, gold?, predicted} per example: the
 *                           inputs and gold labels / answers from the session's parse of the dev
 *                           file, so the page draws the confusion matrix and a searchable table
 *                           straight from the `evalPredictions` event (no bytes to parse back).
 *   files, from the rows:
 *     eval_predictions.jsonl  one row per line
 *     predictions.json        SQuAD ({qas_id: answer text}, as run_squad writes it), or
 *     <TASK>.tsv              GLUE submission format (index<TAB>prediction).
 *
 *   const rows = await predictionRows({ task, predictions, dev, columns, labels, cache });
 *   const files = predictionFilesFromRows(task, predictions, rows);   // or predictionFiles(input)
 */
import { isSquadTask } from '../data/glue-tasks';
import type { DataSource } from '../data/source';
import type { ColumnMapping } from '../data/table-reader';
import type { InputExample, TaskName } from '../data/types';
import { formatGluePredictionsTsv } from '../eval/glue-predictions';
import { squadGoldFromJson } from '../eval/squad-gold';
import { readClassifierFile } from '../train/task-classifier';
import { readSquadJson } from '../train/task-squad';
import type { DatasetCache, TaskPredictions } from '../train/task-types';
import type { ExportedFile } from './events';

export interface PredictionFilesInput {
  task: TaskName;
  predictions: TaskPredictions;
  /** The dev file the predictions are for (inputs and gold come from its cached parse). */
  dev?: DataSource;
  /** Task `tsv`: the column mapping the run used. */
  columns?: ColumnMapping;
  /** The run's class labels (the dev file was read with them). */
  labels: string[] | null;
  cache: DatasetCache;
}

/** GLUE's submission file names. */
const GLUE_TSV_NAME: Partial<Record<TaskName, string>> = {
  cola: 'CoLA', 'sst-2': 'SST-2', mrpc: 'MRPC', qqp: 'QQP', 'sts-b': 'STS-B', mnli: 'MNLI-m', 'mnli-mm': 'MNLI-mm', qnli: 'QNLI', rte: 'RTE', wnli: 'WNLI',
};

export function gluePredictionsFileName(task: TaskName): string {
  return `${GLUE_TSV_NAME[task] ?? 'predictions'}.tsv`;
}

/** One dev example's prediction, with its inputs and gold label / first gold answer when known. */
export interface DevPrediction {
  id: string;
  text_a?: string;
  text_b?: string;
  question?: string;
  gold?: string;
  predicted: string;
  /** This example's loss (cross-entropy with the gold label, or squared error), when labelled. */
  loss?: number;
}

const encoder = new TextEncoder();
const file = (name: string, text: string): ExportedFile => ({ name, data: encoder.encode(text).buffer as ArrayBuffer });
const jsonl = (rows: readonly DevPrediction[]) => rows.map((r) => JSON.stringify(r)).join('\n') + (rows.length > 0 ? '\n' : '');

/** Question texts by id, straight from a parsed SQuAD object. */
function questionTexts(json: unknown): Map<string, string> {
  const out = new Map<string, string>();
  for (const article of ((json as { data?: unknown[] })?.data ?? []) as Array<{ paragraphs?: unknown[] }>) {
    for (const p of (article?.paragraphs ?? []) as Array<{ qas?: unknown[] }>) {
      for (const qa of (p?.qas ?? []) as Array<{ id?: unknown; question?: unknown }>) {
        if (typeof qa?.id === 'string' && typeof qa.question === 'string') out.set(qa.id, qa.question);
      }
    }
  }
  return out;
}

/** The rows of an evaluation's predictions (the dev file's inputs and gold from the session's cached parse). */
export async function predictionRows(input: PredictionFilesInput): Promise<DevPrediction[]> {
  const p = input.predictions;
  if (p.kind === 'masked-lm') return []; // no per-example output: the metrics are in metrics.json
  if (p.kind === 'span') {
    let questions = new Map<string, string>();
    const gold = new Map<string, string>();
    if (input.dev && isSquadTask(input.task)) {
      const { json } = await readSquadJson(input.dev, input.cache);
      questions = questionTexts(json);
      for (const q of squadGoldFromJson(json, input.dev.name).questions) gold.set(q.id, q.answers.length > 0 ? q.answers[0].text : '');
    }
    return Object.entries(p.predictions).map(([id, predicted]) => ({
      id, question: questions.get(id), ...(gold.has(id) ? { gold: gold.get(id) } : {}), predicted,
    }));
  }
  const examples = new Map<string, InputExample>();
  if (input.dev && !isSquadTask(input.task) && input.task !== 'mlm' && (input.task !== 'tsv' || input.columns)) {
    const r = await readClassifierFile({ task: input.task, columns: input.columns, cache: input.cache }, input.dev, 'dev', input.labels);
    for (const ex of r.examples) examples.set(ex.guid, ex);
  }
  const predicted: Array<string | number> = p.predicted;
  return p.guids.map((guid, i) => {
    const ex = examples.get(guid);
    const row: DevPrediction = { id: guid, predicted: String(predicted[i]) };
    if (p.losses) row.loss = p.losses[i];
    if (ex) {
      row.text_a = ex.textA;
      if (ex.textB !== undefined) row.text_b = ex.textB;
      if (ex.label !== undefined) row.gold = ex.label;
    }
    return row;
  });
}

/** The export's prediction files, from the rows (fresh buffers each call). */
export function predictionFilesFromRows(task: TaskName, predictions: TaskPredictions, rows: readonly DevPrediction[]): ExportedFile[] {
  if (predictions.kind === 'masked-lm') return []; // no per-example output: the metrics are in metrics.json
  if (predictions.kind === 'span') {
    return [file('eval_predictions.jsonl', jsonl(rows)), file('predictions.json', `${JSON.stringify(predictions.predictions, null, 4)}\n`)];
  }
  return [file('eval_predictions.jsonl', jsonl(rows)), file(gluePredictionsFileName(task), formatGluePredictionsTsv(predictions.predicted))];
}

export async function predictionFiles(input: PredictionFilesInput): Promise<ExportedFile[]> {
  return predictionFilesFromRows(input.task, input.predictions, await predictionRows(input));
}
