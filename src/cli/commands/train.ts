/**
 * `tabtune train --model DIR --task TASK --train FILE [--dev FILE] --out DIR [flags]`
 * An adapter over core's fine-tuning session (the page's worker drives the same one): the model
 * folder's files and the data files go in as byte sources, the flags become the session's task,
 * settings edits (from core's settings table) and column mapping, and the session's events become
 * the progress bar on stderr. In --out: the fine-tuned model as a Hugging Face folder,
 * metrics.json, the last evaluation's predictions, and checkpoints/.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { UsageError, parseFlags, requireFlag } from '../args';
import { TabtuneError } from '../../core/errors';
import { TASK_NAMES, isTaskName, type TaskName } from '../../core/data';
import { editsFromFlags, settingsFlagSpec, settingsHelp, type Settings } from '../../core/settings';
import { checkpointName, deserializeCheckpoint, serializeCheckpoint, TRAINING_PRESETS, type TrainingCheckpoint, type TrainingPresetName } from '../../core/train';
import { createSession, type ErrorInfo, type SessionEvent } from '../../core/session';
import { createFsCheckpointStore } from '../../platform/node/checkpoint-store';
import { createProgressBar, type ProgressBar } from './train-progress';
import { checkOutputFolder, type InputPath } from '../../platform/node/output-paths';
import { checkCheckpointData, prepareRunFolder, runData, runMetaBytes, RUN_FILE, type RunMeta } from '../run-folder';
import { exitCodeOf, watchInterrupts, type InterruptWatch } from '../signals';
import { modelInputs } from '../output-inputs';
import { reportCommonEvent, sessionInputs } from '../session-inputs';
import { exportModelFolder, MODEL_TASK_FLAGS, parseBackend, writeEvalOutputs } from './train-shared';
import { exportTrainedModel, LORA_EXPORT_FLAGS, LORA_EXPORT_HELP, parseLoraExport } from './train-lora';

export const HELP = `usage: tabtune train --model DIR --task TASK --train FILE [--dev FILE] --out DIR [flags]

Fine-tunes BERT on a GLUE task, a TSV/CSV of your own (task tsv) or SQuAD (squad, squad2), or
continues its pre-training on your own plain text (task mlm: one sentence per line, a blank line
between documents; writes a BertForMaskedLM folder).
--model is a Hugging Face folder (config.json + model.safetensors or pytorch_model.bin) or a
Google checkpoint folder (bert_config.json + bert_model.ckpt.*). Writes to --out: the fine-tuned
model (Hugging Face folder), metrics.json, the dev predictions, and checkpoints/.

  --task TASK                        ${TASK_NAMES.join(' ')}
  --vocab FILE                       default: the model folder's vocab.txt / tokenizer.json
  --preset NAME                      ${Object.keys(TRAINING_PRESETS).join(', ')} (flags override it)
  --version-2-with-negative          squad: SQuAD 2.0 (the same as --task squad2)
  --text-a COL --text-b COL --label COL   tsv: column names or 0-based indices
  --backend NAME                     wasm (default in Node) or cpu
  --resume                           continue from the newest checkpoint in --out/checkpoints
  --resume-from DIR                  continue from this checkpoint folder
  --overwrite                        write into a non-empty --out that is not a run of this data
                                     (an earlier run's checkpoints are moved aside, never deleted)

--out never names, holds or lies on an input (model folder, vocabulary, data files). Ctrl-C or
SIGTERM stops at the next step, saves a checkpoint and exits 130 / 143; a second signal exits at once.
${LORA_EXPORT_HELP}

Training settings (defaults for classification tasks, then SQuAD's where they differ; a default
the model cannot take, such as a max sequence length beyond its positions, is lowered and said):
${settingsHelp()}
`;

export const TRAIN_FLAGS = {
  ...MODEL_TASK_FLAGS,
  ...settingsFlagSpec(),
  train: { type: 'string' },
  dev: { type: 'string' },
  preset: { type: 'string' },
  'version-2-with-negative': { type: 'boolean' },
  resume: { type: 'boolean' },
  'resume-from': { type: 'string' },
  ...LORA_EXPORT_FLAGS,
} as const;

export function parseTask(value: string | undefined): TaskName {
  const task = requireFlag(value, 'task');
  if (!isTaskName(task)) throw new UsageError(`--task must be one of ${TASK_NAMES.join(', ')}; got '${task}'`);
  return task;
}

function columnRef(v: string | undefined): string | number | undefined {
  if (v === undefined) return undefined;
  return /^\d+$/.test(v) ? Number(v) : v;
}

/** The settings the flags set, over the preset's (core's table parses and bounds every value). */
export function editsFromArgs(f: Record<string, unknown>): Partial<Settings> {
  const preset = (f.preset ?? 'reference') as TrainingPresetName;
  if (!(preset in TRAINING_PRESETS)) throw new UsageError(`--preset must be one of ${Object.keys(TRAINING_PRESETS).join(', ')}; got '${String(f.preset)}'`);
  const { edits, errors } = editsFromFlags(f);
  if (errors.length > 0) throw new UsageError(errors.join('\n'));
  return { ...(TRAINING_PRESETS[preset] as Partial<Settings>), ...edits };
}

