/**
 * The settings form, derived from core's settings table: label, CLI flag, one-line help and the
 * default with its source per field. Values are the session's settings in force; a default the
 * model cannot take shows what it became and why; a problem the session found shows under its
 * field (and above the form when it is the model's or the data's). What the user types is read
 * with the table's own parser: a valid value goes to the session, an invalid one stays here with
 * its reason and is reported to the page (Start waits).
 *
 * While a run is active or reopened (`run`), the form shows THAT run's settings, read-only (the
 * demo's like any run's), with "New run from these settings" to edit a copy.
 */
import { useCallback, useEffect, useId, useRef, useState } from 'react';
import { taskFamily, type TaskName } from '../../core/data';
import { fieldDefault, fieldsForTask, parseSettingValue, type SettingField, type SettingKey, type Settings } from '../../core/settings';
import type { SettingsState } from '../../protocol';
import { formatFieldValue } from '../settings/formatField';

export interface SettingsFormProps {
  task: TaskName | null;
  state: SettingsState;
  onChange: (patch: Partial<Settings>) => void;
  onReset: () => void;
  /** The first field whose text is not a valid value (null when all are), for the Start button. */
  onDraftError?: (message: string | null) => void;
  disabled?: boolean;
  /** The run whose settings are shown read-only (active or reopened); null: the editable settings in force. */
  run?: { name: string; task: TaskName; settings: Settings; onCopy: () => void; copyDisabledReason?: string } | null;
}

export function SettingsForm(props: SettingsFormProps) {
  const { run } = props;
  if (!run) return <EditableSettings {...props} />;
  const id = `run-settings-note`;
  return (
    <div data-testid="run-settings" data-run-name={run.name}>
      <p className="small" id={id}>
        Settings of run <strong>{run.name}</strong>, read-only: the values this run trains with.{' '}
        <button type="button" className="small" onClick={run.onCopy} disabled={!!run.copyDisabledReason} title={run.copyDisabledReason} aria-describedby={id}>
          New run from these settings
        </button>
        {run.copyDisabledReason && <span className="visually-hidden"> ({run.copyDisabledReason})</span>}
      </p>
      <EditableSettings
        task={run.task}
        state={{ task: run.task, settings: run.settings, edited: [], adapted: [], issues: [] }}
        onChange={() => undefined}
        onReset={() => undefined}
        disabled
        readOnly
      />
    </div>
  );
}

function EditableSettings({ task, state, onChange, onReset, onDraftError, disabled, readOnly }: SettingsFormProps & { readOnly?: boolean }) {
  const fields = fieldsForTask(task);
  const basic = fields.filter((f) => !f.advanced);
  const advanced = fields.filter((f) => f.advanced);
  const [drafts, setDrafts] = useState<Partial<Record<SettingKey, string>>>({});
  const setDraftError = useCallback(
    (key: SettingKey, message: string | null) =>
      setDrafts((d) => {
        if ((d[key] ?? null) === message) return d;
        const next = { ...d };
        if (message === null) delete next[key];
        else next[key] = message;
        return next;
      }),
    [],
  );
  const firstDraftError = Object.values(drafts)[0] ?? null;
  useEffect(() => {
    onDraftError?.(firstDraftError);
  }, [firstDraftError, onDraftError]);
  const general = state.issues.filter((i) => i.key === null);
  const field = (f: SettingField) => (
    <Field
      key={f.key}
      field={f}
      task={task}
      value={state.settings[f.key]}
      adapted={state.adapted.find((a) => a.key === f.key)?.reason}
      issue={state.issues.find((i) => i.key === f.key)?.message}
      onChange={onChange}
      onDraftError={setDraftError}
    />
  );
  return (
    <fieldset disabled={disabled} data-testid="settings-form" data-readonly={readOnly || undefined}>
      <legend className="visually-hidden">Training settings</legend>
      {general.map((i) => (
        <p key={i.message} className="field-error" role="alert" data-testid="settings-issue">
          {i.message}
        </p>
      ))}
      {basic.map(field)}
      <details open={advanced.some((f) => state.issues.some((i) => i.key === f.key)) || undefined}>
        <summary>Advanced settings</summary>
        {advanced.map(field)}
      </details>
      {!readOnly && (
        <button type="button" className="link small" onClick={onReset}>
          Reset to the defaults
        </button>
      )}
    </fieldset>
  );
}

