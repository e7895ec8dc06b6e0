/**
 * From a session's files to what the page shows before a run: the task (detected, or the user's
 * choice when the data allows it), which file trains and which evaluates, the model found, what is
 * missing, the records per split, and the first examples as the model will see them (the plan).
 * Datasets are read through the session's cache, so counting, previewing and training parse each
 * file once.
 */
import { convertExample } from '../data/classifier-features';
import { glueTaskSpec, isGlueTask, isSquadTask } from '../data/glue-tasks';
import { firstSquadQuestions, squadExamplesFromJson } from '../data/squad-reader';
import { convertSquadExamples } from '../data/squad-features';
import type { ColumnMapping } from '../data/table-reader';
import type { InputExample, TaskName } from '../data/types';
import type { BertConfig } from '../model/config';
import { encoderParamShapes, poolerParamShapes } from '../model/params';
import type { Settings } from '../settings/schema';
import { tokenizerFromBytes } from '../tokenizer/load';
import type { Tokenizer } from '../tokenizer/types';
import { readClassifierFile } from '../train/task-classifier';
import { readSquadJson } from '../train/task-squad';
import type { DatasetCache } from '../train/task-types';
import type { ColumnChoice, ModelSummary, PreviewExample, TaskDetection } from './events';
import { dataSource, type KeptFile } from './files';
import { countTextRecords, mlmPreview } from './mlm-analysis';

export interface Analysis {
  detection: TaskDetection;
  task: TaskName | null;
  train?: KeptFile;
  dev?: KeptFile;
  /** Config, weights and tokenizer files, for loadPretrained. */
  modelFiles: KeptFile[];
  vocab?: KeptFile;
  config?: KeptFile;
}

const ACTIVATION_TEXT: Record<BertConfig['hiddenAct'], string> = {
  gelu_erf: 'gelu (exact erf form)',
  gelu_tanh: 'gelu (tanh approximation)',
  relu: 'relu',
};

/** Encoder + pooler parameters of a BERT config (no head), from the model's parameter table. */
export function countParameters(c: BertConfig): number {
  let n = 0;
  for (const shapes of [encoderParamShapes(c), poolerParamShapes(c)]) for (const s of shapes.values()) n += s.reduce((a, b) => a * b, 1);
  return n;
}

export function modelSummary(config: BertConfig, source: ModelSummary['source'], flavorNote = ''): ModelSummary {
  return {
    source,
    vocabSize: config.vocabSize,
    hiddenSize: config.hiddenSize,
    numLayers: config.numHiddenLayers,
    numHeads: config.numAttentionHeads,
    intermediateSize: config.intermediateSize,
    maxPositions: config.maxPositionEmbeddings,
    parameters: countParameters(config),
    activation: ACTIVATION_TEXT[config.hiddenAct] + flavorNote,
  };
}

const WEIGHT_KINDS = new Set(['safetensors', 'pytorch-bin', 'tf-index', 'tf-data']);

function dataFilesFor(task: TaskName, files: KeptFile[]): KeptFile[] {
  return files.filter((f) => {
    if (!f.report.accepted || !f.dataset) return false;
    if (isSquadTask(task)) return f.dataset.kind === 'squad';
    if (task === 'tsv') return f.dataset.kind === 'csv' || f.dataset.kind === 'tsv' || f.dataset.kind === 'glue';
    if (task === 'mlm') return f.dataset.kind === 'text';
    return f.dataset.kind === 'glue';
  });
}

function detectedTask(files: KeptFile[]): { task: TaskName | null; reason: string; candidates: TaskName[]; columns?: string[] } {
  const all = files.filter((f) => f.report.accepted && f.dataset);
  // A labelled dataset wins: plain text selects the masked-LM task only when it is the only data.
  const labelled = all.filter((f) => f.dataset?.kind !== 'text');
  const data = labelled.length > 0 ? labelled : all;
  const pick = data.find((f) => f.split === 'train') ?? data[0];
  if (!pick?.dataset) return { task: null, reason: 'no dataset dropped yet', candidates: [] };
  const d = pick.dataset;
  switch (d.kind) {
    case 'glue':
      return {
        task: d.task,
        reason: `${pick.name}: GLUE ${d.task.toUpperCase()} layout (header and file name)`,
        candidates: [d.task, ...(d.alternatives ?? []).filter((t) => t !== d.task), 'tsv'],
      };
    case 'csv':
    case 'tsv':
      return { task: 'tsv', reason: `${pick.name}: a ${d.kind.toUpperCase()} table (map its columns)`, candidates: ['tsv'], columns: d.columns };
    case 'squad':
      return d.version === 2
        ? { task: 'squad2', reason: `${pick.name}: SQuAD 2.0 (version field or is_impossible)`, candidates: ['squad2'] }
        : { task: 'squad', reason: `${pick.name}: SQuAD v1.1 JSON`, candidates: ['squad', 'squad2'] };
    case 'text':
      return { task: 'mlm', reason: `${pick.name}: plain text (one sentence per line): masked-LM pre-training on your text`, candidates: ['mlm'] };
    default:
      return { task: null, reason: 'no dataset recognised', candidates: [] };
  }
}

