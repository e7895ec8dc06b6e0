/**
 * SQuAD v1.1 / v2.0 JSON reader: run_squad.read_squad_examples.
 *
 * The context is split on run_squad's whitespace (space, \t, \r, \n, U+202F); `char_to_word_offset`
 * maps each character (a Unicode code point, as Python counts `answer_start`) to its word.
 * Training keeps one answer per question and checks that the answer can be recovered from the
 * whitespace-split words; an answer that cannot is skipped and counted (`stats.unrecoverable`),
 * as run_squad skips it with a warning. Evaluation keeps every question and reads no answers.
 *
 * The raw JSON string is dropped as soon as it is parsed; examples of one paragraph share its
 * context string and word arrays.
 */
import type { BadRecordPolicy } from '../errors';
import { TabtuneError } from '../errors';
import { badRecords } from './bad-records';
import { jsonErrorLocation } from './json-error-position';
import { readAllText, type DataSource } from './source';
import type { ProgressCallback, SquadExample, SquadReadStats } from './types';

export interface SquadReadOptions extends BadRecordPolicy {
  /** run_squad's is_training: read the answer positions. */
  training: boolean;
  /** FLAGS.version_2_with_negative. Default: detected from the file (version "v2.0" or any is_impossible). */
  version2?: boolean;
  /**
   * Training on a file with several answers per question (an official dev file): run_squad
   * refuses such a question (a bad record); with this option the first answer is used, as
   * Hugging Face's reader does. Default false.
   */
  useFirstAnswer?: boolean;
  /** Bytes read / file size. */
  onProgress?: ProgressCallback;
}

export interface SquadDataset {
  examples: SquadExample[];
  stats: SquadReadStats;
}

/** Reads and parses a SQuAD file (the text is released once parsed). */
/**
 * Largest SQuAD JSON read (bytes). The file is parsed whole (JSON.parse), and JavaScript strings
 * stop at about 512 M characters ("Invalid string length"), with the parsed tree several times
 * the text: a file above this is refused up front, with this limit in the message. SQuAD v2.0's
 * training set is 40 MB.
 */
export const MAX_SQUAD_JSON_BYTES = 256 * 1024 * 1024;

export async function readSquad(source: DataSource, options: SquadReadOptions): Promise<SquadDataset> {
  const json = parseJson(await readAllText(source, options.onProgress, MAX_SQUAD_JSON_BYTES, 'the SQuAD JSON'), source.name);
  return squadExamplesFromJson(json, source.name, options);
}

