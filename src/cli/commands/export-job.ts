/**
 * `tabtune export-job --model DIR --task TASK --train FILE [--dev FILE] --out JOB [every flag of train]`
 * Writes the run `tabtune train` would make with the same flags as a job folder for PyTorch's
 * distributed engine (core/io/torch-job): the starting model (new head initialised as Tabtune
 * does), the converted features, settings.json, train.py and a README with torchrun commands.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { UsageError, parseFlags, requireFlag } from '../args';
import { sourceFromFile } from '../../platform/node/data-source';
import { createBertModel } from '../../core/model';
import { exportTorchJob } from '../../core/io';
import { countTrainSteps, createTaskAdapter } from '../../core/train';
import { resolveSettings } from '../../core/settings';
import { TRAIN_FLAGS, editsFromArgs, parseTask } from './train';
import { loadModelFolder, parseBackend, setUpBackend } from './train-shared';
import { checkOutputFolder } from '../../platform/node/output-paths';
import { modelInputs, refuseNonEmpty } from '../output-inputs';

const HELP = `usage: tabtune export-job --model DIR --task TASK --train FILE [--dev FILE] --out JOB [flags]

Writes the fine-tuning run that 'tabtune train' would make with the same flags as a folder
that PyTorch's DistributedDataParallel runs (torchrun), on one GPU, one machine or many:
model/ (Hugging Face folder), features/ (converted features, safetensors), settings.json,
train.py (PyTorch only) and README.md. 'torchrun --nproc_per_node=N train.py' in JOB writes
JOB/output/: the fine-tuned Hugging Face folder and metrics.json (tabtune train's format).

Every flag of 'tabtune train' is accepted (see 'tabtune train --help'), --no-dropout included;
--resume and --resume-from are not (a job starts from the model folder). A non-empty JOB
folder needs --overwrite; --out never names or holds an input.
`;

function columnRef(v: string | undefined): string | number | undefined {
  if (v === undefined) return undefined;
  return /^\d+$/.test(v) ? Number(v) : v;
}

export async function run(argv: string[]): Promise<number> {
  const f = parseFlags(argv, TRAIN_FLAGS, HELP);
  if (f.resume || f['resume-from']) throw new UsageError('--resume / --resume-from do not apply to export-job: the job starts from --model');
  const task = parseTask(f.task);
  const modelDir = requireFlag(f.model, 'model');
  const trainFile = requireFlag(f.train, 'train');
  const outDir = requireFlag(f.out, 'out');
  const data = [{ path: trainFile, what: 'the training file (--train)' }, ...(f.dev ? [{ path: f.dev, what: 'the dev file (--dev)' }] : [])];
  checkOutputFolder(outDir, modelInputs(modelDir, f.vocab, data));
  refuseNonEmpty(outDir, !!f.overwrite);
  const log = (m: string) => process.stderr.write(`${m}\n`);

  log(`backend: ${await setUpBackend(parseBackend(f.backend))}`);
  const edits = editsFromArgs(f);
  const loaded = await loadModelFolder(modelDir, f.vocab, edits.doLowerCase);
  for (const n of loaded.notes) log(n);
  // The settings tabtune train would resolve: core's table, adapted to the model, the same flags refused.
  const resolved = resolveSettings({ task, edits: { ...edits, doLowerCase: loaded.tokenizer.doLowerCase }, context: { maxPositions: loaded.config.maxPositionEmbeddings } });
  if (resolved.issues.length > 0) throw new UsageError(resolved.issues.map((i) => i.message).join('\n'));
  for (const a of resolved.adapted) log(`${a.key} = ${JSON.stringify(a.to)}: ${a.reason}`);
  const config = { ...resolved.settings, task, versionTwoWithNegative: task === 'squad2' || !!f['version-2-with-negative'] };
  const columns = task === 'tsv' ? { textA: columnRef(requireFlag(f['text-a'], 'text-a'))!, textB: columnRef(f['text-b']), label: columnRef(requireFlag(f.label, 'label'))! } : undefined;
  const adapter = await createTaskAdapter({ tokenizer: loaded.tokenizer, config, train: sourceFromFile(trainFile), columns });
  for (const n of adapter.notes) log(n);
  const trainSet = adapter.train!;

  // The starting weights exactly as tabtune train starts: the checkpoint plus the head it initialises.
  const model = createBertModel(loaded.config, loaded.weights, adapter.head, { seed: config.seed, source: modelDir });
  const weights = await model.exportWeights();
  model.dispose();

  const dev = f.dev ? { name: basename(f.dev), bytes: new Uint8Array(await readFile(f.dev)) } : undefined;
  const files = exportTorchJob({
    model: { config: loaded.config, rawConfig: loaded.rawConfig, head: adapter.head, weights, vocabText: loaded.tokenizer.vocab.idToToken.join('\n') + '\n', doLowerCase: loaded.tokenizer.doLowerCase },
    training: config,
    train: trainSet,
    dev,
  });
  for (const file of files) {
    const path = join(outDir, file.path);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, file.bytes);
  }
  const counts = countTrainSteps(config, trainSet.numFeatures);
  log(`${task}: ${trainSet.numFeatures} features, ${counts.numTrainSteps} optimizer steps; run it with: cd ${outDir} && torchrun --nproc_per_node=N train.py`);
  process.stdout.write(JSON.stringify({ out: outDir, files: files.length, num_train_features: trainSet.numFeatures, num_train_steps: counts.numTrainSteps }) + '\n');
  return 0;
}
