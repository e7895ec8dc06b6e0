/**
 * `tabtune features --task TASK --data FILE --vocab FILE --max-seq-length N …`
 * Converts a GLUE TSV, a user's TSV/CSV or a SQuAD JSON file to model features, one JSON line
 * per feature on stdout, with the field names and key order of ../shared/fixtures (the output of
 * run_classifier.convert_single_example / run_squad.convert_examples_to_features, written as
 * Python's json.dumps writes it). Skipped rows are warned about on stderr.
 */
import type { BadRecordPolicy } from '../../core/errors';
import { convertExample } from '../../core/data';
import { readGlue, type ClassifierDataset } from '../../core/data';
import { isGlueTask } from '../../core/data';
import { sourceFromFile } from '../../platform/node/data-source';
import { pythonJson } from '../../core/data';
import { forEachSquadFeature } from '../../core/data';
import { readSquad } from '../../core/data';
import { readTable } from '../../core/data';
import type { ReadStats, Split } from '../../core/data';
import { loadTokenizerFile } from '../tokenizer-file';
import { intFlag, parseFlags, requireFlag, settingFlag, UsageError } from '../args';

const TASKS = 'cola sst-2 mrpc qqp sts-b mnli mnli-mm qnli rte wnli squad squad2 tsv';

const HELP = `usage: tabtune features --task TASK --data FILE --vocab FILE --max-seq-length N [options]

Writes one JSON line per feature (fixture field names) on stdout.

  --task TASK               ${TASKS}
  --data FILE               GLUE .tsv, your own .tsv/.csv (--task tsv), or SQuAD .json
  --vocab FILE              vocab.txt or a Hugging Face tokenizer.json
  --max-seq-length N        pad / truncate to N tokens
  --split train|dev|test    GLUE/TSV split (default: from the file name)
  --no-lower-case           keep case and accents (cased models)
  --max-examples N          convert only the first N examples
  --fail-fast               stop at the first bad row (default: skip it, count it, warn on stderr)
SQuAD (squad = v1.1, squad2 = v2.0 with is_impossible):
  --doc-stride N            window stride in tokens (default 128)
  --max-query-length N      question tokens kept (default 64)
  --mode train|eval         train reads answer positions (default: train when the file name says train)
  --use-first-answer        training on a file with several answers per question: use the first
--task tsv (columns by header name, or 0-based index):
  --text-a COL              the (first) text column (required)
  --text-b COL              the second text column, for sentence pairs
  --label COL               the label column (omit for an unlabelled file)
  --labels A,B,…            the training file's labels (default: collected from this file)
  --regression              the label is a number (like STS-B)
  --delimiter tab|comma|C   default: comma for .csv, else tab
  --quoting / --no-quoting  CSV "quoting" (default: on for comma, off for tab, as GLUE)
  --no-header               the file has no header row
`;

const MAX_WARNINGS = 20;

/** Buffered stdout writer (one write per ~1 MB). */
function lineWriter() {
  let buf: string[] = [];
  let size = 0;
  return {
    line(s: string) {
      buf.push(s, '\n');
      size += s.length + 1;
      if (size >= 1 << 20) this.flush();
    },
    flush() {
      if (buf.length > 0) process.stdout.write(buf.join(''));
      buf = [];
      size = 0;
    },
  };
}

function warner(): BadRecordPolicy & { count(): number } {
  let n = 0;
  return {
    onSkip(e) {
      n++;
      if (n <= MAX_WARNINGS) process.stderr.write(`tabtune features: warning: ${e.message}\n`);
    },
    count: () => n,
  };
}

function summary(stats: ReadStats, features: number, warned: number, extra = ''): void {
  if (warned > MAX_WARNINGS) process.stderr.write(`tabtune features: … ${warned - MAX_WARNINGS} more warnings not shown\n`);
  process.stderr.write(`tabtune features: ${stats.kept} of ${stats.records} records read, ${stats.skipped} skipped${extra}; ${features} features\n`);
}

function parseSplit(value: string | undefined): Split | undefined {
  if (value === undefined) return undefined;
  if (value !== 'train' && value !== 'dev' && value !== 'test') throw new UsageError(`--split expects train, dev or test, got '${value}'`);
  return value;
}

function parseDelimiter(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (value === 'tab' || value === '\\t') return '\t';
  if (value === 'comma') return ',';
  if (value === 'semicolon') return ';';
  if (value.length !== 1) throw new UsageError(`--delimiter expects tab, comma, semicolon or one character, got '${value}'`);
  return value;
}

