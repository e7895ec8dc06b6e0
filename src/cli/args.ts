/** Flag parsing shared by the CLI commands (node:util parseArgs with typed helpers). */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { parseSettingValue, settingField, type SettingKey } from '../core/settings';

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export type FlagSpec = NonNullable<ParseArgsConfig['options']>;

/** Parses `argv` against `options`; unknown flags and missing values are UsageErrors. */
export function parseFlags<T extends FlagSpec>(argv: string[], options: T, help: string) {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(help.endsWith('\n') ? help : help + '\n');
    process.exit(0);
  }
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values;
  } catch (e) {
    throw new UsageError(`${(e as Error).message}\n\n${help}`);
  }
}

export function requireFlag<V>(value: V | undefined, name: string): V {
  if (value === undefined || value === '') throw new UsageError(`missing required flag --${name}`);
  return value;
}

/** Inclusive bounds of a numeric flag that is not a training setting. */
export interface FlagBounds {
  min?: number;
  max?: number;
  /** The minimum itself is not allowed (e.g. > 0). */
  minExclusive?: boolean;
}

function checkBounds(n: number, name: string, value: string, b: FlagBounds | undefined, what: string): number {
  if (!b) return n;
  const low = b.min === undefined ? '' : b.minExclusive ? `> ${b.min}` : `>= ${b.min}`;
  const high = b.max === undefined ? '' : `<= ${b.max}`;
  const tooLow = b.min !== undefined && (b.minExclusive ? n <= b.min : n < b.min);
  const tooHigh = b.max !== undefined && n > b.max;
  if (tooLow || tooHigh) throw new UsageError(`--${name} expects ${what} ${[low, high].filter(Boolean).join(' and ')}, got '${value}'`);
  return n;
}

export function intFlag(value: string | undefined, name: string, fallback?: number, bounds?: FlagBounds): number {
  if (value === undefined) {
    if (fallback === undefined) throw new UsageError(`missing required flag --${name}`);
    return fallback;
  }
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n)) throw new UsageError(`--${name} expects a whole number, got '${value}'`);
  return checkBounds(n, name, value, bounds, 'a whole number');
}

export function floatFlag(value: string | undefined, name: string, fallback?: number, bounds?: FlagBounds): number {
  if (value === undefined) {
    if (fallback === undefined) throw new UsageError(`missing required flag --${name}`);
    return fallback;
  }
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new UsageError(`--${name} expects a number, got '${value}'`);
  return checkBounds(n, name, value, bounds, 'a number');
}

/**
 * A numeric flag that is a training setting under another command's name (features'
 * --max-seq-length, postprocess' --n-best-size, run-batch's --learning-rate…): parsed and
 * bounded by core's settings table, as train's own flags are.
 */
export function settingFlag(value: string | undefined, name: string, key: SettingKey, fallback?: number): number {
  if (value === undefined) {
    if (fallback === undefined) throw new UsageError(`missing required flag --${name}`);
    return fallback;
  }
  const parsed = parseSettingValue(settingField(key), value);
  if (!parsed.ok) throw new UsageError(`--${name}: ${parsed.error}, got '${value}'`);
  return parsed.value as number;
}
