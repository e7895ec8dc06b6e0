/**
 * The predictions table's rows: from the session's dev predictions (rows, predictionRowsFromDev), or
 * read from what an export returns. Files understood, best first:
 *   eval_predictions.jsonl  one JSON object per line: {id, gold?, predicted, text_a?, text_b?, question?}
 *                           (with gold labels, so the confusion matrix can be drawn)
 *   predictions.json        SQuAD: {qas_id: answer text}
 *   *.tsv                   GLUE submission format: header "index<TAB>prediction"
 */
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
export function predictionRowsFromDev(rows: readonly DevPredictionLike[], source = 'the latest evaluation'): ParsedPredictions {
  let hasGold = false;
  const out = rows.map((o) => {
    if (o.gold !== undefined) hasGold = true;
    const input = [o.question, o.text_a, o.text_b].filter((x): x is string => typeof x === 'string' && x !== '').join(' ‖ ');
    const row: PredictionRow = { id: o.id, input: input || undefined, gold: o.gold, predicted: o.predicted };
    if (o.loss !== undefined && Number.isFinite(o.loss)) row.loss = o.loss;
    if (o.text_a !== undefined) row.textA = o.text_a;
    if (o.text_b !== undefined) row.textB = o.text_b;
    return row;
  });
  return { source, rows: out, hasGold };
}

/** The fields of a session DevPrediction the table reads. */
export interface DevPredictionLike {
  id: string;
  text_a?: string;
  text_b?: string;
  question?: string;
  gold?: string;
  predicted: string;
  loss?: number;
}

export function parseJsonlRows(text: string): { rows: PredictionRow[]; hasGold: boolean } {
  const rows: PredictionRow[] = [];
  let hasGold = false;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const o = JSON.parse(line) as Record<string, unknown>;
    const input = [o.question, o.text_a, o.text_b].filter((x): x is string => typeof x === 'string' && x !== '').join(' ‖ ');
    const gold = o.gold === undefined || o.gold === null ? undefined : String(o.gold);
    if (gold !== undefined) hasGold = true;
    const row: PredictionRow = { id: String(o.id ?? rows.length), input: input || undefined, gold, predicted: String(o.predicted ?? '') };
    if (typeof o.loss === 'number' && Number.isFinite(o.loss)) row.loss = o.loss;
    if (typeof o.text_a === 'string') row.textA = o.text_a;
    if (typeof o.text_b === 'string') row.textB = o.text_b;
    rows.push(row);
  }
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
