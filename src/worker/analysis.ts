/**
 * From the kept files to what the page shows before a run: the task (detected, or the user's
 * choice when the data allows it), which file trains and which evaluates, the model found, what is
 * missing, and the first examples as the model will see them (preview). Calls core only.
 */
import { convertExample } from '../core/data';
import { glueTaskSpec, isGlueTask } from '../core/data';
import { readGlue } from '../core/data';
import { sourceFromBlob, sourceFromText } from '../core/data';
import { firstSquadQuestions, readSquad, squadExamplesFromJson } from '../core/data';
import { convertSquadExamples } from '../core/data';
import { readTable, type ColumnMapping } from '../core/data';
import type { InputExample, TaskName } from '../core/data';
import type { TabtuneError } from '../core/errors';
import type { BertConfig } from '../core/model';
import { tokenizerFromBytes } from '../core/tokenizer';
import type { Tokenizer } from '../core/tokenizer';
import type { ModelSummary, PreviewExample, TaskDetection } from '../protocol/events';
import { isSquadTask, type RunSettings } from '../protocol/settings';
import type { KeptFile } from './files';

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

/** Encoder + pooler parameters of a BERT config (no head). */
export function countParameters(c: BertConfig): number {
  const H = c.hiddenSize;
  const I = c.intermediateSize;
  const embeddings = (c.vocabSize + c.maxPositionEmbeddings + c.typeVocabSize) * H + 2 * H;
  const layer = 4 * (H * H + H) + 2 * H + (H * I + I) + (I * H + H) + 2 * H;
  return embeddings + c.numHiddenLayers * layer + H * H + H;
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
    return f.dataset.kind === 'glue';
  });
}

function detectedTask(files: KeptFile[]): { task: TaskName | null; reason: string; candidates: TaskName[]; columns?: string[] } {
  const data = files.filter((f) => f.report.accepted && f.dataset);
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
  if (!train) missing.push(task ? `a training file for ${task}` : 'a dataset (GLUE TSV, CSV/TSV, or SQuAD JSON)');
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
    reason: dev || !train ? reason : `${reason}; no dev file: evaluation uses the training file`,
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

/** The column mapping to use for task `tsv`: the settings', else text_a = first, text_b = second of three, label = last. */
export function columnsFor(settings: RunSettings, columns: readonly string[] | undefined): ColumnMapping | undefined {
  if (settings.columns) return settings.columns;
  if (!columns || columns.length < 2) return undefined;
  if (columns.length === 2) return { textA: columns[0], label: columns[1] };
  return { textA: columns[0], textB: columns[1], label: columns[columns.length - 1] };
}

export async function buildTokenizer(vocab: KeptFile, doLowerCase: boolean): Promise<Tokenizer> {
  return tokenizerFromBytes(new Uint8Array(await vocab.blob.arrayBuffer()), vocab.name, { doLowerCase });
}

export interface RecordCount {
  /** Usable records (rows or questions). */
  records: number;
  /** Bad records the reader skipped; each was passed to `onSkip`. */
  skipped: number;
}

/**
 * Reads a data file with the reader its task uses (GLUE, table, SQuAD) and counts the usable
 * records; every bad row / question goes to `onSkip` (a TabtuneError naming the file, the line or
 * question id and what was expected). A table whose columns cannot be mapped yet is counted by lines.
 */
export async function countRecords(f: KeptFile, onSkip?: (e: TabtuneError) => void, columns?: ColumnMapping): Promise<RecordCount> {
  const d = f.dataset;
  const split = f.split ?? 'train';
  if (d?.kind === 'squad') {
    const ds = await readSquad(sourceFromBlob(f.blob, f.name), { training: split === 'train', onSkip });
    return { records: ds.stats.kept, skipped: ds.stats.skipped };
  }
  if (d?.kind === 'glue') {
    const ds = await readGlue(d.task, sourceFromBlob(f.blob, f.name), { split, onSkip });
    return { records: ds.stats.kept, skipped: ds.stats.skipped };
  }
  if ((d?.kind === 'csv' || d?.kind === 'tsv') && columns) {
    const ds = await readTable(sourceFromBlob(f.blob, f.name), { columns, split, onSkip });
    return { records: ds.stats.kept, skipped: ds.stats.skipped };
  }
  return { records: await countLines(f), skipped: 0 };
}

/** Rows minus the header. */
async function countLines(f: KeptFile): Promise<number> {
  let lines = 0;
  let last = 0x0a;
  const reader = f.blob.stream().getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    for (let i = 0; i < value.length; i++) if (value[i] === 0x0a) lines++;
    if (value.length > 0) last = value[value.length - 1];
  }
  if (last !== 0x0a) lines++;
  const header = f.dataset?.kind === 'glue' ? glueTaskSpec(f.dataset.task).hasHeader(f.split ?? 'train') : true;
  return Math.max(0, lines - (header ? 1 : 0));
}

/** Text of the complete lines in the file's first 64 KiB. */
function headLines(f: KeptFile): string {
  const text = new TextDecoder('utf-8', { fatal: false }).decode(f.head);
  if (f.head.byteLength >= f.size) return text;
  const cut = text.lastIndexOf('\n');
  return cut > 0 ? text.slice(0, cut + 1) : text;
}

function classifierPreview(examples: InputExample[], tokenizer: Tokenizer, settings: RunSettings): PreviewExample[] {
  return examples.map((ex) => {
    const f = convertExample(ex, tokenizer, { maxSeqLength: settings.maxSeqLength, labels: null });
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
 * windows with their answer spans (SQuAD). Reads only the head of a table; a SQuAD file is parsed.
 */
export async function buildPreview(
  analysis: Analysis,
  tokenizer: Tokenizer,
  settings: RunSettings,
  count = 3,
): Promise<PreviewExample[]> {
  const { task, train } = analysis;
  if (!task || !train) return [];
  if (isSquadTask(task)) {
    const json = JSON.parse(await train.blob.text()) as unknown;
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
  const source = sourceFromText(train.name, headLines(train));
  if (task === 'tsv') {
    const columns = columnsFor(settings, analysis.detection.columns);
    if (!columns) return [];
    const ds = await readTable(source, { columns, split: 'train' });
    return classifierPreview(ds.examples.slice(0, count), tokenizer, settings);
  }
  if (!isGlueTask(task)) return [];
  const ds = await readGlue(task, source, { split: train.split === 'test' ? 'test' : 'train' });
  return classifierPreview(ds.examples.slice(0, count), tokenizer, settings);
}

