/** The detected task (changeable), what is still missing, and the estimate before starting. */
import { useId } from 'react';
import type { TaskName } from '../../core/data';
import type { ColumnChoice, TaskDetection } from '../../protocol/events';
import { ColumnMapping } from './ColumnMapping';

export const TASK_TEXT: Record<TaskName, string> = {
  cola: 'CoLA: grammatical acceptability',
  'sst-2': 'SST-2: sentiment',
  mrpc: 'MRPC: paraphrase',
  qqp: 'QQP: duplicate questions',
  'sts-b': 'STS-B: similarity score (regression)',
  mnli: 'MNLI: entailment (matched)',
  'mnli-mm': 'MNLI: entailment (mismatched)',
  qnli: 'QNLI: question answering NLI',
  rte: 'RTE: entailment',
  wnli: 'WNLI: Winograd NLI',
  squad: 'SQuAD v1.1: extractive QA',
  squad2: 'SQuAD 2.0: QA with unanswerable questions',
  tsv: 'Your own TSV/CSV (text classification)',
  mlm: 'Domain text (masked-LM): adapt BERT to your own text',
};

export const ALL_TASKS = Object.keys(TASK_TEXT) as TaskName[];

export interface TaskPanelProps {
  detection: TaskDetection | null;
  task: TaskName | null;
  overridden: boolean;
  onTaskChange: (task: TaskName) => void;
  disabled?: boolean;
  /** The built-in demo is (or was last) running with `task` on its generated data. */
  demo?: boolean;
  /** Task `tsv`: the column mapping in force, and where the user's choice goes. */
  columns?: ColumnChoice;
  onColumnsChange?: (columns: ColumnChoice) => void;
  /** Why the task and columns cannot be changed now (shown when `disabled`). */
  disabledReason?: string;
}

export function TaskPanel({ detection, task, overridden, onTaskChange, disabled, demo, columns, onColumnsChange, disabledReason }: TaskPanelProps) {
  const id = useId();
  const reason = disabled ? (disabledReason ?? (demo ? "The demo's task is fixed: it trains on generated SQuAD questions" : 'The task cannot change while a run is in progress')) : undefined;
  const candidates = detection && detection.candidates.length > 0 ? detection.candidates : ALL_TASKS;
  const options = task && !candidates.includes(task) ? [task, ...candidates] : candidates;
  return (
    <div className="stack" data-testid="task-panel">
      <div className="field wide" style={{ borderBottom: 'none' }}>
        <label htmlFor={id}>Task</label>
        <select
          id={id}
          value={task ?? ''}
          disabled={disabled}
          title={reason}
          aria-describedby={reason ? `${id}-why` : undefined}
          onChange={(e) => onTaskChange(e.target.value as TaskName)}
          data-testid="task-select"
        >
          {!task && <option value="">(drop a dataset)</option>}
          {options.map((t) => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
        </select>
        {reason && (
          <span id={`${id}-why`} className="visually-hidden">
            {reason}
          </span>
        )}
        <span className="help" data-testid="task-help">
          {demo && task ? demoTaskText(task) : task ? TASK_TEXT[task] : 'Detected from the dataset you drop.'}
          {!demo && detection?.task && (overridden && task !== detection.task ? ` · detected ${detection.task} (${detection.reason}), changed by you` : ` · detected: ${detection.reason}`)}
        </span>
      </div>
      {task === 'tsv' && !demo && detection?.columns && detection.columns.length >= 2 && onColumnsChange && (
        <ColumnMapping columns={detection.columns} value={columns} onChange={onColumnsChange} disabled={disabled} />
      )}
      {detection && (
        <p className="small muted" data-testid="dataset-counts">
          {detection.counts.train.toLocaleString('en-US')} training, {detection.counts.dev.toLocaleString('en-US')} dev, {detection.counts.test.toLocaleString('en-US')} test examples
          {detection.labels.length > 0 && <> · labels: {detection.labels.join(', ')}</>}
          {skippedText(detection.skipped)}
        </p>
      )}
      {detection?.model && (
        <p className="small" data-testid="model-summary">
          Model: {detection.model.source === 'google' ? 'Google checkpoint' : detection.model.source === 'scratch' ? 'new (random) BERT' : 'Hugging Face BERT'}, {detection.model.numLayers} layers, hidden {detection.model.hiddenSize},{' '}
          {detection.model.numHeads} heads, {(detection.model.parameters / 1e6).toFixed(detection.model.parameters < 1e7 ? 2 : 0)} M parameters, {detection.model.activation}
        </p>
      )}
      {detection && detection.missing.length > 0 && (
        <div className="small" data-testid="missing">
          <strong>Still needed:</strong>
          <ul style={{ margin: '0.2rem 0 0', paddingLeft: '1.1rem' }}>
            {detection.missing.map((m) => (
              <li key={m}>{m}</li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}

/** " · 2 bad rows skipped (see the log)", or nothing. */
export function skippedText(skipped: TaskDetection['skipped']): string {
  const n = skipped ? skipped.train + skipped.dev + skipped.test : 0;
  return n > 0 ? ` · ${n.toLocaleString('en-US')} bad row${n === 1 ? '' : 's'} skipped (see the log)` : '';
}

/** "SQuAD v1.1, generated demo set" for the demo's task. */
export function demoTaskText(task: TaskName): string {
  return `${TASK_TEXT[task].split(':')[0]}, generated demo set`;
}
