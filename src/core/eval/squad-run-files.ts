/**
 * Readers for the post-processing inputs in the fixtures' JSONL formats: features
 * (run_squad.InputFeatures, one per line) and raw results ({unique_id, start_logits, end_logits}).
 * Lines are streamed; each bad line is a TabtuneError naming the file, the line and the field.
 */
import { TabtuneError } from '../errors';
import { readLines, type DataSource } from '../data/source';
import type { PostprocessExample, PostprocessFeature, SquadRawResult } from './squad-postprocess';

/** A feature as the post-processing reads it; `qas_id` (when present) is checked against the example. */
export type PostprocessFeatureRecord = PostprocessFeature & { qas_id?: string };

type Obj = Record<string, unknown>;

async function* jsonLines(source: DataSource, expected: string): AsyncGenerator<{ value: Obj; line: number }> {
  for await (const { text, number } of readLines(source)) {
    if (text.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      throw new TabtuneError(`not valid JSON (${(e as Error).message})`, { file: source.name, location: `line ${number}`, expected, code: 'jsonl' });
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new TabtuneError('the line is not a JSON object', { file: source.name, location: `line ${number}`, expected, code: 'jsonl' });
    }
    yield { value: value as Obj, line: number };
  }
}

function fieldError(file: string, line: number, field: string, expected: string): TabtuneError {
  return new TabtuneError(`field "${field}" is missing or malformed`, { file, location: `line ${line}`, expected: `"${field}": ${expected}`, code: 'jsonl-field' });
}

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Reads a features JSONL file (fields unique_id, example_index, tokens, token_to_orig_map, token_is_max_context). */
export async function readPostprocessFeatures(source: DataSource): Promise<Array<PostprocessFeatureRecord & { line: number }>> {
  const file = source.name;
  const out: Array<PostprocessFeatureRecord & { line: number }> = [];
  for await (const { value: v, line } of jsonLines(source, 'one run_squad feature per line (as `tabtune features --task squad --mode eval` writes)')) {
    if (!isInt(v.unique_id)) throw fieldError(file, line, 'unique_id', 'an integer');
    if (!isInt(v.example_index) || v.example_index < 0) throw fieldError(file, line, 'example_index', 'a non-negative integer');
    if (!Array.isArray(v.tokens) || !v.tokens.every((t) => typeof t === 'string')) throw fieldError(file, line, 'tokens', 'a list of strings');
    const map = v.token_to_orig_map;
    if (!isObj(map) || !Object.values(map).every((x) => isInt(x) && x >= 0)) throw fieldError(file, line, 'token_to_orig_map', '{"token position": word index}');
    const ctx = v.token_is_max_context;
    if (!isObj(ctx) || !Object.values(ctx).every((x) => typeof x === 'boolean')) throw fieldError(file, line, 'token_is_max_context', '{"token position": true|false}');
    if (v.qas_id !== undefined && typeof v.qas_id !== 'string') throw fieldError(file, line, 'qas_id', 'a string');
    out.push({
      unique_id: v.unique_id,
      example_index: v.example_index,
      tokens: v.tokens as string[],
      token_to_orig_map: map as Record<string, number>,
      token_is_max_context: ctx as Record<string, boolean>,
      qas_id: v.qas_id as string | undefined,
      line,
    });
  }
  return out;
}

/** Reads a logits JSONL file ({unique_id, start_logits, end_logits} per line). */
export async function readRawResults(source: DataSource): Promise<Array<SquadRawResult & { line: number }>> {
  const file = source.name;
  const out: Array<SquadRawResult & { line: number }> = [];
  const isLogits = (x: unknown): x is number[] => Array.isArray(x) && x.length > 0 && x.every((n) => typeof n === 'number' && Number.isFinite(n));
  for await (const { value: v, line } of jsonLines(source, 'one {"unique_id", "start_logits", "end_logits"} object per line')) {
    if (!isInt(v.unique_id)) throw fieldError(file, line, 'unique_id', 'an integer');
    if (!isLogits(v.start_logits)) throw fieldError(file, line, 'start_logits', 'a non-empty list of finite numbers');
    if (!isLogits(v.end_logits)) throw fieldError(file, line, 'end_logits', 'a non-empty list of finite numbers');
    if (v.start_logits.length !== v.end_logits.length) {
      throw new TabtuneError(`${v.start_logits.length} start logits but ${v.end_logits.length} end logits`, { file, location: `line ${line}`, expected: 'one start and one end logit per token position', code: 'jsonl-field' });
    }
    out.push({ unique_id: v.unique_id, start_logits: v.start_logits, end_logits: v.end_logits, line });
  }
  return out;
}

/**
 * Checks that the three inputs belong together before post-processing: every feature's example
 * exists (and has the same question id), every feature has logits covering its tokens.
 */
export function checkPostprocessInputs(
  examples: readonly PostprocessExample[],
  features: ReadonlyArray<PostprocessFeatureRecord & { line?: number }>,
  results: readonly SquadRawResult[],
  files: { data: string; features: string; logits: string },
): void {
  const byId = new Map<number, SquadRawResult>();
  for (const r of results) byId.set(r.unique_id, r);
  for (const f of features) {
    const where = f.line !== undefined ? `line ${f.line}` : `feature unique_id ${f.unique_id}`;
    const ex = examples[f.example_index];
    if (!ex) {
      throw new TabtuneError(`the feature refers to example ${f.example_index}, but ${files.data} has ${examples.length} questions`, {
        file: files.features,
        location: where,
        expected: `features built from ${files.data} (example_index below ${examples.length})`,
        code: 'squad-feature-example',
      });
    }
    if (f.qas_id !== undefined && f.qas_id !== ex.qasId) {
      throw new TabtuneError(`the feature's question ${f.qas_id} is question ${ex.qasId} in ${files.data}`, {
        file: files.features,
        location: where,
        expected: `features built from ${files.data} in eval mode`,
        code: 'squad-feature-example',
      });
    }
    const r = byId.get(f.unique_id);
    if (!r) {
      throw new TabtuneError(`no logits for feature unique_id ${f.unique_id}`, { file: files.logits, location: `feature unique_id ${f.unique_id}`, expected: 'one logits line per feature, matched by unique_id', code: 'squad-logits-missing' });
    }
    if (r.start_logits.length < f.tokens.length) {
      throw new TabtuneError(`${r.start_logits.length} logits for a feature of ${f.tokens.length} tokens`, { file: files.logits, location: `feature unique_id ${f.unique_id}`, expected: 'at least one logit per token (max_seq_length of them)', code: 'squad-logits-length' });
    }
  }
}