interface FieldProps {
  field: SettingField;
  task: TaskName | null;
  value: unknown;
  adapted?: string;
  issue?: string;
  onChange: (patch: Partial<Settings>) => void;
  onDraftError: (key: SettingKey, message: string | null) => void;
}

function Field({ field, task, value, adapted, issue, onChange, onDraftError }: FieldProps) {
  const id = useId();
  const helpId = `${id}-help`;
  const errId = `${id}-err`;
  const [draft, setDraft] = useState(formatFieldValue(value));
  const [error, setError] = useState<string | null>(null);
  const inputRef = useRef<HTMLInputElement>(null);
  // Follow the session's answers (task switch, reset, adapted defaults), but never rewrite what the user is typing.
  useEffect(() => {
    if (inputRef.current && inputRef.current === document.activeElement) return;
    setDraft(formatFieldValue(value));
    setError(null);
    onDraftError(field.key, null);
    // Only a new value from the session resets the text; field and callback are stable.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [value]);

  const commit = (raw: string | boolean) => {
    const parsed = parseSettingValue(field, raw);
    if (parsed.ok) {
      setError(null);
      onDraftError(field.key, null);
      if (formatFieldValue(parsed.value) !== formatFieldValue(value)) onChange({ [field.key]: parsed.value } as Partial<Settings>);
    } else {
      setError(parsed.error);
      onDraftError(field.key, `${field.label}: ${parsed.error}`);
    }
  };

  const shown = error ? `${field.label}: ${error}` : issue;
  const def = fieldDefault(field, task !== null ? taskFamily(task) : 'classifier');
  const label = (
    <label htmlFor={id} title={`--${field.flag}`}>
      {field.label}
    </label>
  );
  const describedBy = shown ? `${helpId} ${errId}` : helpId;
  let input;
  if (field.kind === 'bool') {
    input = <input id={id} type="checkbox" checked={value === true} aria-describedby={describedBy} onChange={(e) => commit(e.target.checked)} style={{ justifySelf: 'start', width: 'auto' }} />;
  } else if (field.kind === 'enum') {
    input = (
      <select id={id} value={String(value)} aria-describedby={describedBy} onChange={(e) => commit(e.target.value)}>
        {field.options?.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    );
  } else {
    input = (
      <input
        id={id}
        ref={inputRef}
        type="text"
        inputMode={field.kind === 'int' ? 'numeric' : field.kind === 'float' ? 'decimal' : 'text'}
        value={draft}
        aria-describedby={describedBy}
        aria-invalid={shown ? true : undefined}
        data-setting={field.key}
        onChange={(e) => {
          setDraft(e.target.value);
          commit(e.target.value);
        }}
        onBlur={() => {
          if (!error) setDraft(formatFieldValue(value));
        }}
      />
    );
  }
  return (
    <div className={`field${shown ? ' invalid' : ''}`}>
      {label}
      {input}
      <span className="help" id={helpId}>
        {field.help} <code>--{field.flag}</code>
        <span className="muted"> Default {formatFieldValue(def.value)} ({def.source}).</span>
        {adapted ? (
          <span className="adapted" data-testid="setting-adapted">
            {' '}
            Set to {formatFieldValue(value)} for this model: {adapted}.
          </span>
        ) : null}
      </span>
      {shown && (
        <span className="field-error" id={errId}>
          {shown}
        </span>
      )}
    </div>
  );
}
