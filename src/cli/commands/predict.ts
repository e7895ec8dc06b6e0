/**
 * `tabtune predict --model DIR --task TASK --data FILE --out FILE [flags]`
 * Runs a fine-tuned model (Hugging Face folder as `tabtune train` exports it, or a Google
 * checkpoint folder with run_classifier's / run_squad's head) over a data file. Writes GLUE's
 * TSV (header `index<TAB>prediction`) or SQuAD's predictions.json (plus nbest_predictions.json
 * and, for squad2, null_odds.json beside it). When the file carries labels or answers, the
 * metrics are printed as one JSON object on stdout.
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parseFlags, requireFlag, UsageError } from '../args';
import { TabtuneError } from '../../core/errors';
import { editsFromFlags, settingField, settingsFlagSpec, settingsHelp, type SettingKey } from '../../core/settings';
import { createSession, type ErrorInfo, type SessionEvent, type DatasetPredictions, type ColumnChoice } from '../../core/session';
import { parseTask } from './train';
import { MODEL_TASK_FLAGS, parseBackend, predictionsTsv } from './train-shared';
import { createProgressBar, type ProgressBar } from './train-progress';
import { isSquadTask } from '../../core/data';
import { checkOutputFile } from '../../platform/node/output-paths';
import { modelInputs } from '../output-inputs';
import { reportCommonEvent, sessionInputs } from '../session-inputs';

/** The settings that shape features and post-processing (the training ones do not apply). */
const PREDICT_SETTINGS = (['maxSeqLength', 'docStride', 'maxQueryLength', 'evalBatchSize', 'seqBuckets', 'doLowerCase', 'nBestSize', 'maxAnswerLength', 'nullScoreDiffThreshold'] as SettingKey[]).map((k) => settingField(k));

const HELP = `usage: tabtune predict --model DIR --task TASK --data FILE --out FILE [flags]

Predicts with a fine-tuned model. GLUE / tsv: writes a TSV with header index<TAB>prediction.
SQuAD: writes predictions.json (FILE), and nbest_predictions.json (and null_odds.json for
squad2) in the same folder. Prints the metrics as JSON when the file has labels / answers.

  --vocab FILE                 default: the model folder's vocab.txt / tokenizer.json
  --text-a COL --text-b COL --label COL   tsv columns (names or 0-based indices)
  --backend NAME               wasm (default in Node) or cpu
  --overwrite                  replace an existing --out file (never an input: model, vocabulary, data)

Settings (from the training settings table; lower case defaults to the folder's tokenizer config):
${settingsHelp(PREDICT_SETTINGS)}
`;

const FLAGS = {
  ...MODEL_TASK_FLAGS,
  ...settingsFlagSpec(PREDICT_SETTINGS),
  data: { type: 'string' },
} as const;

/** The session's events as progress on stderr; errors and the predictions kept. */
function listener(bar: ProgressBar, errors: ErrorInfo[], answers: Map<number, { result: DatasetPredictions | null; error?: ErrorInfo }>): (ev: SessionEvent) => void {
  return (ev) => {
    if (reportCommonEvent(ev, bar, errors)) return;
    switch (ev.type) {
      case 'progress':
        bar.phase(ev.phase, ev.done, ev.total);
        return;
      case 'settings':
        for (const a of ev.adapted) bar.log(`${a.key} = ${JSON.stringify(a.to)}: ${a.reason}`);
        return;
      case 'datasetPredictions':
        answers.set(ev.requestId, { result: ev.result, error: ev.error });
        return;
      default:
    }
  };
}

export async function run(argv: string[]): Promise<number> {
  const f = parseFlags(argv, FLAGS, HELP);
  const task = parseTask(f.task);
  const flagEdits = editsFromFlags(f, PREDICT_SETTINGS);
  if (flagEdits.errors.length > 0) throw new UsageError(flagEdits.errors.join('\n'));
  const modelDir = requireFlag(f.model, 'model');
  const dataFile = requireFlag(f.data, 'data');
  const outFile = requireFlag(f.out, 'out');
  // A file to predict may have no label column (ColumnChoice asks for one for training; the reader takes none).
  const columns = task === 'tsv' ? ({ textA: colRef(requireFlag(f['text-a'], 'text-a')), textB: f['text-b'] === undefined ? undefined : colRef(f['text-b']), label: f.label === undefined ? undefined : colRef(f.label) } as ColumnChoice) : undefined;
  checkOutputFile(outFile, modelInputs(modelDir, f.vocab, [{ path: dataFile, what: 'the data file (--data)' }]), {
    companions: isSquadTask(task) ? ['nbest_predictions.json', 'null_odds.json'] : [],
    overwrite: !!f.overwrite,
  });
  const bar = createProgressBar(process.stderr);
  const errors: ErrorInfo[] = [];
  const answers = new Map<number, { result: DatasetPredictions | null; error?: ErrorInfo }>();
  const session = createSession({ emit: listener(bar, errors, answers), storage: null, devFallback: false, preferredBackend: parseBackend(f.backend) });
  try {
    // The task and columns first: the data file is then read once, the way the predictions read it.
    await session.configure({ task, edits: flagEdits.edits, columns });
    if (!existsSync(dataFile)) throw new TabtuneError('no such data file', { file: dataFile, expected: 'a GLUE TSV, a CSV/TSV table or a SQuAD JSON file', code: 'data-read' });
    await session.addFiles(sessionInputs(modelDir, f.vocab, [{ file: dataFile, split: 'dev' }], { modelFilesOnly: true }));
    if (errors.length > 0) throw new TabtuneError(errors[0].message, { code: errors[0].code ?? 'predict' });
    const state = session.settings();
    if (state.task !== task) throw new UsageError(`--task ${task} does not fit ${dataFile} (detected: ${state.task ?? 'no dataset'})`);
    await session.predictDataset(1);
    const answer = answers.get(1);
    if (!answer?.result) {
      const e = answer?.error ?? errors[0];
      if (e?.code === 'settings') throw new UsageError(e.message);
      throw new TabtuneError(e?.message ?? 'the session gave no predictions', { code: e?.code ?? 'predict' });
    }
    bar.done();
    await mkdir(dirname(outFile), { recursive: true });
    const p = answer.result.predictions;
    if (p.kind === 'span') {
      await writeFile(outFile, JSON.stringify(p.predictions, null, 4) + '\n');
      await writeFile(join(dirname(outFile), 'nbest_predictions.json'), JSON.stringify(p.nbest, null, 4) + '\n');
      if (p.nullOdds) await writeFile(join(dirname(outFile), 'null_odds.json'), JSON.stringify(p.nullOdds, null, 4) + '\n');
    } else if (p.kind === 'masked-lm') {
      await writeFile(outFile, JSON.stringify(p.metrics, null, 2) + '\n');
    } else {
      await writeFile(outFile, predictionsTsv(p));
    }
    if (answer.result.labelled) process.stdout.write(JSON.stringify(answer.result.metrics) + '\n');
  } finally {
    session.dispose();
  }
  return 0;
}

function colRef(v: string): string | number {
  return /^\d+$/.test(v) ? Number(v) : v;
}
