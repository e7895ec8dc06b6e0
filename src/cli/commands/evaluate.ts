/**
 * `tabtune evaluate --task TASK --data FILE --predictions FILE [--na-prob-file FILE] [--na-prob-thresh 1.0]`
 * Prints one JSON object: the official SQuAD v1.1 / v2.0 script's keys, or the GLUE metrics.
 */
import { readFileSync } from 'node:fs';
import { TabtuneError } from '../../core/errors';
import { sourceFromFile } from '../../platform/node/data-source';
import { readGlue } from '../../core/data';
import { GLUE_TASKS, isGlueTask, splitFromFileName } from '../../core/data';
import type { GlueTask } from '../../core/data';
import { glueMetrics } from '../../core/eval';
import { parseGluePredictionsTsv } from '../../core/eval';
import { parseSquadGold, parseSquadNaProbs, parseSquadPredictions } from '../../core/eval';
import { evaluateSquadV1, evaluateSquadV2 } from '../../core/eval';
import { floatFlag, parseFlags, requireFlag, UsageError } from '../args';

const HELP = `usage: tabtune evaluate --task TASK --data FILE --predictions FILE [--na-prob-file FILE] [--na-prob-thresh 1.0]

Prints the metrics as one JSON object on stdout.

  --task TASK           squad (v1.1: exact_match, f1), squad2 (v2.0: exact, f1, total, HasAns_*, NoAns_*,
                        best_* with --na-prob-file), or a GLUE task: ${GLUE_TASKS.join(' ')}
  --data FILE           the gold file: SQuAD JSON, or the GLUE dev TSV
  --predictions FILE    SQuAD: predictions.json {"qid": "answer"}; GLUE: TSV with header index<TAB>prediction
                        (index = the example's 0-based row in FILE, prediction = label or STS-B score)
  --na-prob-file FILE   squad2: {"qid": no-answer score} (e.g. null_odds.json)
  --na-prob-thresh X    squad2: predict no answer above this no-answer score (default 1.0)
`;

function readText(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new TabtuneError(`cannot read the ${what} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { file, expected: 'a readable file', code: 'file' });
  }
}

function warn(message: string): void {
  process.stderr.write(`tabtune evaluate: warning: ${message}\n`);
}

function evaluateSquad(task: 'squad' | 'squad2', dataFile: string, predFile: string, naFile: string | undefined, naThresh: number): object {
  const gold = parseSquadGold(readText(dataFile, 'SQuAD file'), dataFile);
  const preds = parseSquadPredictions(readText(predFile, 'predictions'), predFile);
  let missing = 0;
  const onMissing = (qid: string) => {
    if (missing++ < 10) warn(`no prediction for question ${qid}; it scores 0`);
  };
  let result: object;
  if (task === 'squad') {
    if (gold.version !== undefined && gold.version !== '1.1') warn(`evaluation expects SQuAD v1.1 but ${dataFile} says version ${gold.version}`);
    if (gold.questions.length === 0) throw new TabtuneError('the file has no questions', { file: dataFile, expected: 'a SQuAD file with questions' });
    result = evaluateSquadV1(gold.questions, preds, { onMissing });
  } else {
    if (gold.questions.length === 0) throw new TabtuneError('the file has no questions', { file: dataFile, expected: 'a SQuAD file with questions' });
    const naProbs = naFile ? parseSquadNaProbs(readText(naFile, 'no-answer probabilities'), naFile) : undefined;
    if (naProbs) {
      const lacking = Object.keys(preds).find((q) => !Object.hasOwn(naProbs, q));
      if (lacking !== undefined) {
        throw new TabtuneError('no no-answer score for a predicted question', { file: naFile, location: `question ${lacking}`, expected: 'a number for every question id of the predictions', code: 'squad-na-prob-missing' });
      }
    }
    result = evaluateSquadV2(gold.questions, preds, { naProbs, naProbThresh: naThresh, onMissing });
  }
  if (missing > 10) warn(`${missing} questions in all have no prediction`);
  return result;
}

async function evaluateGlue(task: GlueTask, dataFile: string, predFile: string): Promise<object> {
  if (splitFromFileName(dataFile) === 'test') {
    throw new TabtuneError('GLUE test files carry no labels', { file: dataFile, expected: 'the dev (or train) file with gold labels' });
  }
  const split = splitFromFileName(dataFile);
  const gold = await readGlue(task, sourceFromFile(dataFile, dataFile), { split, failFast: true });
  const labels = gold.examples.map((e, i) => {
    if (e.label === undefined) throw new TabtuneError('the example has no label', { file: dataFile, location: `example ${i}`, expected: 'a labelled GLUE file' });
    return e.label;
  });
  if (labels.length === 0) throw new TabtuneError('the file has no examples', { file: dataFile, expected: 'a GLUE file with labelled rows' });
  const preds = parseGluePredictionsTsv(readText(predFile, 'predictions'), predFile, { labels: gold.labels, count: labels.length });
  const missing = labels.map((_, i) => i).filter((i) => !preds.has(i));
  if (missing.length > 0) {
    if (task === 'sts-b') {
      throw new TabtuneError(`${missing.length} examples have no prediction (first: index ${missing[0]})`, { file: predFile, expected: `one prediction for each of the ${labels.length} examples (a correlation cannot score a missing value)`, code: 'glue-predictions' });
    }
    warn(`${missing.length} of ${labels.length} examples have no prediction (first: index ${missing[0]}); they count as wrong`);
  }
  // A missing classification prediction is a value no label equals: it counts as wrong.
  const predList = labels.map((_, i) => preds.get(i) ?? '\u0000missing');
  return glueMetrics(task, predList, labels);
}

export async function run(argv: string[]): Promise<number> {
  const flags = parseFlags(
    argv,
    {
      task: { type: 'string' },
      data: { type: 'string' },
      predictions: { type: 'string' },
      'na-prob-file': { type: 'string' },
      'na-prob-thresh': { type: 'string' },
    },
    HELP,
  );
  const task = requireFlag(flags.task, 'task').toLowerCase();
  const dataFile = requireFlag(flags.data, 'data');
  const predFile = requireFlag(flags.predictions, 'predictions');
  // Any finite number, as evaluate-v2.0.py takes it: the null odds are score differences, not probabilities.
  const naThresh = floatFlag(flags['na-prob-thresh'], 'na-prob-thresh', 1.0);
  let result: object;
  if (task === 'squad' || task === 'squad2') {
    if (task === 'squad' && (flags['na-prob-file'] !== undefined || flags['na-prob-thresh'] !== undefined)) {
      throw new UsageError('--na-prob-file and --na-prob-thresh apply to --task squad2 only');
    }
    result = evaluateSquad(task, dataFile, predFile, flags['na-prob-file'], naThresh);
  } else if (isGlueTask(task)) {
    if (flags['na-prob-file'] !== undefined || flags['na-prob-thresh'] !== undefined) {
      throw new UsageError('--na-prob-file and --na-prob-thresh apply to --task squad2 only');
    }
    result = await evaluateGlue(task, dataFile, predFile);
  } else {
    throw new UsageError(`unknown task '${task}'; expected squad, squad2 or one of ${GLUE_TASKS.join(', ')}`);
  }
  process.stdout.write(JSON.stringify(result) + '\n');
  return 0;
}
