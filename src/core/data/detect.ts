/**
 * What a dropped file is, from its name and its first few kilobytes: a GLUE task file (from the
 * header and the file name), a user's CSV/TSV (its columns), SQuAD v1.1 or v2.0 (from the
 * version field or any is_impossible), plain text for masked-LM pre-training (a .txt that is no
 * GLUE file, or any text whose first line has neither tab nor comma: one sentence per line, blank
 * lines between documents, as create_pretraining_data.py reads it), or unknown with the reason.
 */
import Papa from 'papaparse';
import { splitFromFileName } from './glue-tasks';
import type { GlueTask, Split } from './types';

export type DetectedDataset =
  | {
      kind: 'glue';
      task: GlueTask;
      split: Split;
      /** Other tasks with the same file layout when the name does not settle it (e.g. SST-2 vs CoLA test). */
      alternatives?: GlueTask[];
    }
  | { kind: 'csv' | 'tsv'; columns: string[] }
  | { kind: 'squad'; version: 1 | 2 }
  /** Plain text for the masked-LM task (text-corpus.ts). */
  | { kind: 'text' }
  | { kind: 'unknown'; reason: string };

/** GLUE headers (tab-joined, lower case) -> candidate tasks and the split they imply. */
const GLUE_HEADERS: Array<{ header: string; tasks: GlueTask[]; split?: Split }> = [
  { header: 'quality\t#1 id\t#2 id\t#1 string\t#2 string', tasks: ['mrpc'] },
  { header: 'index\t#1 id\t#2 id\t#1 string\t#2 string', tasks: ['mrpc'], split: 'test' },
  { header: 'sentence\tlabel', tasks: ['sst-2'] },
  { header: 'index\tsentence', tasks: ['sst-2', 'cola'], split: 'test' },
  { header: 'id\tqid1\tqid2\tquestion1\tquestion2\tis_duplicate', tasks: ['qqp'] },
  { header: 'id\tquestion1\tquestion2', tasks: ['qqp'], split: 'test' },
  { header: 'index\tgenre\tfilename\tyear\told_index\tsource1\tsource2\tsentence1\tsentence2\tscore', tasks: ['sts-b'] },
  { header: 'index\tgenre\tfilename\tyear\told_index\tsource1\tsource2\tsentence1\tsentence2', tasks: ['sts-b'], split: 'test' },
  { header: 'index\tquestion\tsentence\tlabel', tasks: ['qnli'] },
  { header: 'index\tquestion\tsentence', tasks: ['qnli'], split: 'test' },
  { header: 'index\tsentence1\tsentence2\tlabel', tasks: ['rte', 'wnli'] },
  { header: 'index\tsentence1\tsentence2', tasks: ['rte', 'wnli'], split: 'test' },
];

const NAME_HINTS: Array<[RegExp, GlueTask]> = [
  [/mismatched|mnli[-_]?mm/, 'mnli-mm'],
  [/mnli/, 'mnli'],
  [/cola/, 'cola'],
  [/sst/, 'sst-2'],
  [/mrpc|msr/, 'mrpc'],
  [/qqp|quora/, 'qqp'],
  [/sts/, 'sts-b'],
  [/qnli/, 'qnli'],
  [/rte/, 'rte'],
  [/wnli/, 'wnli'],
];

function taskFromName(fileName: string): GlueTask | undefined {
  const name = fileName.toLowerCase();
  return NAME_HINTS.find(([re]) => re.test(name))?.[1];
}

