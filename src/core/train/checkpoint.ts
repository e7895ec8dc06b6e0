/**
 * Training checkpoints: everything a run needs to continue bit-for-bit, as a few files.
 *
 *   model.safetensors       weights, Hugging Face names and orientation (float32)
 *   optimizer.safetensors   the optimizer's state tensors (moments, accumulated gradients)
 *   trainer_state.json      loop state: step, epoch, position in the epoch, that epoch's data
 *                           order, RNG state, optimizer scalars, the run's config and history
 *
 * Storage is an interface: `createMemoryCheckpointStore` here, a filesystem store for Node in
 * src/platform/node/checkpoint-store.ts, and the page provides one over IndexedDB.
 */
import { TabtuneError } from '../errors';
import { readSafetensors, writeSafetensors, type LoadedTensor } from '../io/safetensors';
import type { WeightMap } from '../model/types';
import type { EvalResult } from './types';
import type { TrainingConfig } from './run-config';

export const CHECKPOINT_FILES = {
  weights: 'model.safetensors',
  optimizer: 'optimizer.safetensors',
  state: 'trainer_state.json',
} as const;

export const CHECKPOINT_FORMAT_VERSION = 1;

/** One point of the training-loss series (metrics.json's "train"). */
export interface TrainPoint {
  step: number;
  loss: number;
  learning_rate: number;
}

/** Where the loop stands; JSON-serialisable. */
export interface LoopState {
  /** Optimizer steps taken. */
  step: number;
  /** Micro-batches consumed (step · accumulation + pending accumulated ones). */
  microStep: number;
  /** 0-based epoch the next micro-batch belongs to. */
  epoch: number;
  /** Next micro-batch's index inside the epoch. */
  batchInEpoch: number;
  /** This epoch's order of training features. */
  epochOrder: number[];
  /** The data-order RNG after drawing epochOrder. */
  rngState: number[];
  /** Number of training features the order refers to (a changed data set cannot resume). */
  numTrainFeatures: number;
  /** Step and loss of the last finite loss, and history for metrics.json. */
  history: { train: TrainPoint[]; eval: EvalResult[] };
}

export interface OptimizerSnapshot {
  tensors: Map<string, LoadedTensor>;
  /** Scalars such as the optimizer's step count. */
  meta: Record<string, number | string | boolean>;
}

export interface TrainingCheckpoint {
  weights: WeightMap;
  optimizer: OptimizerSnapshot;
  state: LoopState;
  config: TrainingConfig;
}

export interface CheckpointStore {
  save(name: string, files: Map<string, Uint8Array>): Promise<void>;
  /** The files of a checkpoint; a TabtuneError when there is none by that name. */
  load(name: string): Promise<Map<string, Uint8Array>>;
  /** Names of saved checkpoints, oldest first. */
  list(): Promise<string[]>;
  remove(name: string): Promise<void>;
}

/** Checkpoint names sort by step: `step-000001000`. */
export function checkpointName(step: number): string {
  return `step-${String(step).padStart(9, '0')}`;
}

export function serializeCheckpoint(ckpt: TrainingCheckpoint): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>();
  files.set(CHECKPOINT_FILES.weights, writeSafetensors(ckpt.weights, { format: 'pt' }));
  files.set(CHECKPOINT_FILES.optimizer, writeSafetensors(ckpt.optimizer.tensors));
  const json = {
    format: 'tabtune-checkpoint',
    version: CHECKPOINT_FORMAT_VERSION,
    state: ckpt.state,
    optimizer: ckpt.optimizer.meta,
    config: ckpt.config,
  };
  files.set(CHECKPOINT_FILES.state, new TextEncoder().encode(JSON.stringify(json)));
  return files;
}

export function deserializeCheckpoint(files: Map<string, Uint8Array>, name = 'checkpoint'): TrainingCheckpoint {
  for (const f of Object.values(CHECKPOINT_FILES)) {
    if (!files.has(f)) {
      throw new TabtuneError(`checkpoint lacks ${f}`, { file: name, location: f, expected: Object.values(CHECKPOINT_FILES).join(', '), code: 'checkpoint-files' });
    }
  }
  let json: { format?: string; version?: number; state?: LoopState; optimizer?: OptimizerSnapshot['meta']; config?: TrainingConfig };
  try {
    json = JSON.parse(new TextDecoder().decode(files.get(CHECKPOINT_FILES.state)));
  } catch (e) {
    throw new TabtuneError(`trainer state is not JSON (${(e as Error).message})`, { file: `${name}/${CHECKPOINT_FILES.state}`, expected: 'a Tabtune trainer_state.json', code: 'checkpoint-state' });
  }
  if (json.format !== 'tabtune-checkpoint' || json.version !== CHECKPOINT_FORMAT_VERSION || !json.state || !json.config) {
    throw new TabtuneError('not a Tabtune checkpoint of this version', {
      file: `${name}/${CHECKPOINT_FILES.state}`,
      expected: `format "tabtune-checkpoint", version ${CHECKPOINT_FORMAT_VERSION}, with state and config`,
      code: 'checkpoint-state',
    });
  }
  const s = json.state;
  const order = s.epochOrder;
  if (!Array.isArray(order) || order.length !== s.numTrainFeatures || !Array.isArray(s.rngState) || s.rngState.length !== 4) {
    throw new TabtuneError('trainer state has a bad data order or RNG state', {
      file: `${name}/${CHECKPOINT_FILES.state}`,
      expected: 'epochOrder with numTrainFeatures entries and four RNG words',
      code: 'checkpoint-state',
    });
  }
  return {
    weights: readSafetensors(files.get(CHECKPOINT_FILES.weights)!, `${name}/${CHECKPOINT_FILES.weights}`).tensors,
    optimizer: {
      tensors: readSafetensors(files.get(CHECKPOINT_FILES.optimizer)!, `${name}/${CHECKPOINT_FILES.optimizer}`).tensors,
      meta: json.optimizer ?? {},
    },
    state: s,
    config: json.config,
  };
}

/** Keeps checkpoints in memory (tests, and runs that need no persistence). */
export function createMemoryCheckpointStore(): CheckpointStore {
  const saved = new Map<string, Map<string, Uint8Array>>();
  return {
    async save(name, files) {
      saved.set(name, new Map([...files].map(([k, v]) => [k, v.slice()])));
    },
    async load(name) {
      const files = saved.get(name);
      if (!files) throw new TabtuneError(`no checkpoint named ${name}`, { file: name, expected: `one of ${[...saved.keys()].join(', ') || '(none saved)'}`, code: 'checkpoint-missing' });
      return new Map([...files].map(([k, v]) => [k, v.slice()]));
    },
    async list() {
      return [...saved.keys()].sort();
    },
    async remove(name) {
      saved.delete(name);
    },
  };
}

/** The newest checkpoint in a store, or undefined. */
export async function loadLatestCheckpoint(store: CheckpointStore): Promise<{ name: string; checkpoint: TrainingCheckpoint } | undefined> {
  const names = await store.list();
  const name = names[names.length - 1];
  if (name === undefined) return undefined;
  return { name, checkpoint: deserializeCheckpoint(await store.load(name), name) };
}
