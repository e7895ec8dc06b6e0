/** How a setting's value is shown in its input (learning rates as 5e-5, not 0.00005; lists as 32,64). Parsing is core/settings' parseSettingValue. */
export function formatFieldValue(value: unknown): string {
  if (typeof value === 'number') {
    if (value !== 0 && Math.abs(value) < 1e-3) return value.toExponential().replace(/\.?0+e/, 'e').replace('e-0', 'e-');
    return String(value);
  }
  if (Array.isArray(value)) return value.join(',');
  return String(value ?? '');
}
