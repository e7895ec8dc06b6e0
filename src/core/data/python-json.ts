/**
 * JSON text exactly as Python's `json.dumps(obj, ensure_ascii=False)` writes it (the fixtures'
 * format): ", " and ": " separators, keys in insertion order, floats in Python's repr.
 * JavaScript cannot tell 4.0 from 4, so the caller names the keys whose numbers are floats.
 */

/** Python's repr of a float: shortest round-trip digits, exponent form below 1e-4 and from 1e16. */
export function pythonFloat(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? 'Infinity' : '-Infinity';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const [mantissa, expText] = x.toExponential().split('e');
  const exp = Number(expText);
  const negative = mantissa.startsWith('-');
  const digits = mantissa.replace('-', '').replace('.', '');
  const sign = negative ? '-' : '';
  if (exp < -4 || exp >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  const intPart = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
  const frac = digits.slice(exp + 1);
  return `${sign}${intPart}.${frac === '' ? '0' : frac}`;
}

export function pythonJson(value: unknown, floatKeys: ReadonlySet<string> = new Set(), asFloat = false): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number') return asFloat ? pythonFloat(value) : Number.isFinite(value) ? String(value) : pythonFloat(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((v) => pythonJson(v, floatKeys, asFloat)).join(', ')}]`;
  if (typeof value === 'object') {
    const parts = Object.entries(value as Record<string, unknown>).map(
      ([k, v]) => `${JSON.stringify(k)}: ${pythonJson(v, floatKeys, floatKeys.has(k))}`,
    );
    return `{${parts.join(', ')}}`;
  }
  throw new TypeError(`cannot write ${typeof value} as JSON`);
}