function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    const detail = (e as Error).message;
    // V8 names a position for some errors only.
    const location = jsonErrorLocation(text, detail);
    throw new TabtuneError(`the file is not valid JSON: ${detail}`, { file, location, expected: 'a SQuAD JSON file ({"version": …, "data": [...]})', code: 'squad-json' });
  }
}

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** read_squad_examples over an already-parsed SQuAD object. */
export function squadExamplesFromJson(json: unknown, file: string, options: SquadReadOptions): SquadDataset {
  if (!isObject(json) || !Array.isArray(json.data)) {
    throw new TabtuneError(`the JSON has no "data" list`, { file, location: 'top level', expected: 'a SQuAD object {"version": …, "data": [{"paragraphs": [...]}]}', code: 'squad-structure' });
  }
  const data = json.data as unknown[];
  const version: 1 | 2 = json.version === 'v2.0' || json.version === '2.0' || hasImpossible(data) ? 2 : 1;
  const version2 = options.version2 ?? version === 2;
  const stats: SquadReadStats = { records: 0, kept: 0, skipped: 0, firstErrors: [], paragraphs: 0, unrecoverable: 0, impossible: 0, version };
  const bad = badRecords(stats, options);
  const examples: SquadExample[] = [];
  const firstWhere = new Map<string, string>();

  data.forEach((entry, ei) => {
    if (!isObject(entry) || !Array.isArray(entry.paragraphs)) {
      bad.skip('the article has no "paragraphs" list', { file, location: `data[${ei}]${titleOf(entry)}`, expected: '{"title": …, "paragraphs": [...]}', code: 'squad-structure' });
      return;
    }
    (entry.paragraphs as unknown[]).forEach((paragraph, pi) => {
      const where = `data[${ei}].paragraphs[${pi}]`;
      if (!isObject(paragraph) || typeof paragraph.context !== 'string' || !Array.isArray(paragraph.qas)) {
        const missing = !isObject(paragraph) ? 'is not an object' : typeof paragraph.context !== 'string' ? 'has no "context" string' : 'has no "qas" list';
        bad.skip(`the paragraph ${missing}`, { file, location: where, expected: '{"context": "…", "qas": [...]}', code: 'squad-structure' });
        return;
      }
      stats.paragraphs++;
      const doc = splitContext(paragraph.context);
      (paragraph.qas as unknown[]).forEach((qa, qi) => {
        stats.records++;
        const qaWhere = `${where}.qas[${qi}]`;
        const example = readQuestion(qa, doc, options, version2, file, qaWhere, bad, stats);
        if (example) {
          // Predictions, n-best lists and metrics are keyed by id: a second question with the
          // same id would overwrite the first one's answer. Skipped as a bad record.
          const first = firstWhere.get(example.qasId);
          if (first !== undefined) {
            bad.skip(`question id ${JSON.stringify(example.qasId)} was already used at ${first}`, {
              file, location: `question ${example.qasId} (${qaWhere})`, expected: 'a distinct "id" per question', code: 'squad-duplicate-id',
            });
            return;
          }
          firstWhere.set(example.qasId, qaWhere);
          examples.push(example);
          stats.kept++;
          if (example.isImpossible) stats.impossible++;
        }
      });
    });
  });
  if (stats.kept === 0) {
    const first = stats.firstErrors[0];
    throw new TabtuneError(first ? `no usable question (first problem: ${first.message})` : 'the file holds no questions', {
      file,
      expected: 'at least one question under data[].paragraphs[].qas[]',
      code: 'squad-structure',
    });
  }
  return { examples, stats };
}

function titleOf(entry: unknown): string {
  return isObject(entry) && typeof entry.title === 'string' ? ` ("${entry.title}")` : '';
}

function hasImpossible(data: unknown[]): boolean {
  for (const entry of data) {
    if (!isObject(entry) || !Array.isArray(entry.paragraphs)) continue;
    for (const p of entry.paragraphs as unknown[]) {
      if (!isObject(p) || !Array.isArray(p.qas)) continue;
      for (const qa of p.qas as unknown[]) if (isObject(qa) && 'is_impossible' in qa) return true;
    }
  }
  return false;
}

interface SplitContext {
  text: string;
  docTokens: string[];
  /** UTF-16 index where each doc token starts. */
  charStarts: number[];
  /** Per code point: the word it belongs to (-1 before the first word). */
  charToWord: Int32Array;
}

/** run_squad's is_whitespace. */
function isSquadWhitespace(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0d || code === 0x0a || code === 0x202f;
}

/** The context split on whitespace, with char_to_word_offset per code point. */
export function splitContext(text: string): SplitContext {
  const docTokens: string[] = [];
  const charStarts: number[] = [];
  const charToWord = new Int32Array(text.length); // code points <= UTF-16 units
  let points = 0;
  let prevWhite = true;
  let wordStart = -1;
  for (let i = 0; i < text.length; ) {
    const code = text.codePointAt(i)!;
    const width = code > 0xffff ? 2 : 1;
    if (isSquadWhitespace(code)) {
      if (wordStart >= 0) {
        docTokens.push(text.slice(wordStart, i));
        wordStart = -1;
      }
      prevWhite = true;
    } else {
      if (prevWhite) {
        wordStart = i;
        charStarts.push(i);
      }
      prevWhite = false;
    }
    charToWord[points++] = charStarts.length - 1;
    i += width;
  }
  if (wordStart >= 0) docTokens.push(text.slice(wordStart));
  return { text, docTokens, charStarts, charToWord: charToWord.subarray(0, points) };
}

/** Python's str.isspace (what str.split() and strip() use). */
const PY_SPACE = /[\t\n\v\f\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/;

/** tokenization.whitespace_tokenize joined by single spaces. */
export function cleanAnswerText(text: string): string {
  return text
    .split(PY_SPACE)
    .filter((t) => t !== '')
    .join(' ');
}

function codePointLength(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xd800 || c > 0xdbff || i + 1 >= s.length) n++;
    else {
      const d = s.charCodeAt(i + 1);
      n++;
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
  }
  return n;
}

