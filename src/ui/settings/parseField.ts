/** Reads what the user typed into a settings field: a valid value, or a one-line reason. */
import type { SettingsField } from '../../state/settings-fields';

export type ParsedField = { ok: true; value: number | string | boolean } | { ok: false; error: string };

export function parseFieldValue(field: Pick<SettingsField, 'kind' | 'min' | 'max' | 'options' | 'label'>, raw: string | boolean): ParsedField {
  if (field.kind === 'bool') return { ok: true, value: raw === true || raw === 'true' };
  const text = String(raw).trim();
  if (field.kind === 'select') {
    if (field.options && !field.options.some((o) => o.value === text)) return { ok: false, error: `choose one of ${field.options.map((o) => o.value).join(', ')}` };
    return { ok: true, value: text };
  }
  if (text === '') return { ok: false, error: 'enter a number' };
  const n = Number(text);
  if (!Number.isFinite(n)) return { ok: false, error: `“${text}” is not a number` };
  if (field.kind === 'int' && !Number.isInteger(n)) return { ok: false, error: 'enter a whole number' };
  if (field.min !== undefined && n < field.min) return { ok: false, error: `at least ${field.min}` };
  if (field.max !== undefined && n > field.max) return { ok: false, error: `at most ${field.max}` };
  return { ok: true, value: n };
}

/** How a value is shown in its input (learning rates as 5e-5, not 0.00005). */
export function formatFieldValue(value: unknown): string {
  if (typeof value === 'number') {
    if (value !== 0 && Math.abs(value) < 1e-3) return value.toExponential().replace(/\.?0+e/, 'e').replace('e-0', 'e-');
    return String(value);
  }
  return String(value ?? '');
}
