/**
 * The GLUE processors' column rules, one entry per task. MRPC, CoLA and MNLI follow
 * google-research/bert's run_classifier.py; the tasks it does not ship (SST-2, QQP, STS-B, QNLI,
 * RTE, WNLI, MNLI mismatched) follow the processors of Hugging Face's transformers
 * (`glue.py`), which are written in the same style.
 *
 * `i` is the line's index in the file (0 = the header line where there is one), as the
 * processors' `enumerate(lines)` gives it; `guid` is `${setType}-${i}` or `${setType}-${line[0]}`
 * as each processor writes it. Test files carry no labels: the processors put "0" (MRPC, CoLA)
 * or the first label ("contradiction" for MNLI) there, so every task here uses its first label
 * (STS-B: "0").
 */
import type { GlueTask, InputExample, Split, SquadTask, TaskName } from './types';

export interface GlueTaskSpec {
  readonly task: GlueTask;
  /** Class names in label-id order; null for regression (STS-B). */
  readonly labels: readonly string[] | null;
  /** Whether the split's file starts with a header line. */
  hasHeader(split: Split): boolean;
  /** Columns a row of this split must have at least (the header's count is enforced too). */
  minColumns(split: Split): number;
  /** The processor's set_type for the split (used in guids). */
  setType(split: Split): string;
  /** run_classifier's _create_examples for one row. */
  example(line: readonly string[], i: number, split: Split): InputExample;
}

export const GLUE_TASKS: readonly GlueTask[] = ['cola', 'sst-2', 'mrpc', 'qqp', 'sts-b', 'mnli', 'mnli-mm', 'qnli', 'rte', 'wnli'];

export function isGlueTask(name: string): name is GlueTask {
  return (GLUE_TASKS as readonly string[]).includes(name);
}

const plainSetType = (split: Split): string => split;
const always = (): boolean => true;

/** Shape shared by QNLI, RTE and WNLI: index, sentence1, sentence2[, label]. */
function indexPairTask(task: GlueTask, labels: string[]): GlueTaskSpec {
  return {
    task,
    labels,
    hasHeader: always,
    minColumns: (split) => (split === 'test' ? 3 : 4),
    setType: plainSetType,
    example: (line, _i, split) => ({
      guid: `${split}-${line[0]}`,
      textA: line[1],
      textB: line[2],
      label: split === 'test' ? labels[0] : line[line.length - 1],
    }),
  };
}

function mnli(task: 'mnli' | 'mnli-mm'): GlueTaskSpec {
  const labels = ['contradiction', 'entailment', 'neutral'];
  return {
    task,
    labels,
    hasHeader: always,
    minColumns: (split) => (split === 'test' ? 10 : 11),
    setType: (split) => (split === 'dev' ? (task === 'mnli' ? 'dev_matched' : 'dev_mismatched') : split),
    example(line, _i, split) {
      return {
        guid: `${this.setType(split)}-${line[0]}`,
        textA: line[8],
        textB: line[9],
        label: split === 'test' ? 'contradiction' : line[line.length - 1],
      };
    },
  };
}

const SPECS: Record<GlueTask, GlueTaskSpec> = {
  cola: {
    task: 'cola',
    labels: ['0', '1'],
    // "Only the test set has a header"
    hasHeader: (split) => split === 'test',
    minColumns: (split) => (split === 'test' ? 2 : 4),
    setType: plainSetType,
    example: (line, i, split) =>
      split === 'test'
        ? { guid: `${split}-${i}`, textA: line[1], label: '0' }
        : { guid: `${split}-${i}`, textA: line[3], label: line[1] },
  },
  'sst-2': {
    task: 'sst-2',
    labels: ['0', '1'],
    hasHeader: always,
    minColumns: () => 2,
    setType: plainSetType,
    example: (line, i, split) =>
      split === 'test'
        ? { guid: `${split}-${i}`, textA: line[1], label: '0' }
        : { guid: `${split}-${i}`, textA: line[0], label: line[1] },
  },
  mrpc: {
    task: 'mrpc',
    labels: ['0', '1'],
    hasHeader: always,
    minColumns: () => 5,
    setType: plainSetType,
    example: (line, i, split) => ({
      guid: `${split}-${i}`,
      textA: line[3],
      textB: line[4],
      label: split === 'test' ? '0' : line[0],
    }),
  },
  qqp: {
    task: 'qqp',
    labels: ['0', '1'],
    hasHeader: always,
    minColumns: (split) => (split === 'test' ? 3 : 6),
    setType: plainSetType,
    example: (line, _i, split) =>
      split === 'test'
        ? { guid: `${split}-${line[0]}`, textA: line[1], textB: line[2], label: '0' }
        : { guid: `${split}-${line[0]}`, textA: line[3], textB: line[4], label: line[5] },
  },
  'sts-b': {
    task: 'sts-b',
    labels: null,
    hasHeader: always,
    minColumns: (split) => (split === 'test' ? 9 : 10),
    setType: plainSetType,
    example: (line, _i, split) => ({
      guid: `${split}-${line[0]}`,
      textA: line[7],
      textB: line[8],
      label: split === 'test' ? '0' : line[line.length - 1],
    }),
  },
  mnli: mnli('mnli'),
  'mnli-mm': mnli('mnli-mm'),
  qnli: indexPairTask('qnli', ['entailment', 'not_entailment']),
  rte: indexPairTask('rte', ['entailment', 'not_entailment']),
  wnli: indexPairTask('wnli', ['0', '1']),
};

export function glueTaskSpec(task: GlueTask): GlueTaskSpec {
  return SPECS[task];
}

/** The split a file name suggests: "test" / "dev" (or "val", "matched") / otherwise "train". */
export function splitFromFileName(fileName: string): Split {
  const base = fileName.split(/[\\/]/).pop()!.toLowerCase();
  if (base.includes('test')) return 'test';
  if (base.includes('dev') || base.includes('val') || base.includes('matched')) return 'dev';
  return 'train';
}

/**
 * Every task Tabtune trains, in the order menus and `--help` list them: the GLUE tasks above,
 * SQuAD v1.1 / v2.0, `tsv` (a user's own table with mapped columns), and `mlm` ("Domain text
 * (masked-LM)": continued pre-training on the user's plain text, as run_pretraining.py /
 * run_mlm.py).
 */
export const TASK_NAMES: readonly TaskName[] = [...GLUE_TASKS, 'squad', 'squad2', 'tsv', 'mlm'];

export function isTaskName(name: string): name is TaskName {
  return (TASK_NAMES as readonly string[]).includes(name);
}

export function isSquadTask(task: TaskName): task is SquadTask {
  return task === 'squad' || task === 'squad2';
}

/** Masked-LM pre-training on plain text (no labels). */
export function isMlmTask(task: TaskName): task is 'mlm' {
  return task === 'mlm';
}

/** Which google-research/bert script a task's flags and defaults follow (mlm: run_pretraining.py / create_pretraining_data.py). */
export type TaskFamily = 'classifier' | 'squad' | 'mlm';

export function taskFamily(task: TaskName): TaskFamily {
  return isSquadTask(task) ? 'squad' : isMlmTask(task) ? 'mlm' : 'classifier';
}
