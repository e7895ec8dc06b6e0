/** The task adapter factory: one entry point for every task (GLUE, a user's TSV, SQuAD v1/v2). */
import type { DataSource } from '../data/source';
import type { TaskName } from '../data/types';
import type { ColumnMapping } from '../data/table-reader';
import type { Tokenizer } from '../tokenizer/types';
import type { TrainingConfig } from './run-config';
import { isMlmTask, isSquadTask } from '../data/glue-tasks';
import type { DatasetCache, TaskAdapter } from './task-types';
import { createClassifierTask } from './task-classifier';
import { createSquadTask } from './task-squad';
import { createMlmTask } from './task-mlm';

export interface TaskInput {
  tokenizer: Tokenizer;
  config: TrainingConfig;
  train?: DataSource;
  /** A labelled dev file, or an unlabelled test file to predict on. */
  dev?: DataSource;
  /** `tsv`: column mapping (and `regression` for float targets). */
  columns?: ColumnMapping;
  regression?: boolean;
  /** Class labels when no training file is given (a fine-tuned model's id2label). */
  labels?: string[];
  onProgress?: (phase: 'reading' | 'featurizing', done: number, total: number) => void;
  /** Parsed files kept across calls (a session's), so each is parsed once. */
  cache?: DatasetCache;
}

export function createTaskAdapter(input: TaskInput): Promise<TaskAdapter> {
  const task: TaskName = input.config.task;
  if (isSquadTask(task)) {
    return createSquadTask({ task, tokenizer: input.tokenizer, config: input.config, train: input.train, dev: input.dev, onProgress: input.onProgress, cache: input.cache });
  }
  if (isMlmTask(task)) return createMlmTask(input);
  return createClassifierTask({ ...input, task });
}
