/**
 * A Tabtune run as a job folder for PyTorch's own distributed engine (torchrun + DDP):
 *
 *   model/                 the starting model as a Hugging Face folder (the new head already
 *                          initialised as Tabtune initialised it, so both runs start equal)
 *   features/train-0000k-of-0000N.safetensors   the converted training features (features.ts)
 *   settings.json          the run: seed, batch, accumulation, dropout, optimizer, schedule, counts
 *   train.py               PyTorch only (train-py.ts); writes output/ (HF folder + metrics.json)
 *   README.md              commands for one GPU, torchrun --nproc_per_node=8, several nodes
 *   data/<dev file>        the dev file as given, to evaluate output/ with tabtune afterwards
 *
 * Returned as {path, bytes}[]: the CLI writes them to disk, the page zips them.
 */
import { TabtuneError } from '../../errors';
import type { TrainingConfig } from '../../train/run-config';
import { countTrainSteps, optimizerConfigFor } from '../../train/run-config';
import type { TrainSet } from '../../train/task-types';
import { exportHfFolder, type HfExportInput } from '../export-hf';
import type { ExportFile } from '../onnx/transformers-js-folder';
import { featureShards } from './features';
import { jobReadme } from './readme';
import { TRAIN_PY } from './train-py';

export interface TorchJobInput {
  /** The model at the start of the run (weights as Tabtune's model holds them before step 1). */
  model: HfExportInput;
  training: TrainingConfig;
  train: TrainSet;
  /** The dev / test file as the user gave it (copied to data/ for `tabtune predict`). */
  dev?: { name: string; bytes: Uint8Array };
  featuresPerShard?: number;
}

export interface TorchJobSettings {
  format: 'tabtune-torch-job';
  version: 1;
  task: string;
  head: { kind: 'classification' | 'regression' | 'span'; num_outputs: number; labels?: string[] };
  run: { seed: number; train_batch_size: number; gradient_accumulation_steps: number; dropout: boolean; max_seq_length: number; num_train_epochs: number; deterministic: boolean; log_every: number };
  optimizer: { name: string; learning_rate: number; num_train_steps: number; num_warmup_steps: number; schedule: string; weight_decay: number; max_grad_norm: number; beta1: number; beta2: number; epsilon: number };
  data: { num_train_examples: number; num_train_features: number; micro_batches_per_epoch: number; total_micro_batches: number; train_shards: string[]; dev_file: string | null };
  /** Tabtune's full training config, for the record (and to re-run the same in Tabtune). */
  tabtune: TrainingConfig;
}

export function exportTorchJob(input: TorchJobInput): ExportFile[] {
  const { training: c, train, model } = input;
  const counts = countTrainSteps(c, train.numFeatures);
  const o = optimizerConfigFor(c, train.numFeatures);
  const head = model.head;
  if (head.kind === 'mlm') {
    throw new TabtuneError('a torchrun job continues a task fine-tuning run; masked-LM pre-training jobs are not written yet', {
      file: 'settings.json', location: 'head', expected: 'a classification, regression or span head', code: 'export-head',
    });
  }
  const shards = featureShards(train, c.maxSeqLength, input.featuresPerShard);
  const devPath = input.dev ? `data/${input.dev.name.split(/[\\/]/).pop()}` : null;
  const settings: TorchJobSettings = {
    format: 'tabtune-torch-job',
    version: 1,
    task: c.task,
    head: head.kind === 'classification' ? { kind: 'classification', num_outputs: head.numLabels, labels: head.labels } : { kind: head.kind, num_outputs: head.kind === 'span' ? 2 : 1 },
    run: {
      seed: c.seed,
      train_batch_size: c.trainBatchSize,
      gradient_accumulation_steps: c.gradientAccumulationSteps,
      dropout: c.dropout,
      max_seq_length: c.maxSeqLength,
      num_train_epochs: c.numTrainEpochs,
      deterministic: true,
      log_every: 10,
    },
    optimizer: {
      name: o.name,
      learning_rate: o.learningRate,
      num_train_steps: o.numTrainSteps,
      num_warmup_steps: o.numWarmupSteps,
      schedule: o.schedule,
      weight_decay: o.weightDecay,
      max_grad_norm: o.maxGradNorm,
      beta1: o.beta1,
      beta2: o.beta2,
      epsilon: o.epsilon,
    },
    data: {
      num_train_examples: train.numExamples,
      num_train_features: train.numFeatures,
      micro_batches_per_epoch: counts.microBatchesPerEpoch,
      total_micro_batches: counts.numTrainSteps * c.gradientAccumulationSteps,
      train_shards: shards.map((s) => s.path),
      dev_file: devPath,
    },
    tabtune: c,
  };
  const enc = new TextEncoder();
  const files: ExportFile[] = [];
  for (const [name, bytes] of exportHfFolder(model)) files.push({ path: `model/${name}`, bytes });
  for (const s of shards) files.push({ path: s.path, bytes: s.bytes });
  files.push({ path: 'settings.json', bytes: enc.encode(`${JSON.stringify(settings, null, 2)}\n`) });
  files.push({ path: 'train.py', bytes: enc.encode(TRAIN_PY) });
  files.push({ path: 'README.md', bytes: enc.encode(jobReadme(settings, model.config.numHiddenLayers, model.config.hiddenSize)) });
  if (input.dev && devPath) files.push({ path: devPath, bytes: input.dev.bytes });
  return files;
}