/** `chosen`: the user's task, used when the dropped data fits it. */
export function analyseFiles(files: KeptFile[], chosen: TaskName | null): Analysis {
  const det = detectedTask(files);
  let task = det.task;
  let reason = det.reason;
  if (chosen && chosen !== task && det.task !== null && dataFilesFor(chosen, files).length > 0) {
    task = chosen;
    reason = `chosen by you (detected: ${det.task})`;
  }
  const data = task ? dataFilesFor(task, files) : [];
  const train = data.find((f) => f.split === 'train');
  const dev = data.find((f) => f.split === 'dev');
  const accepted = files.filter((f) => f.report.accepted);
  const config = accepted.find((f) => f.config);
  const vocab = accepted.find((f) => f.report.kind === 'vocab') ?? accepted.find((f) => f.report.kind === 'tokenizer-json');
  const weights = accepted.filter((f) => WEIGHT_KINDS.has(f.report.kind) && f.report.use === 'weights');
  const modelFiles = accepted.filter((f) => f.model && f.report.use !== 'ignored');

  const missing: string[] = [];
  if (!train) missing.push(task ? `a training file for ${task}` : 'a dataset (GLUE TSV, CSV/TSV, SQuAD JSON, or plain text for masked-LM)');
  if (!vocab) missing.push('a vocabulary (vocab.txt or tokenizer.json)');
  if (!config) missing.push('a model config (config.json or bert_config.json)');
  if (weights.length === 0) missing.push('model weights (model.safetensors, pytorch_model.bin, or a TensorFlow checkpoint)');

  const labels = task && isGlueTask(task) ? [...(glueTaskSpec(task).labels ?? [])] : [];
  const model = config?.config
    ? modelSummary(config.config.config, config.config.flavor === 'google' ? 'google' : 'huggingface', config.config.flavor === 'google' ? ', Google config' : ', Hugging Face config')
    : null;
  const columns = train?.dataset && (train.dataset.kind === 'csv' || train.dataset.kind === 'tsv') ? train.dataset.columns : det.columns;
  const detection: TaskDetection = {
    task,
    reason: dev || !train ? reason : task === 'mlm' ? `${reason}; no dev file: a share of the text is held out for evaluation` : `${reason}; no dev file: evaluation uses the training file`,
    candidates: det.candidates,
    labels,
    counts: { train: 0, dev: 0, test: 0 },
    model,
    columns,
    ready: missing.length === 0,
    missing,
  };
  return { detection, task, train, dev: dev ?? train, modelFiles, vocab, config };
}

/** The column mapping for task `tsv`: the user's, else text_a = first, text_b = second of three, label = last. */
export function columnsFor(chosen: ColumnChoice | undefined, columns: readonly string[] | undefined): ColumnMapping | undefined {
  if (chosen) return chosen;
  if (!columns || columns.length < 2) return undefined;
  if (columns.length === 2) return { textA: columns[0], label: columns[1] };
  return { textA: columns[0], textB: columns[1], label: columns[columns.length - 1] };
}

export async function buildTokenizer(vocab: KeptFile, doLowerCase: boolean): Promise<Tokenizer> {
  return tokenizerFromBytes(await vocab.source.read(0, vocab.size), vocab.name, { doLowerCase });
}

export interface RecordCount {
  /** Usable records (rows or questions). */
  records: number;
  /** Bad records the reader skipped. */
  skipped: number;
  /** The reader's notes on them (the first few), for the log. */
  notes: string[];
  /** Classification: the labels the file holds. */
  labels?: string[] | null;
}

