/**
 * json.dumps as run_squad writes its outputs (indent=4, ensure_ascii, Python float repr), so the
 * files Tabtune writes are byte-for-byte those of the original when the values are equal.
 * Python's float repr is shared with the feature writer (data/python-json.ts).
 */
import { pythonFloat as pythonFloatRepr } from '../data/python-json';

export { pythonFloatRepr };

/** A JSON string literal with every non-printable-ASCII character escaped (ensure_ascii). */
export function pythonJsonString(s: string): string {
  return JSON.stringify(s).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * json.dumps(value, indent=indent). Every number is written as a Python float (run_squad's
 * logits, probabilities and odds are all floats).
 */
export function pythonJsonDumps(value: unknown, indent = 4): string {
  const write = (v: unknown, depth: number): string => {
    if (v === null || v === undefined) return 'null';
    if (typeof v === 'string') return pythonJsonString(v);
    if (typeof v === 'number') return pythonFloatRepr(v);
    if (typeof v === 'boolean') return v ? 'true' : 'false';
    const pad = '\n' + ' '.repeat(indent * (depth + 1));
    const close = '\n' + ' '.repeat(indent * depth);
    if (Array.isArray(v)) {
      if (v.length === 0) return '[]';
      return '[' + v.map((x) => pad + write(x, depth + 1)).join(',') + close + ']';
    }
    const entries = Object.entries(v as Record<string, unknown>);
    if (entries.length === 0) return '{}';
    return '{' + entries.map(([k, x]) => pad + pythonJsonString(k) + ': ' + write(x, depth + 1)).join(',') + close + '}';
  };
  return write(value, 0);
}