function formatMetrics(m: Record<string, number>): string {
  return Object.entries(m).map(([k, v]) => `${k}=${Number.isInteger(v) ? v : v.toFixed(4)}`).join(' ');
}

/** The session's events as progress on stderr; errors kept for the exit. */
function progressListener(bar: ProgressBar, errors: ErrorInfo[], progress: { step: number }): (ev: SessionEvent) => void {
  let totalSteps = 0;
  return (ev) => {
    if (reportCommonEvent(ev, bar, errors)) return;
    switch (ev.type) {
      case 'progress':
        if (ev.phase !== 'epoch') bar.phase(ev.phase, ev.done, ev.total);
        return;
      case 'settings':
        for (const a of ev.adapted) bar.log(`${a.key} = ${JSON.stringify(a.to)} (default ${JSON.stringify(a.from)}): ${a.reason}`);
        return;
      case 'runStarted': {
        const r = ev.run;
        const s = r.settings;
        totalSteps = r.totalSteps;
        bar.log(
          `${r.task}: ${r.numTrainExamples} training examples -> ${r.numTrainFeatures} features; ${r.numDevExamples ? `${r.numDevExamples} dev examples; ` : ''}` +
            `${r.totalSteps} optimizer steps, batch ${s.trainBatchSize}x${s.gradientAccumulationSteps}, lr ${s.learningRate}, ${s.optimizer}`,
        );
        return;
      }
      case 'step':
        for (const m of ev.steps) {
          bar.step(m, totalSteps);
          progress.step = m.step;
        }
        return;
      case 'eval':
        bar.log(`eval step ${ev.result.step} epoch ${ev.result.epoch.toFixed(2)}: ${formatMetrics(ev.result.metrics)}`);
        return;
      case 'checkpoint':
        bar.log(`checkpoint ${checkpointName(ev.step)}`);
        return;
      default:
    }
  };
}

function fromInfo(e: ErrorInfo): TabtuneError {
  // The session's message already names the file, the location and what was expected.
  return new TabtuneError(e.message, { code: e.code ?? 'train' });
}

export function run(argv: string[]): Promise<number> {
  return train(argv);
}

