/**
 * Column mapping for a user's own TSV/CSV (task `tsv`): which header column is text A, which
 * (optional) text B and which the label. The session re-reads the table with the mapping and
 * answers with a new plan, so the data preview below shows the examples as mapped (tokens of A
 * and B in their segment colours, the label as written in the file).
 */
import { useId } from 'react';
import type { ColumnChoice } from '../../protocol/events';

export interface ColumnMappingProps {
  /** The table's header. */
  columns: readonly string[];
  /** The mapping in force (the session's); absent: the guess from column order. */
  value?: ColumnChoice;
  onChange: (choice: ColumnChoice) => void;
  disabled?: boolean;
}

/** The session's guess when the user chose nothing (core/session/analysis.ts columnsFor). */
export function guessedColumns(columns: readonly string[]): ColumnChoice | null {
  if (columns.length < 2) return null;
  if (columns.length === 2) return { textA: columns[0], label: columns[1] };
  return { textA: columns[0], textB: columns[1], label: columns[columns.length - 1] };
}

const nameOf = (columns: readonly string[], ref: string | number | undefined): string => (ref === undefined ? '' : typeof ref === 'number' ? (columns[ref] ?? '') : ref);

export function ColumnMapping({ columns, value, onChange, disabled }: ColumnMappingProps) {
  const id = useId();
  const current = value ?? guessedColumns(columns);
  const a = nameOf(columns, current?.textA);
  const b = nameOf(columns, current?.textB);
  const label = nameOf(columns, current?.label);
  const set = (patch: Partial<Record<'textA' | 'textB' | 'label', string>>) => {
    const next = { textA: a, textB: b, label, ...patch };
    onChange({ textA: next.textA, ...(next.textB ? { textB: next.textB } : {}), label: next.label });
  };
  const clash = a !== '' && (a === label || (b !== '' && (b === a || b === label)));
  return (
    <fieldset className="stack" data-testid="column-mapping" disabled={disabled} title={disabled ? 'The columns cannot change while a run is in progress' : undefined} style={{ border: 'none', padding: 0, margin: 0 }}>
      <legend className="small">
        <strong>Columns</strong> <span className="muted">(from the header; the preview below follows your choice)</span>
      </legend>
      <div className="row" style={{ flexWrap: 'wrap', gap: '0.6rem' }}>
        <ColumnSelect id={`${id}-a`} label="Text A" testId="column-text-a" columns={columns} value={a} onChange={(v) => set({ textA: v })} />
        <ColumnSelect id={`${id}-b`} label="Text B" testId="column-text-b" columns={columns} value={b} onChange={(v) => set({ textB: v })} none="(none: single text)" />
        <ColumnSelect id={`${id}-label`} label="Label" testId="column-label" columns={columns} value={label} onChange={(v) => set({ label: v })} />
      </div>
      {clash && (
        <p className="small" role="alert" style={{ color: 'var(--bad)' }}>
          One column is chosen for two roles: text A, text B and the label should be different columns.
        </p>
      )}
    </fieldset>
  );
}

interface ColumnSelectProps {
  id: string;
  label: string;
  testId: string;
  columns: readonly string[];
  value: string;
  onChange: (column: string) => void;
  /** The text of an empty first choice, for an optional role. */
  none?: string;
}

/** One role's choice of a header column. */
function ColumnSelect({ id, label, testId, columns, value, onChange, none }: ColumnSelectProps) {
  return (
    <label htmlFor={id} className="small">
      {label}{' '}
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)} data-testid={testId}>
        {none !== undefined && <option value="">{none}</option>}
        {columns.map((c) => (
          <option key={c} value={c}>
            {c}
          </option>
        ))}
      </select>
    </label>
  );
}
