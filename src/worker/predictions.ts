/**
 * The dev-set predictions of an evaluation as files for the Results panel and the export:
 *   eval_predictions.jsonl  {id, text_a?, text_b?, question?, gold?, predicted} per line (the inputs
 *                           and gold labels / answers re-read from the dev file, so the page can
 *                           draw the confusion matrix and a searchable table)
 *   predictions.json        SQuAD ({qas_id: answer text}, as run_squad writes it), or
 *   <TASK>.tsv              GLUE submission format (index<TAB>prediction).
 *
 *   const files = await predictionFiles({ task, predictions, dev, columns });
 */
import { readGlue } from '../core/data';
import { readAllText, type DataSource } from '../core/data';
import { squadExamplesFromJson } from '../core/data';
import { readTable, type ColumnMapping } from '../core/data';
import type { InputExample, TaskName } from '../core/data';
import { formatGluePredictionsTsv } from '../core/eval';
import { parseSquadGold } from '../core/eval';
import type { TaskPredictions } from '../core/train';
import type { ExportedFile } from '../protocol/events';
import { isSquadTask } from '../protocol/settings';

export interface PredictionFilesInput {
  task: TaskName;
  predictions: TaskPredictions;
  /** The dev file the predictions are for (inputs and gold labels are read from it). */
  dev?: DataSource;
  /** Task `tsv`: the column mapping the run used. */
  columns?: ColumnMapping;
}

/** GLUE's submission file names. */
const GLUE_TSV_NAME: Partial<Record<TaskName, string>> = {
  cola: 'CoLA', 'sst-2': 'SST-2', mrpc: 'MRPC', qqp: 'QQP', 'sts-b': 'STS-B', mnli: 'MNLI-m', 'mnli-mm': 'MNLI-mm', qnli: 'QNLI', rte: 'RTE', wnli: 'WNLI',
};

export function gluePredictionsFileName(task: TaskName): string {
  return `${GLUE_TSV_NAME[task] ?? 'predictions'}.tsv`;
}

interface Row {
  id: string;
  text_a?: string;
  text_b?: string;
  question?: string;
  gold?: string;
  predicted: string;
}

const encoder = new TextEncoder();
const file = (name: string, text: string): ExportedFile => ({ name, data: encoder.encode(text).buffer as ArrayBuffer });
const jsonl = (rows: Row[]) => rows.map((r) => JSON.stringify(r)).join('\n') + (rows.length > 0 ? '\n' : '');

async function devExamples(input: PredictionFilesInput): Promise<Map<string, InputExample>> {
  const out = new Map<string, InputExample>();
  if (!input.dev) return out;
  // As the task adapter reads its dev file (no split option: from the file name), so the guids match.
  const ds = input.task === 'tsv'
    ? input.columns ? await readTable(input.dev, { columns: input.columns }) : null
    : await readGlue(input.task as Exclude<TaskName, 'tsv' | 'squad' | 'squad2'>, input.dev);
  for (const ex of ds?.examples ?? []) out.set(ex.guid, ex);
  return out;
}

export async function predictionFiles(input: PredictionFilesInput): Promise<ExportedFile[]> {
  const p = input.predictions;
  if (p.kind === 'span') {
    const questions = new Map<string, string>();
    const gold = new Map<string, string>();
    if (input.dev && isSquadTask(input.task)) {
      const text = await readAllText(input.dev);
      const json = JSON.parse(text) as unknown;
      for (const ex of squadExamplesFromJson(json, input.dev.name, { training: false }).examples) questions.set(ex.qasId, ex.questionText);
      for (const q of parseSquadGold(text, input.dev.name).questions) gold.set(q.id, q.answers.length > 0 ? q.answers[0].text : '');
    }
    const rows: Row[] = Object.entries(p.predictions).map(([id, predicted]) => ({
      id, question: questions.get(id), ...(gold.has(id) ? { gold: gold.get(id) } : {}), predicted,
    }));
    return [file('eval_predictions.jsonl', jsonl(rows)), file('predictions.json', `${JSON.stringify(p.predictions, null, 4)}\n`)];
  }
  const examples = await devExamples(input);
  const predicted: Array<string | number> = p.predicted;
  const rows: Row[] = p.guids.map((guid, i) => {
    const ex = examples.get(guid);
    const row: Row = { id: guid, predicted: String(predicted[i]) };
    if (ex) {
      row.text_a = ex.textA;
      if (ex.textB !== undefined) row.text_b = ex.textB;
      if (ex.label !== undefined) row.gold = ex.label;
    }
    return row;
  });
  return [file('eval_predictions.jsonl', jsonl(rows)), file(gluePredictionsFileName(input.task), formatGluePredictionsTsv(predicted))];
}
