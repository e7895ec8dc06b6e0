/**
 * `tabtune predict --model DIR --task TASK --data FILE --out FILE [flags]`
 * Runs a fine-tuned model (Hugging Face folder as `tabtune train` exports it, or a Google
 * checkpoint folder with run_classifier's / run_squad's head) over a data file. Writes GLUE's
 * TSV (header `index<TAB>prediction`) or SQuAD's predictions.json (plus nbest_predictions.json
 * and, for squad2, null_odds.json beside it). When the file carries labels or answers, the
 * metrics are printed as one JSON object on stdout.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parseFlags, requireFlag, UsageError } from '../args';
import { TabtuneError } from '../../core/errors';
import { sourceFromFile } from '../../platform/node/data-source';
import { glueTaskSpec } from '../../core/data';
import type { GlueTask } from '../../core/data';
import { createBertModel } from '../../core/model';
import type { HeadSpec } from '../../core/model';
import { isSquadTask } from '../../core/data';
import { editsFromFlags, resolveSettings, settingField, settingsFlagSpec, settingsHelp, type SettingKey } from '../../core/settings';
import { createTaskAdapter } from '../../core/train';
import { parseTask } from './train';
import { labelsFromConfig, loadModelFolder, MODEL_TASK_FLAGS, parseBackend, predictionsTsv, setUpBackend } from './train-shared';
import { createProgressBar } from './train-progress';

/** The settings that shape features and post-processing (the training ones do not apply). */
const PREDICT_SETTINGS = (['maxSeqLength', 'docStride', 'maxQueryLength', 'evalBatchSize', 'seqBuckets', 'doLowerCase', 'nBestSize', 'maxAnswerLength', 'nullScoreDiffThreshold'] as SettingKey[]).map((k) => settingField(k));

const HELP = `usage: tabtune predict --model DIR --task TASK --data FILE --out FILE [flags]

Predicts with a fine-tuned model. GLUE / tsv: writes a TSV with header index<TAB>prediction.
SQuAD: writes predictions.json (FILE), and nbest_predictions.json (and null_odds.json for
squad2) in the same folder. Prints the metrics as JSON when the file has labels / answers.

  --vocab FILE                 default: the model folder's vocab.txt / tokenizer.json
  --text-a COL --text-b COL --label COL   tsv columns (names or 0-based indices)
  --backend NAME               wasm (default in Node) or cpu

Settings (from the training settings table; lower case defaults to the folder's tokenizer config):
${settingsHelp(PREDICT_SETTINGS)}
`;

const FLAGS = {
  ...MODEL_TASK_FLAGS,
  ...settingsFlagSpec(PREDICT_SETTINGS),
  data: { type: 'string' },
} as const;

export async function run(argv: string[]): Promise<number> {
  const f = parseFlags(argv, FLAGS, HELP);
  const task = parseTask(f.task);
  const flagEdits = editsFromFlags(f, PREDICT_SETTINGS);
  if (flagEdits.errors.length > 0) throw new UsageError(flagEdits.errors.join('\n'));
  const modelDir = requireFlag(f.model, 'model');
  const dataFile = requireFlag(f.data, 'data');
  const outFile = requireFlag(f.out, 'out');
  const bar = createProgressBar(process.stderr);
  bar.log(`backend: ${await setUpBackend(parseBackend(f.backend))}`);
  const loaded = await loadModelFolder(modelDir, f.vocab, flagEdits.edits.doLowerCase);
  for (const n of loaded.notes) bar.log(n);

  // Defaults the model cannot take adapt (max sequence length <= its positions); a flag it cannot take is refused.
  const resolved = resolveSettings({ task, edits: { ...flagEdits.edits, doLowerCase: loaded.tokenizer.doLowerCase }, context: { maxPositions: loaded.config.maxPositionEmbeddings } });
  if (resolved.issues.length > 0) throw new UsageError(resolved.issues.map((i) => i.message).join('\n'));
  for (const a of resolved.adapted) bar.log(`${a.key} = ${JSON.stringify(a.to)}: ${a.reason}`);
  const config = { ...resolved.settings, task, versionTwoWithNegative: task === 'squad2' };

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
      throw new TabtuneError('the model folder does not say its class labels', { file: join(modelDir, 'config.json'), location: 'id2label', expected: 'id2label as tabtune train writes it', code: 'labels-missing' });
    }
  }
  const headName = isSquadTask(task) ? 'qa_outputs.weight' : 'classifier.weight';
  if (!loaded.weights.has(headName)) {
    throw new TabtuneError(`the model has no fine-tuned head (${headName})`, { file: modelDir, expected: `a fine-tuned model (tabtune train's output) with ${headName}`, code: 'head-missing' });
  }

  const columns = task === 'tsv' ? { textA: colRef(requireFlag(f['text-a'], 'text-a')), textB: f['text-b'] === undefined ? undefined : colRef(f['text-b']), label: f.label === undefined ? undefined : colRef(f.label) } : undefined;
  const adapter = await createTaskAdapter({
    tokenizer: loaded.tokenizer,
    config,
    dev: sourceFromFile(dataFile),
    labels,
    regression,
    columns,
    onProgress: (phase, d, t) => bar.phase(phase, d, t),
  });
  for (const n of adapter.notes) bar.log(n);
  const head: HeadSpec = adapter.head;
  const model = createBertModel(loaded.config, loaded.weights, head, { source: modelDir });
  try {
    const outcome = await adapter.dev!.evaluate(model, {
      batchSize: config.evalBatchSize,
      onProgress: (d, t) => bar.phase('predicting', d, t),
    });
    bar.done();
    await mkdir(dirname(outFile), { recursive: true });
    const p = outcome.predictions;
    if (p.kind === 'span') {
      await writeFile(outFile, JSON.stringify(p.predictions, null, 4) + '\n');
      await writeFile(join(dirname(outFile), 'nbest_predictions.json'), JSON.stringify(p.nbest, null, 4) + '\n');
      if (p.nullOdds) await writeFile(join(dirname(outFile), 'null_odds.json'), JSON.stringify(p.nullOdds, null, 4) + '\n');
    } else if (p.kind === 'masked-lm') {
      await writeFile(outFile, JSON.stringify(p.metrics, null, 2) + '\n');
    } else {
      await writeFile(outFile, predictionsTsv(p));
    }
    if (adapter.dev!.labelled) process.stdout.write(JSON.stringify(outcome.metrics) + '\n');
  } finally {
    model.dispose();
  }
  return 0;
}

function colRef(v: string): string | number {
  return /^\d+$/.test(v) ? Number(v) : v;
}
