/**
 * `tabtune train --model DIR --task TASK --train FILE [--dev FILE] --out DIR [flags]`
 * Fine-tunes a BERT (Hugging Face folder or Google checkpoint folder) with run_classifier.py /
 * run_squad.py's flags in kebab case. Progress on stderr; in --out: the fine-tuned model as a
 * Hugging Face folder, metrics.json, the last evaluation's predictions, and checkpoints/.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UsageError, floatFlag, intFlag, parseFlags, requireFlag } from '../args';
import { TabtuneError } from '../../core/errors';
import type { TaskName } from '../../core/data';
import { sourceFromFile } from '../../platform/node/data-source';
import { createBertModel } from '../../core/model';
import { resolveTrainingConfig, type TrainingConfig, type TrainingPresetName, TRAINING_PRESETS, countTrainSteps } from '../../core/train';
import { createTaskAdapter } from '../../core/train';
import { runTraining, type TrainingResult } from '../../core/train';
import { checkpointName, deserializeCheckpoint, loadLatestCheckpoint, serializeCheckpoint, type TrainingCheckpoint } from '../../core/train';
import { createFsCheckpointStore } from '../../platform/node/checkpoint-store';
import type { EvalOutcome } from '../../core/train';
import type { StepMetrics } from '../../core/train';
import { createProgressBar } from './train-progress';
import { exportModelFolder, loadModelFolder, MODEL_TASK_FLAGS, parseBackend, setUpBackend, writeEvalOutputs } from './train-shared';

const TASKS = ['cola', 'sst-2', 'mrpc', 'qqp', 'sts-b', 'mnli', 'mnli-mm', 'qnli', 'rte', 'wnli', 'squad', 'squad2', 'tsv'];

const HELP = `usage: tabtune train --model DIR --task TASK --train FILE [--dev FILE] --out DIR [flags]

Fine-tunes BERT on a GLUE task, a TSV/CSV of your own (task tsv) or SQuAD (squad, squad2).
--model is a Hugging Face folder (config.json + model.safetensors or pytorch_model.bin) or a
Google checkpoint folder (bert_config.json + bert_model.ckpt.*). Writes to --out: the fine-tuned
model (Hugging Face folder), metrics.json, the dev predictions, and checkpoints/.

  --task TASK                      ${TASKS.join(' ')}
  --vocab FILE                     default: the model folder's vocab.txt / tokenizer.json
  --do-lower-case / --no-lower-case  default: lower case (uncased models)
  --preset NAME                    ${Object.keys(TRAINING_PRESETS).join(', ')} (flags override it)
  --max-seq-length N               default 128 (squad 384), at most the model's positions
  --doc-stride N                   squad: default 128
  --max-query-length N             squad: default 64
  --train-batch-size N             default 32 (squad 12)
  --eval-batch-size N              default 8
  --learning-rate X                default 5e-5 (squad 3e-5)
  --num-train-epochs X             default 3 (squad 2)
  --warmup-proportion X            default 0.1
  --save-checkpoints-steps N       default 1000 (0: only at the end)
  --optimizer NAME                 bert-adam (default) or adamw
  --schedule NAME                  google (default) or linear
  --weight-decay X                 default 0.01
  --max-grad-norm X                default 1.0 (0: no clipping)
  --gradient-accumulation-steps N  default 1
  --seed N                         default 42
  --max-train-examples N           use the first N training examples (questions for squad)
  --max-eval-examples N            evaluate on the first N dev examples
  --eval-every-steps N             also evaluate every N steps (default: each epoch end)
  --seq-buckets LIST               padding lengths, e.g. 32,64,128 (default 32,64,128,256,384,512; "none": max-seq-length)
  --no-dropout                     train without dropout (default: the model config's rates)
  --version-2-with-negative        squad: SQuAD 2.0 (implied by task squad2)
  --n-best-size N --max-answer-length N --null-score-diff-threshold X   squad post-processing
  --text-a COL --text-b COL --label COL   tsv: column names or 0-based indices
  --backend NAME                   wasm (default in Node) or cpu
  --resume                         continue from the newest checkpoint in --out/checkpoints
  --resume-from DIR                continue from this checkpoint folder
`;

const FLAGS = {
  ...MODEL_TASK_FLAGS,
  train: { type: 'string' },
  dev: { type: 'string' },
  preset: { type: 'string' },
  'train-batch-size': { type: 'string' },
  'learning-rate': { type: 'string' },
  'num-train-epochs': { type: 'string' },
  'warmup-proportion': { type: 'string' },
  'save-checkpoints-steps': { type: 'string' },
  optimizer: { type: 'string' },
  schedule: { type: 'string' },
  'weight-decay': { type: 'string' },
  'max-grad-norm': { type: 'string' },
  'gradient-accumulation-steps': { type: 'string' },
  seed: { type: 'string' },
  'max-train-examples': { type: 'string' },
  'max-eval-examples': { type: 'string' },
  'eval-every-steps': { type: 'string' },
  'seq-buckets': { type: 'string' },
  'version-2-with-negative': { type: 'boolean' },
  'no-dropout': { type: 'boolean' },
  resume: { type: 'boolean' },
  'resume-from': { type: 'string' },
} as const;

type Flags = ReturnType<typeof parseFlags<typeof FLAGS>>;

export function parseTask(value: string | undefined): TaskName {
  const task = requireFlag(value, 'task');
  if (!TASKS.includes(task)) throw new UsageError(`--task must be one of ${TASKS.join(', ')}; got '${task}'`);
  return task as TaskName;
}

function optInt(v: string | undefined, name: string): number | undefined {
  return v === undefined ? undefined : intFlag(v, name);
}
function optFloat(v: string | undefined, name: string): number | undefined {
  return v === undefined ? undefined : floatFlag(v, name);
}

function parseBuckets(v: string | undefined): number[] | undefined {
  if (v === undefined) return undefined;
  if (v === 'none') return [];
  const parts = v.split(',').map((s) => Number(s.trim()));
  if (!parts.every((n) => Number.isInteger(n) && n > 0)) throw new UsageError(`--seq-buckets expects whole numbers separated by commas, or none; got '${v}'`);
  return parts;
}

function columnRef(v: string | undefined): string | number | undefined {
  if (v === undefined) return undefined;
  return /^\d+$/.test(v) ? Number(v) : v;
}

/** The run's config from the flags (defaults, then the preset, then the flags). */
export function configFromFlags(f: Flags, task: TaskName, maxPositions: number): TrainingConfig {
  const preset = (f.preset ?? 'reference') as TrainingPresetName;
  if (!(preset in TRAINING_PRESETS)) throw new UsageError(`--preset must be one of ${Object.keys(TRAINING_PRESETS).join(', ')}; got '${f.preset}'`);
  const optimizer = f.optimizer;
  if (optimizer !== undefined && optimizer !== 'bert-adam' && optimizer !== 'adamw') throw new UsageError(`--optimizer must be bert-adam or adamw; got '${optimizer}'`);
  const schedule = f.schedule;
  if (schedule !== undefined && schedule !== 'google' && schedule !== 'linear') throw new UsageError(`--schedule must be google or linear; got '${schedule}'`);
  if (f['do-lower-case'] && f['no-lower-case']) throw new UsageError('--do-lower-case and --no-lower-case contradict each other');
  const overrides: Partial<TrainingConfig> = {
    maxSeqLength: optInt(f['max-seq-length'], 'max-seq-length'),
    docStride: optInt(f['doc-stride'], 'doc-stride'),
    maxQueryLength: optInt(f['max-query-length'], 'max-query-length'),
    trainBatchSize: optInt(f['train-batch-size'], 'train-batch-size'),
    evalBatchSize: optInt(f['eval-batch-size'], 'eval-batch-size'),
    learningRate: optFloat(f['learning-rate'], 'learning-rate'),
    numTrainEpochs: optFloat(f['num-train-epochs'], 'num-train-epochs'),
    warmupProportion: optFloat(f['warmup-proportion'], 'warmup-proportion'),
    saveCheckpointsSteps: optInt(f['save-checkpoints-steps'], 'save-checkpoints-steps'),
    optimizer,
    schedule,
    weightDecay: optFloat(f['weight-decay'], 'weight-decay'),
    maxGradNorm: optFloat(f['max-grad-norm'], 'max-grad-norm'),
    gradientAccumulationSteps: optInt(f['gradient-accumulation-steps'], 'gradient-accumulation-steps'),
    seed: optInt(f.seed, 'seed'),
    maxTrainExamples: optInt(f['max-train-examples'], 'max-train-examples'),
    maxEvalExamples: optInt(f['max-eval-examples'], 'max-eval-examples'),
    evalEverySteps: optInt(f['eval-every-steps'], 'eval-every-steps'),
    seqBuckets: parseBuckets(f['seq-buckets']),
    doLowerCase: f['no-lower-case'] ? false : f['do-lower-case'] ? true : undefined,
    versionTwoWithNegative: f['version-2-with-negative'] ? true : undefined,
    dropout: f['no-dropout'] ? false : undefined,
    nBestSize: optInt(f['n-best-size'], 'n-best-size'),
    maxAnswerLength: optInt(f['max-answer-length'], 'max-answer-length'),
    nullScoreDiffThreshold: optFloat(f['null-score-diff-threshold'], 'null-score-diff-threshold'),
  };
  if (overrides.maxSeqLength === undefined) {
    const def = resolveTrainingConfig(task, {}, preset).maxSeqLength;
    if (def > maxPositions) overrides.maxSeqLength = maxPositions;
  }
  const c = resolveTrainingConfig(task, overrides, preset);
  if (c.maxSeqLength > maxPositions) {
    throw new UsageError(`--max-seq-length ${c.maxSeqLength} exceeds the model's max_position_embeddings (${maxPositions})`);
  }
  if (c.task === 'squad' && c.versionTwoWithNegative) c.task = 'squad2';
  return c;
}