/** `run` with an extra way to stop (besides Ctrl-C): the run stops at the next step boundary and saves a checkpoint. */
export async function train(argv: string[], stop?: AbortSignal): Promise<number> {
  const f = parseFlags(argv, TRAIN_FLAGS, HELP);
  let task = parseTask(f.task);
  if (f['version-2-with-negative']) {
    if (task !== 'squad' && task !== 'squad2') throw new UsageError('--version-2-with-negative is for squad');
    task = 'squad2';
  }
  const modelDir = requireFlag(f.model, 'model');
  const trainFile = requireFlag(f.train, 'train');
  const outDir = requireFlag(f.out, 'out');
  const edits = editsFromArgs(f);
  const loraExport = parseLoraExport(f['lora-export']);
  const columns = task === 'tsv' ? { textA: columnRef(requireFlag(f['text-a'], 'text-a'))!, textB: columnRef(f['text-b']), label: columnRef(requireFlag(f.label, 'label'))! } : undefined;
  const bar = createProgressBar(process.stderr);
  const errors: ErrorInfo[] = [];
  const progress = { step: 0 };

  // Where the run writes: never over an input, never into someone else's folder (run-folder.ts).
  const inputs: InputPath[] = modelInputs(modelDir, f.vocab, [
    { path: trainFile, what: 'the training file (--train)' },
    ...(f.dev ? [{ path: f.dev, what: 'the dev file (--dev)' }] : []),
  ]);
  checkOutputFolder(outDir, inputs, { allowInside: f['resume-from'] ? [f['resume-from']] : [] });
  const data = await runData(trainFile, task, edits, columns);
  const resuming = !!(f.resume || f['resume-from']);
  const folder = prepareRunFolder(outDir, data, { overwrite: !!f.overwrite, resuming, log: (m) => bar.log(m) });
  const meta: RunMeta = folder.existing ?? {
    format: 'tabtune-run', version: 1, task, data_fingerprint: data.fingerprint, data_selection: data.selection, train: resolve(trainFile), dev: f.dev ? resolve(f.dev) : undefined, model: resolve(modelDir), created: new Date().toISOString(),
  };
  const store = createFsCheckpointStore(join(outDir, 'checkpoints'), {
    extraFiles: () => new Map([[RUN_FILE, runMetaBytes(meta)]]),
    onKept: (name) => bar.log(`kept checkpoint ${name} (not written by this run)`),
  });
  const session = createSession({
    emit: progressListener(bar, errors, progress),
    storage: null,
    checkpoints: () => store,
    devFallback: f.dev !== undefined,
    preferredBackend: parseBackend(f.backend),
    calibrate: false, // the run itself starts at once: no estimate before it
  });
  const firstError = (): void => {
    if (errors.length > 0) throw fromInfo(errors[0]);
  };

  let interrupted: 'SIGINT' | 'SIGTERM' | null = null;
  // Watched from the start of training to the end of the command: a second signal while the
  // checkpoint is saved or the model exported exits at once.
  let interrupts: InterruptWatch | null = null;
  try {
    // The task and columns first: the files are then read once, the way the run reads them.
    await session.configure({ task, edits, columns });
    await session.addFiles(sessionInputs(modelDir, f.vocab, [{ file: trainFile, split: 'train' }, ...(f.dev ? [{ file: f.dev, split: 'dev' as const }] : [])], { warn: (m) => bar.log(m) }));
    firstError();
    const state = session.settings();
    if (state.task !== task) throw new UsageError(`--task ${task} does not fit ${trainFile} (detected: ${state.task ?? 'no dataset'})`);
    if (state.issues.length > 0) throw new UsageError(state.issues.map((i) => i.message).join('\n'));

    let resumeFrom: TrainingCheckpoint | undefined;
    if (f['resume-from']) {
      const dir = f['resume-from'];
      const parent = createFsCheckpointStore(join(dir, '..'));
      const name = dir.replace(/[\\/]+$/, '').split(/[\\/]/).pop()!;
      const files = await parent.load(name);
      checkCheckpointData(files, data, dir);
      resumeFrom = deserializeCheckpoint(files, dir);
    } else if (f.resume) {
      const names = await store.list();
      const latest = names[names.length - 1];
      if (!latest) throw new TabtuneError('no checkpoint to resume from', { file: join(outDir, 'checkpoints'), expected: 'a checkpoint written by an earlier tabtune train --out to the same folder', code: 'checkpoint-missing' });
      const files = await store.load(latest);
      checkCheckpointData(files, data, join(outDir, 'checkpoints', latest));
      resumeFrom = deserializeCheckpoint(files, latest);
      bar.log(`resuming from ${latest}`);
    }

    // The run's metadata first: an interrupted run still marks the folder as a run of this data.
    await mkdir(outDir, { recursive: true });
    await writeFile(join(outDir, RUN_FILE), runMetaBytes(meta));

    interrupts = watchInterrupts(() => session.stop(), (line) => bar.log(line), () => `at step ${progress.step}`);
    const onStop = () => session.stop();
    stop?.addEventListener('abort', onStop, { once: true });
    try {
      await session.start({ runId: 'cli', runName: outDir, resumeFrom });
      firstError();
      if (stop?.aborted || interrupts.received) session.stop();
      await session.idle();
    } finally {
      stop?.removeEventListener('abort', onStop);
    }
    interrupted = interrupts.received;
    bar.done();

    const last = session.lastRun();
    const result = last?.result;
    if (interrupted && errors.length === 0 && (!result || !last?.model)) {
      process.stderr.write(`tabtune train: ${interrupted} before the first step: nothing to save\n`);
      return exitCodeOf(interrupted);
    }
    if (!last || !result || !last.model || !last.tokenizer || !last.modelConfig || !last.adapter) {
      throw errors[0] ? fromInfo(errors[0]) : new TabtuneError('the run ended without a model', { code: 'train' });
    }
    if (result.status === 'cancelled' && result.snapshot) {
      const name = checkpointName(result.snapshot.state.step);
      // Already there when the stop came right after a periodic save (or before any step of a resumed run).
      if (!(await store.list()).includes(name)) await store.save(name, serializeCheckpoint(result.snapshot));
      bar.log(`checkpoint ${name} saved: continue with --resume`);
    }

    await mkdir(outDir, { recursive: true });
    const history = result.state.history;
    const lastEval = history.eval[history.eval.length - 1];
    const finalLoss = history.train[history.train.length - 1];
    const metrics = {
      train: history.train,
      eval: history.eval,
      final: {
        status: result.status,
        global_step: result.state.step,
        num_train_steps: result.numTrainSteps,
        epoch: lastEval?.epoch ?? result.state.epoch,
        train_loss: finalLoss?.loss ?? null,
        ...(lastEval?.metrics ?? {}),
        ...(result.nonFinite ? { non_finite_step: result.nonFinite.step, non_finite_tensor: result.nonFinite.tensor } : {}),
      },
    };
    await writeFile(join(outDir, 'metrics.json'), JSON.stringify(metrics, null, 2) + '\n');
    if (last.lastOutcome) await writeEvalOutputs(outDir, last.lastOutcome);
    await exportTrainedModel(outDir, last.model, { config: last.modelConfig, rawConfig: last.rawConfig ?? {}, tokenizer: last.tokenizer }, last.adapter.head, loraExport);
    process.stdout.write(JSON.stringify(metrics.final) + '\n');
    if (result.status === 'diverged') {
      process.stderr.write(`tabtune train: stopped at step ${result.nonFinite!.step}: non-finite ${result.nonFinite!.tensor}; the last good weights were exported. Run again with --resume and a lower --learning-rate.\n`);
      return 1;
    }
    return result.status === 'completed' ? 0 : exitCodeOf(interrupted ?? 'SIGINT');
  } finally {
    interrupts?.dispose();
    session.dispose();
  }
}
