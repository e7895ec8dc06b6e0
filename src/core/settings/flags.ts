/**
 * The settings table as command-line flags (kebab case, google-research/bert's flag names): the
 * option spec for node:util's parseArgs, the edits a parsed command line sets, and the `--help`
 * lines with each default and its source. Pure: the CLI wires these to process.argv.
 */
import { SETTINGS_SCHEMA, type SettingField, type Settings } from './schema';
import { parseSettingValue } from './validate';

export type FlagSpec = Record<string, { type: 'string' | 'boolean' }>;

/** parseArgs options for every setting (bool settings: the flag and its negation). */
export function settingsFlagSpec(fields: readonly SettingField[] = SETTINGS_SCHEMA): FlagSpec {
  const spec: FlagSpec = {};
  for (const f of fields) {
    if (f.kind === 'bool') {
      spec[f.flag] = { type: 'boolean' };
      if (f.negFlag) spec[f.negFlag] = { type: 'boolean' };
    } else spec[f.flag] = { type: 'string' };
  }
  return spec;
}

export interface FlagEdits {
  edits: Partial<Settings>;
  /** One line per bad flag: "--learning-rate: “fast” is not a number". */
  errors: string[];
}

/** The settings a parsed command line sets (flags not given are left to the defaults). */
export function editsFromFlags(values: Record<string, unknown>, fields: readonly SettingField[] = SETTINGS_SCHEMA): FlagEdits {
  const edits: Record<string, unknown> = {};
  const errors: string[] = [];
  for (const f of fields) {
    if (f.kind === 'bool') {
      const on = values[f.flag] === true;
      const off = f.negFlag !== undefined && values[f.negFlag] === true;
      if (on && off) errors.push(`--${f.flag} and --${f.negFlag} contradict each other`);
      else if (on || off) edits[f.key] = on;
      continue;
    }
    const raw = values[f.flag];
    if (raw === undefined) continue;
    const parsed = parseSettingValue(f, String(raw));
    if (parsed.ok) edits[f.key] = parsed.value;
    else errors.push(`--${f.flag}: ${parsed.error}`);
  }
  return { edits: edits as Partial<Settings>, errors };
}

function show(v: unknown): string {
  if (Array.isArray(v)) return v.length === 0 ? 'none' : v.join(',');
  return String(v);
}

function metavar(f: SettingField): string {
  switch (f.kind) {
    case 'int':
      return 'N';
    case 'float':
      return 'X';
    case 'enum':
      return 'NAME';
    case 'int-list':
      return 'LIST';
    case 'bool':
      return '';
  }
}

/** `--help` lines: flag, help, and the default per task family with its source. */
export function settingsHelp(fields: readonly SettingField[] = SETTINGS_SCHEMA): string {
  const lines: string[] = [];
  for (const f of fields) {
    const name = f.kind === 'bool' ? `--${f.flag}${f.negFlag ? ` / --${f.negFlag}` : ''}` : `--${f.flag} ${metavar(f)}`;
    const choices = f.options ? ` (${f.options.map((o) => o.value).join(' | ')})` : '';
    const cls = f.classifier;
    const sq = f.squad && show(f.squad.value) !== show(cls.value) ? `; squad ${show(f.squad.value)} [${f.squad.source}]` : '';
    const ml = f.mlm && show(f.mlm.value) !== show(cls.value) ? `; mlm ${show(f.mlm.value)} [${f.mlm.source}]` : '';
    const scope = f.scope === 'all' ? '' : ` (${f.scope} only)`;
    lines.push(`  ${name.padEnd(34)} ${f.help}${choices}${scope}`);
    lines.push(`  ${''.padEnd(34)} default ${show(cls.value)} [${cls.source}]${sq}${ml}`);
  }
  return lines.join('\n');
}