export function run(argv: string[]): Promise<number> {
  return train(argv);
}

/** `run` with an extra way to stop (besides Ctrl-C): the run stops at the next step boundary and saves a checkpoint. */
export async function train(argv: string[], stop?: AbortSignal): Promise<number> {
  const f = parseFlags(argv, FLAGS, HELP);
  const task = parseTask(f.task);
  const modelDir = requireFlag(f.model, 'model');
  const trainFile = requireFlag(f.train, 'train');
  const outDir = requireFlag(f.out, 'out');
  const bar = createProgressBar(process.stderr);

  const backend = await setUpBackend(parseBackend(f.backend));
  bar.log(`backend: ${backend}`);
  const loaded = await loadModelFolder(modelDir, f.vocab, f['no-lower-case'] ? false : f['do-lower-case'] ? true : undefined, (d, t) => bar.phase('loading weights', d, t));
  for (const n of loaded.notes) bar.log(n);
  const config = configFromFlags(f, task, loaded.config.maxPositionEmbeddings);
  config.doLowerCase = loaded.tokenizer.doLowerCase;

  const columns = task === 'tsv' ? { textA: columnRef(requireFlag(f['text-a'], 'text-a'))!, textB: columnRef(f['text-b']), label: columnRef(requireFlag(f.label, 'label'))! } : undefined;
  const adapter = await createTaskAdapter({
    tokenizer: loaded.tokenizer,
    config,
    train: sourceFromFile(trainFile),
    dev: f.dev ? sourceFromFile(f.dev) : undefined,
    columns,
    onProgress: (phase, d, t) => bar.phase(phase, d, t),
  });
  for (const n of adapter.notes) bar.log(n);
  const trainSet = adapter.train!;
  const counts = countTrainSteps(config, trainSet.numFeatures);
  bar.log(
    `${task}: ${trainSet.numExamples} training examples -> ${trainSet.numFeatures} features; ${adapter.dev ? `${adapter.dev.numExamples} dev examples; ` : ''}` +
      `${counts.numTrainSteps} optimizer steps (${counts.numWarmupSteps} warmup), batch ${config.trainBatchSize}x${config.gradientAccumulationSteps}, lr ${config.learningRate}, ${config.optimizer}`,
  );

  const store = createFsCheckpointStore(join(outDir, 'checkpoints'));
  let resume: TrainingCheckpoint | undefined;
  if (f['resume-from']) {
    const dir = f['resume-from'];
    const parent = createFsCheckpointStore(join(dir, '..'));
    const name = dir.replace(/[\\/]+$/, '').split(/[\\/]/).pop()!;
    resume = deserializeCheckpoint(await parent.load(name), dir);
  } else if (f.resume) {
    const latest = await loadLatestCheckpoint(store);
    if (!latest) throw new TabtuneError('no checkpoint to resume from', { file: join(outDir, 'checkpoints'), expected: 'a checkpoint written by an earlier tabtune train --out to the same folder', code: 'checkpoint-missing' });
    resume = latest.checkpoint;
    bar.log(`resuming from ${latest.name}`);
  }

  const model = createBertModel(loaded.config, loaded.weights, adapter.head, { seed: config.seed, source: modelDir });
  let lastOutcome: EvalOutcome | undefined;
  let result: TrainingResult;
  const controller = new AbortController();
  const onSigint = () => {
    bar.log('interrupted: stopping after this step (a checkpoint is saved)');
    controller.abort();
  };
  process.once('SIGINT', onSigint);
  const onStop = () => controller.abort();
  if (stop?.aborted) controller.abort();
  stop?.addEventListener('abort', onStop, { once: true });
  try {
    result = await runTraining(
      { model, config, train: trainSet, dev: adapter.dev, store, resume },
      {
        onStep: (m: StepMetrics) => bar.step(m, counts.numTrainSteps),
        onEval: (r, outcome) => {
          lastOutcome = outcome;
          bar.log(`eval step ${r.step} epoch ${r.epoch.toFixed(2)}: ${formatMetrics(r.metrics)}`);
        },
        onProgress: (phase, d, t) => {
          if (phase !== 'epoch') bar.phase(phase, d, t);
        },
        onLog: (m, level) => {
          if (level === 'warn') bar.log(`warning: ${m}`);
        },
        onCheckpoint: (c) => bar.log(`checkpoint ${c.name}`),
      },
      controller.signal,
    );
  } finally {
    process.removeListener('SIGINT', onSigint);
    stop?.removeEventListener('abort', onStop);
  }
  bar.done();
  if (result.status === 'cancelled' && result.snapshot) {
    await store.save(checkpointName(result.snapshot.state.step), serializeCheckpoint(result.snapshot));
  }

  await mkdir(outDir, { recursive: true });
  const history = result.state.history;
  const last = history.eval[history.eval.length - 1];
  const finalLoss = history.train[history.train.length - 1];
  const metrics = {
    train: history.train,
    eval: history.eval,
    final: {
      status: result.status,
      global_step: result.state.step,
      num_train_steps: result.numTrainSteps,
      epoch: last?.epoch ?? result.state.epoch,
      train_loss: finalLoss?.loss ?? null,
      ...(last?.metrics ?? {}),
      ...(result.nonFinite ? { non_finite_step: result.nonFinite.step, non_finite_tensor: result.nonFinite.tensor } : {}),
    },
  };
  await writeFile(join(outDir, 'metrics.json'), JSON.stringify(metrics, null, 2) + '\n');
  if (lastOutcome) await writeEvalOutputs(outDir, lastOutcome, task);
  await exportModelFolder(outDir, model, loaded, adapter.head);
  model.dispose();
  process.stdout.write(JSON.stringify(metrics.final) + '\n');
  if (result.status === 'diverged') {
    process.stderr.write(`tabtune train: stopped at step ${result.nonFinite!.step}: non-finite ${result.nonFinite!.tensor}; the last good weights were exported. Run again with --resume and a lower --learning-rate.\n`);
    return 1;
  }
  return result.status === 'completed' ? 0 : 130;
}

function formatMetrics(m: Record<string, number>): string {
  return Object.entries(m).map(([k, v]) => `${k}=${Number.isInteger(v) ? v : v.toFixed(4)}`).join(' ');
}
