/**
 * The predictions table's rows: from the session's dev predictions (rows, predictionRowsFromDev), or
 * read from what an export returns. Files understood, best first:
 *   eval_predictions.jsonl  one JSON object per line: {id, gold?, predicted, text_a?, text_b?, question?}
 *                           (with gold labels, so the confusion matrix can be drawn)
 *   predictions.json        SQuAD: {qas_id: answer text}
 *   *.tsv                   GLUE submission format: header "index<TAB>prediction"
 */
import type { DevPrediction } from '../../protocol/events';

export interface PredictionRow {
  id: string;
  /** The input as text (text A / B, or the question), when known. */
  input?: string;
  gold?: string;
  predicted: string;
  /** This example's loss at the evaluation (eval_predictions.jsonl's `loss`), when labelled. */
  loss?: number;
  /** The inputs one by one (eval_predictions.jsonl), to look inside an example again. */
  textA?: string;
  textB?: string;
}

export interface NamedBytes {
  name: string;
  data: ArrayBuffer;
}

export interface ParsedPredictions {
  source: string;
  rows: PredictionRow[];
  hasGold: boolean;
}

const decoder = new TextDecoder();
const baseName = (path: string) => path.slice(path.lastIndexOf('/') + 1);

export function predictionRowsFromFiles(files: readonly NamedBytes[]): ParsedPredictions | null {
  const byName = new Map(files.map((f) => [baseName(f.name), f] as const));
  const rich = byName.get('eval_predictions.jsonl');
  if (rich) return { source: rich.name, ...parseJsonlRows(decoder.decode(rich.data)) };
  const squad = byName.get('predictions.json');
  if (squad) return { source: squad.name, rows: parseSquadPredictions(decoder.decode(squad.data)), hasGold: false };
  const tsv = files.find((f) => f.name.endsWith('.tsv'));
  if (tsv) return { source: tsv.name, rows: parseGlueTsv(decoder.decode(tsv.data)), hasGold: false };
  return null;
}

/** The table's rows from the session's dev predictions (the evalPredictions event's rows). */
export function predictionRowsFromDev(rows: readonly DevPrediction[], source = 'the latest evaluation'): ParsedPredictions {
  const out = rows.map(rowFromDev);
  return { source, rows: out, hasGold: out.some((r) => r.gold !== undefined) };
}

/** One table row from one dev prediction (an event row, or a line of eval_predictions.jsonl). */
function rowFromDev(o: DevPrediction): PredictionRow {
  const input = [o.question, o.text_a, o.text_b].filter((x): x is string => typeof x === 'string' && x !== '').join(' ‖ ');
  const row: PredictionRow = { id: o.id, input: input || undefined, gold: o.gold, predicted: o.predicted };
  if (o.loss !== undefined && Number.isFinite(o.loss)) row.loss = o.loss;
  if (o.text_a !== undefined) row.textA = o.text_a;
  if (o.text_b !== undefined) row.textB = o.text_b;
  return row;
}

const optionalText = (x: unknown): string | undefined => (typeof x === 'string' ? x : undefined);

/** eval_predictions.jsonl, as written by the export: each line's fields are checked, not trusted. */
export function parseJsonlRows(text: string): { rows: PredictionRow[]; hasGold: boolean } {
  const dev: DevPrediction[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const o = JSON.parse(line) as Record<string, unknown>;
    dev.push({
      id: String(o.id ?? dev.length),
      text_a: optionalText(o.text_a),
      text_b: optionalText(o.text_b),
      question: optionalText(o.question),
      gold: o.gold === undefined || o.gold === null ? undefined : String(o.gold),
      predicted: String(o.predicted ?? ''),
      loss: typeof o.loss === 'number' ? o.loss : undefined,
    });
  }
  const { rows, hasGold } = predictionRowsFromDev(dev);
  return { rows, hasGold };
}

export function parseSquadPredictions(text: string): PredictionRow[] {
  const o = JSON.parse(text) as Record<string, unknown>;
  return Object.entries(o).map(([id, answer]) => ({ id, predicted: String(answer) }));
}

export function parseGlueTsv(text: string): PredictionRow[] {
  const lines = text.split('\n').filter((l) => l !== '');
  const body = lines[0]?.startsWith('index\t') ? lines.slice(1) : lines;
  return body.map((l, i) => {
    const tab = l.indexOf('\t');
    return tab < 0 ? { id: String(i), predicted: l } : { id: l.slice(0, tab), predicted: l.slice(tab + 1) };
  });
}

/** Rows whose id, input, gold or prediction contains the query (case-insensitive). */
export function filterRows(rows: readonly PredictionRow[], query: string): PredictionRow[] {
  const q = query.trim().toLowerCase();
  if (!q) return rows.slice();
  return rows.filter((r) => [r.id, r.input, r.gold, r.predicted].some((x) => x !== undefined && x.toLowerCase().includes(q)));
}
