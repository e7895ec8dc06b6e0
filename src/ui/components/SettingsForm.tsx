/**
 * run_classifier / run_squad's flags as a form: label, flag name, one-line explanation, and an
 * error under a field whose text is not valid (the last valid value stays in effect).
 */
import { useEffect, useId, useRef, useState } from 'react';
import type { RunSettings } from '../../protocol/settings';
import { fieldsForTask, type SettingsField } from '../../state/settings-fields';
import { formatFieldValue, parseFieldValue } from '../settings/parseField';

export interface SettingsFormProps {
  task: string | null;
  settings: RunSettings;
  onChange: (patch: Partial<RunSettings>) => void;
  onReset: () => void;
  disabled?: boolean;
}

export function SettingsForm({ task, settings, onChange, onReset, disabled }: SettingsFormProps) {
  const fields = fieldsForTask(task);
  const basic = fields.filter((f) => !f.advanced);
  const advanced = fields.filter((f) => f.advanced);
  return (
    <fieldset disabled={disabled} data-testid="settings-form">
      <legend className="visually-hidden">Training settings</legend>
      {basic.map((f) => (
        <Field key={f.key} field={f} value={settings[f.key]} onChange={onChange} />
      ))}
      <details>
        <summary>Advanced settings</summary>
        {advanced.map((f) => (
          <Field key={f.key} field={f} value={settings[f.key]} onChange={onChange} />
        ))}
      </details>
      <button type="button" className="link small" onClick={onReset}>
        Reset to the defaults
      </button>
    </fieldset>
  );
}

function Field({ field, value, onChange }: { field: SettingsField; value: unknown; onChange: (patch: Partial<RunSettings>) => void }) {
  const id = useId();
  const helpId = `${id}-help`;
  const errId = `${id}-err`;
  const [draft, setDraft] = useState(formatFieldValue(value));
  const [error, setError] = useState<string | null>(null);
  const inputRef = useRef<HTMLInputElement>(null);
  // Follow outside changes (task switch, reset), but never rewrite what the user is typing.
  useEffect(() => {
    if (inputRef.current && inputRef.current === document.activeElement) return;
    setDraft(formatFieldValue(value));
    setError(null);
  }, [value]);

  const commit = (raw: string | boolean) => {
    const parsed = parseFieldValue(field, raw);
    if (parsed.ok) {
      setError(null);
      if (parsed.value !== value) onChange({ [field.key]: parsed.value } as Partial<RunSettings>);
    } else setError(parsed.error);
  };

  const label = (
    <label htmlFor={id} title={`--${field.flag.replace(/_/g, '-')}`}>
      {field.label}
    </label>
  );
  let input;
  if (field.kind === 'bool') {
    input = <input id={id} type="checkbox" checked={value === true} aria-describedby={helpId} onChange={(e) => commit(e.target.checked)} style={{ justifySelf: 'start', width: 'auto' }} />;
  } else if (field.kind === 'select') {
    input = (
      <select id={id} value={String(value)} aria-describedby={helpId} onChange={(e) => commit(e.target.value)}>
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
        inputMode={field.kind === 'int' ? 'numeric' : 'decimal'}
        value={draft}
        aria-describedby={error ? `${helpId} ${errId}` : helpId}
        aria-invalid={error ? true : undefined}
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
    <div className={`field${error ? ' invalid' : ''}`}>
      {label}
      {input}
      <span className="help" id={helpId}>
        {field.help} <code>{field.flag}</code>
      </span>
      {error && (
        <span className="field-error" id={errId}>
          {field.label}: {error}
        </span>
      )}
    </div>
  );
}