/**
 * Reads a data file as the task's adapter will (through the cache: this read is the one the run
 * reuses) and counts the usable records. A table whose columns cannot be mapped yet is not read.
 */
export async function countRecords(
  f: KeptFile,
  task: TaskName,
  cache: DatasetCache,
  role: 'train' | 'dev',
  columns: ColumnMapping | undefined,
  /** dev: the training file's labels, as the adapter reads the dev file with them. */
  labels: string[] | null,
): Promise<RecordCount | null> {
  const source = dataSource(f);
  if (isSquadTask(task)) {
    if (f.dataset?.kind !== 'squad') return null;
    const { json } = await readSquadJson(source, cache);
    const notes: string[] = [];
    const ds = squadExamplesFromJson(json, f.name, { training: role === 'train', version2: task === 'squad2', onSkip: (e) => notes.length < 5 && notes.push(e.message) });
    return { records: ds.stats.kept, skipped: ds.stats.skipped, notes };
  }
  if (task === 'mlm') return f.dataset?.kind === 'text' ? countTextRecords(source) : null;
  if (task === 'tsv' && !columns) return null;
  const r = await readClassifierFile({ task, columns: task === 'tsv' ? columns : undefined, cache }, source, role, role === 'train' ? null : labels);
  return { records: r.examples.length, skipped: r.skipped, notes: r.notes, labels: r.labels };
}

function classifierPreview(examples: readonly InputExample[], tokenizer: Tokenizer, settings: Settings): PreviewExample[] {
  return examples.map((ex) => {
    // The preview shows the label as written; no label ids (labels: null would read every label as a regression number).
    const f = convertExample(ex, tokenizer, { maxSeqLength: settings.maxSeqLength, labels: undefined });
    const n = f.input_mask.reduce((a, b) => a + b, 0);
    return {
      guid: ex.guid,
      tokens: tokenizer.convertIdsToTokens(f.input_ids.slice(0, n)),
      segmentIds: f.segment_ids.slice(0, n),
      label: ex.label,
    };
  });
}

/**
 * The first `count` training examples as features (classification), or the first questions'
 * windows with their answer spans (SQuAD), from the cached parse of the training file.
 */
export async function buildPreview(
  analysis: Analysis,
  tokenizer: Tokenizer,
  settings: Settings,
  cache: DatasetCache,
  columns: ColumnMapping | undefined,
  count = 3,
): Promise<PreviewExample[]> {
  const { task, train } = analysis;
  if (!task || !train) return [];
  if (isSquadTask(task)) {
    const { json } = await readSquadJson(dataSource(train), cache);
    const ds = squadExamplesFromJson(firstSquadQuestions(json, count), train.name, { training: true, version2: task === 'squad2' });
    const examples = ds.examples.slice(0, count);
    const features = convertSquadExamples(examples, tokenizer, {
      maxSeqLength: settings.maxSeqLength, docStride: settings.docStride, maxQueryLength: settings.maxQueryLength, training: true,
    });
    const windows = new Map<number, number>();
    for (const f of features) windows.set(f.example_index, (windows.get(f.example_index) ?? 0) + 1);
    return features.slice(0, count * 2).map((f) => {
      const n = f.input_mask.reduce((a, b) => a + b, 0);
      const ex = examples[f.example_index];
      const inside = f.start_position !== null && f.end_position !== null && f.start_position > 0;
      return {
        guid: `${f.qas_id} window ${f.doc_span_index + 1}`,
        tokens: f.tokens.slice(0, n),
        segmentIds: f.segment_ids.slice(0, n),
        question: ex.questionText,
        answer: inside ? { start: f.start_position!, end: f.end_position!, text: f.tokens.slice(f.start_position!, f.end_position! + 1).join(' ').replace(/ ##/g, '') } : null,
        window: { index: f.doc_span_index, count: windows.get(f.example_index) ?? 1 },
      };
    });
  }
  if (task === 'mlm') return mlmPreview(train, tokenizer, settings, cache, count);
  if (task === 'tsv' && !columns) return [];
  const r = await readClassifierFile({ task, columns: task === 'tsv' ? columns : undefined, cache }, dataSource(train), 'train', null);
  return classifierPreview(r.examples.slice(0, count), tokenizer, settings);
}