function readQuestion(
  qa: unknown,
  doc: SplitContext,
  options: SquadReadOptions,
  version2: boolean,
  file: string,
  where: string,
  bad: ReturnType<typeof badRecords>,
  stats: SquadReadStats,
): SquadExample | null {
  if (!isObject(qa) || (typeof qa.id !== 'string' && typeof qa.id !== 'number') || typeof qa.question !== 'string') {
    const missing = !isObject(qa) ? 'is not an object' : typeof qa.question !== 'string' ? 'has no "question" string' : 'has no "id"';
    bad.skip(`the question ${missing}`, { file, location: where, expected: '{"id": "…", "question": "…", "answers": [...]}', code: 'squad-structure' });
    return null;
  }
  const qasId = String(qa.id);
  const location = `question ${qasId} (${where})`;
  const base: SquadExample = {
    qasId,
    questionText: qa.question,
    docTokens: doc.docTokens,
    isImpossible: false,
    contextText: doc.text,
    docTokenCharStarts: doc.charStarts,
  };
  if (!options.training) return base;

  const isImpossible = version2 && qa.is_impossible === true;
  const answers = qa.answers;
  const count = Array.isArray(answers) ? answers.length : -1;
  if (!isImpossible && (count < 1 || (count > 1 && !options.useFirstAnswer))) {
    const n = Array.isArray(answers) ? answers.length : 'no';
    bad.skip(`for training, the question has ${n} answers`, { file, location, expected: 'exactly 1 answer per question (run_squad training)', code: 'squad-answers' });
    return null;
  }
  if (isImpossible) return { ...base, isImpossible: true, origAnswerText: '', startPosition: -1, endPosition: -1 };

  const answer = (answers as unknown[])[0];
  if (!isObject(answer) || typeof answer.text !== 'string' || typeof answer.answer_start !== 'number') {
    bad.skip('the answer lacks "text" or a numeric "answer_start"', { file, location, expected: '{"text": "…", "answer_start": N}', code: 'squad-answers' });
    return null;
  }
  const origAnswerText = answer.text;
  const offset = answer.answer_start;
  const length = codePointLength(origAnswerText);
  const contextLength = doc.charToWord.length;
  if (!Number.isInteger(offset) || offset < 0 || length === 0 || offset + length > contextLength) {
    const problem = length === 0 ? 'the answer text is empty' : `answer_start ${offset} (+ ${length} characters) lies outside the context (${contextLength} characters)`;
    bad.skip(problem, { file, location, expected: `a non-empty answer with 0 <= answer_start and answer_start + length <= ${contextLength}`, code: 'squad-answer-start' });
    return null;
  }
  const startPosition = doc.charToWord[offset];
  const endPosition = doc.charToWord[offset + length - 1];
  const actualText = doc.docTokens.slice(Math.max(startPosition, 0), endPosition + 1).join(' ');
  const cleaned = cleanAnswerText(origAnswerText);
  if (startPosition < 0 || actualText.indexOf(cleaned) === -1) {
    stats.unrecoverable++;
    bad.note(
      new TabtuneError(`could not find the answer: '${actualText}' vs. '${cleaned}'; question skipped, as run_squad does`, {
        file,
        location,
        expected: 'the answer text at answer_start in the context',
        code: 'squad-answer-unrecoverable',
      }),
    );
    return null;
  }
  return { ...base, origAnswerText, startPosition, endPosition };
}

/** The first `max` questions (0: all), keeping the file's structure. */
export function firstSquadQuestions(json: unknown, max: number): unknown {
  if (max <= 0) return json;
  const root = json as { data?: Array<{ paragraphs?: Array<{ qas?: unknown[] }> }> };
  if (!Array.isArray(root?.data)) return json;
  let left = max;
  const data = [];
  for (const article of root.data) {
    if (left <= 0) break;
    const paragraphs = [];
    for (const p of article.paragraphs ?? []) {
      if (left <= 0) break;
      const qas = (p.qas ?? []).slice(0, left);
      left -= qas.length;
      paragraphs.push({ ...p, qas });
    }
    data.push({ ...article, paragraphs });
  }
  return { ...root, data };
}