export async function run(argv: string[]): Promise<number> {
  const flags = parseFlags(
    argv,
    {
      task: { type: 'string' },
      data: { type: 'string' },
      vocab: { type: 'string' },
      'max-seq-length': { type: 'string' },
      split: { type: 'string' },
      'doc-stride': { type: 'string' },
      'max-query-length': { type: 'string' },
      mode: { type: 'string' },
      'no-lower-case': { type: 'boolean' },
      'max-examples': { type: 'string' },
      'fail-fast': { type: 'boolean' },
      'use-first-answer': { type: 'boolean' },
      'text-a': { type: 'string' },
      'text-b': { type: 'string' },
      label: { type: 'string' },
      labels: { type: 'string' },
      regression: { type: 'boolean' },
      delimiter: { type: 'string' },
      quoting: { type: 'boolean' },
      'no-quoting': { type: 'boolean' },
      'no-header': { type: 'boolean' },
    },
    HELP,
  );
  const task = requireFlag(flags.task, 'task');
  if (!isGlueTask(task) && task !== 'squad' && task !== 'squad2' && task !== 'tsv') {
    throw new UsageError(`unknown --task '${task}' (expected one of: ${TASKS})`);
  }
  const dataFile = requireFlag(flags.data, 'data');
  const maxSeqLength = settingFlag(flags['max-seq-length'], 'max-seq-length', 'maxSeqLength');
  const maxExamples = flags['max-examples'] === undefined ? Infinity : intFlag(flags['max-examples'], 'max-examples', undefined, { min: 1 });
  const docStride = settingFlag(flags['doc-stride'], 'doc-stride', 'docStride', 128);
  const maxQueryLength = settingFlag(flags['max-query-length'], 'max-query-length', 'maxQueryLength', 64);
  const tokenizer = loadTokenizerFile(requireFlag(flags.vocab, 'vocab'), flags['no-lower-case'] ? { doLowerCase: false } : {});
  const source = sourceFromFile(dataFile);
  const warn = warner();
  const policy: BadRecordPolicy = { failFast: flags['fail-fast'] ?? false, onSkip: warn.onSkip };
  const out = lineWriter();

  if (task === 'squad' || task === 'squad2') {
    const mode = flags.mode ?? (/train/i.test(dataFile.split(/[\\/]/).pop()!) ? 'train' : 'eval');
    if (mode !== 'train' && mode !== 'eval') throw new UsageError(`--mode expects train or eval, got '${mode}'`);
    const training = mode === 'train';
    const { examples, stats } = await readSquad(source, { ...policy, training, version2: task === 'squad2', useFirstAnswer: flags['use-first-answer'] });
    const used = examples.length > maxExamples ? examples.slice(0, maxExamples) : examples;
    const n = forEachSquadFeature(
      used,
      tokenizer,
      {
        maxSeqLength,
        docStride,
        maxQueryLength,
        training,
      },
      (f) => out.line(pythonJson(f)),
    );
    out.flush();
    summary(stats, n, warn.count(), training ? `, ${stats.unrecoverable} with an unrecoverable answer` : '');
    return 0;
  }

  const split = parseSplit(flags.split);
  let data: ClassifierDataset;
  let regression = false;
  if (task === 'tsv') {
    regression = flags.regression ?? false;
    data = await readTable(source, {
      ...policy,
      split,
      columns: { textA: requireFlag(flags['text-a'], 'text-a'), textB: flags['text-b'], label: flags.label },
      labels: flags.labels?.split(',').map((l) => l.trim()),
      regression,
      delimiter: parseDelimiter(flags.delimiter),
      quoting: flags['no-quoting'] ? false : flags.quoting,
      hasHeader: !flags['no-header'],
    });
  } else {
    data = await readGlue(task, source, { ...policy, split });
    regression = data.labels === null;
  }
  const floats = regression ? new Set(['label_id']) : undefined;
  const count = Math.min(data.examples.length, maxExamples);
  for (let i = 0; i < count; i++) {
    out.line(pythonJson(convertExample(data.examples[i], tokenizer, { maxSeqLength, labels: data.labels }), floats));
  }
  out.flush();
  const labels = data.labels ? `, labels ${data.labels.join(',')}` : regression ? ', regression' : '';
  summary(data.stats, count, warn.count(), labels);
  return 0;
}