export function detectDataset(fileName: string, head: string): DetectedDataset {
  let text = head.charCodeAt(0) === 0xfeff ? head.slice(1) : head;
  if (text.trim() === '') return { kind: 'unknown', reason: 'the file is empty' };
  if (text.includes('\u0000') || replacementShare(text) > 0.05) return { kind: 'unknown', reason: 'a binary file, not text' };
  text = text.trimStart();
  const lower = fileName.toLowerCase();

  if (text.startsWith('{') || text.startsWith('[') || lower.endsWith('.json')) return detectJson(text);

  const lines = text.split(/\r\n|\n|\r/);
  // The last line of a head may be cut short; judge on complete lines when there are several.
  const complete = lines.length > 1 ? lines.slice(0, -1) : lines;
  const first = complete[0];
  const header = first.split('\t').map((c) => c.trim().toLowerCase()).join('\t');
  const nameTask = taskFromName(fileName);
  const nameSplit = splitFromFileName(fileName);

  const names = header.split('\t');
  if (names.includes('pairid') && names.includes('sentence1') && names.includes('sentence2')) {
    const task = nameTask === 'mnli-mm' ? 'mnli-mm' : 'mnli';
    return { kind: 'glue', task, split: header.endsWith('\tgold_label') ? (nameSplit === 'test' ? 'dev' : nameSplit) : 'test', alternatives: nameTask ? undefined : ['mnli-mm'] };
  }
  const known = GLUE_HEADERS.find((h) => h.header === header);
  if (known) {
    let tasks = known.tasks;
    if (tasks.length > 1) {
      const byName = nameTask && tasks.includes(nameTask) ? nameTask : tasks.includes('rte') ? rteOrWnliByLabel(complete) : undefined;
      if (byName) tasks = [byName, ...tasks.filter((t) => t !== byName)];
    }
    const [task, ...rest] = tasks;
    const split = known.split ?? (nameSplit === 'test' ? 'dev' : nameSplit);
    return { kind: 'glue', task, split, ...(rest.length > 0 && !(nameTask && nameTask === task) ? { alternatives: rest } : {}) };
  }
  if (looksLikeColaRow(first)) {
    return { kind: 'glue', task: 'cola', split: nameSplit === 'test' ? 'dev' : nameSplit };
  }

  if (lower.endsWith('.txt')) return { kind: 'text' }; // prose has commas: a .txt is never read as a table
  const delimiter = lower.endsWith('.csv') ? ',' : lower.endsWith('.tsv') ? '\t' : first.includes('\t') ? '\t' : first.includes(',') ? ',' : '';
  if (delimiter === '') return { kind: 'text' };
  const parsed = Papa.parse<string[]>(first, { delimiter, quoteChar: delimiter === ',' ? '"' : '\u0001' });
  const columns = (parsed.data[0] ?? []).map((c) => c.trim());
  if (columns.length < 2) return { kind: 'unknown', reason: `only one column in the first line (separator '${delimiter === '\t' ? '\\t' : delimiter}')` };
  return { kind: delimiter === ',' ? 'csv' : 'tsv', columns };
}

/** SQuAD from the JSON shape: "data" with "paragraphs"; v2 when version says so or any is_impossible. */
function detectJson(text: string): DetectedDataset {
  if (!text.startsWith('{')) return { kind: 'unknown', reason: 'JSON, but not a SQuAD object (it does not start with "{")' };
  if (!/"data"\s*:/.test(text)) return { kind: 'unknown', reason: 'JSON without a "data" list: not a SQuAD file' };
  if (!/"(paragraphs|context|qas)"\s*:/.test(text) && text.length > 512) {
    return { kind: 'unknown', reason: 'JSON with "data" but no "paragraphs": not a SQuAD file' };
  }
  const version = /"version"\s*:\s*"([^"]*)"/.exec(text)?.[1];
  if (version !== undefined && /^v?2/.test(version)) return { kind: 'squad', version: 2 };
  if (/"is_impossible"\s*:/.test(text)) return { kind: 'squad', version: 2 };
  return { kind: 'squad', version: 1 };
}

/** CoLA train/dev rows: source code, 0/1 label, original mark ("" or "*"…), sentence. */
function looksLikeColaRow(line: string): boolean {
  const cols = line.split('\t');
  return cols.length === 4 && /^[\w-]+$/.test(cols[0]) && (cols[1] === '0' || cols[1] === '1') && cols[2].length <= 2 && cols[3].trim() !== '';
}

function rteOrWnliByLabel(lines: string[]): GlueTask | undefined {
  const row = lines[1]?.split('\t');
  const label = row?.[row.length - 1]?.trim();
  if (label === 'entailment' || label === 'not_entailment') return 'rte';
  if (label === '0' || label === '1') return 'wnli';
  return undefined;
}

function replacementShare(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 0xfffd) n++;
  return n / text.length;
}
