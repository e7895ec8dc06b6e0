/**
 * Reads what the SQuAD metrics need from the files a user gives: the gold questions of a SQuAD
 * JSON file, a predictions file ({qid: text}) and a no-answer-probability file ({qid: number}).
 * Every structural problem is a TabtuneError naming the file and the item.
 */
import { TabtuneError } from '../errors';
import type { SquadGoldQuestion, SquadNaProbs, SquadPredictions } from './squad-metrics';

export interface SquadGold {
  /** The file's "version" field, when present ("1.1", "v2.0"). */
  version?: string;
  questions: SquadGoldQuestion[];
}

function parseJson(text: string, file: string, expected: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new TabtuneError(`not valid JSON: ${(e as Error).message}`, { file, expected, code: 'json' });
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The gold answers of a SQuAD v1.1 / v2.0 file (`data[].paragraphs[].qas[]`). */
export function parseSquadGold(text: string, file: string): SquadGold {
  return squadGoldFromJson(parseJson(text, file, 'a SQuAD JSON file'), file);
}

/** The gold answers of an already-parsed SQuAD object (a dev file read once for its examples and its gold). */
export function squadGoldFromJson(root: unknown, file: string): SquadGold {
  if (!isObject(root) || !Array.isArray(root.data)) {
    throw new TabtuneError('no "data" array at the top level', { file, expected: 'a SQuAD JSON object {"version", "data": [...]}', code: 'squad-json' });
  }
  const questions: SquadGoldQuestion[] = [];
  root.data.forEach((article, ai) => {
    if (!isObject(article) || !Array.isArray(article.paragraphs)) {
      throw new TabtuneError('an article has no "paragraphs" array', { file, location: `data[${ai}]`, expected: '{"title", "paragraphs": [...]}', code: 'squad-json' });
    }
    article.paragraphs.forEach((para, pi) => {
      if (!isObject(para) || !Array.isArray(para.qas)) {
        throw new TabtuneError('a paragraph has no "qas" array', { file, location: `data[${ai}].paragraphs[${pi}]`, expected: '{"context", "qas": [...]}', code: 'squad-json' });
      }
      para.qas.forEach((qa, qi) => {
        const where = `data[${ai}].paragraphs[${pi}].qas[${qi}]`;
        if (!isObject(qa) || typeof qa.id !== 'string') {
          throw new TabtuneError('a question has no string "id"', { file, location: where, expected: '{"id", "question", "answers": [...]}', code: 'squad-json' });
        }
        const answers = qa.answers ?? [];
        if (!Array.isArray(answers) || !answers.every((a) => isObject(a) && typeof a.text === 'string')) {
          throw new TabtuneError('"answers" is not a list of {"text"} objects', { file, location: `question ${qa.id}`, expected: '"answers": [{"text": "...", "answer_start": N}, ...]', code: 'squad-json' });
        }
        questions.push({ id: qa.id, answers: answers.map((a) => ({ text: (a as { text: string }).text })) });
      });
    });
  });
  return { version: typeof root.version === 'string' ? root.version : undefined, questions };
}

/** A predictions.json file: {qid: answer text}. */
export function parseSquadPredictions(text: string, file: string): SquadPredictions {
  const root = parseJson(text, file, 'a JSON object {"question id": "answer text"}');
  if (!isObject(root)) {
    throw new TabtuneError('the predictions are not a JSON object', { file, expected: '{"question id": "answer text", ...}', code: 'squad-predictions' });
  }
  for (const [qid, v] of Object.entries(root)) {
    if (typeof v !== 'string') {
      throw new TabtuneError(`the prediction is a ${v === null ? 'null' : typeof v}`, { file, location: `question ${qid}`, expected: 'a string (use "" for no answer)', code: 'squad-predictions' });
    }
  }
  return root as SquadPredictions;
}

/** A null-odds / na-prob file: {qid: number}. */
export function parseSquadNaProbs(text: string, file: string): SquadNaProbs {
  const root = parseJson(text, file, 'a JSON object {"question id": number}');
  if (!isObject(root)) {
    throw new TabtuneError('the no-answer probabilities are not a JSON object', { file, expected: '{"question id": number, ...}', code: 'squad-na-probs' });
  }
  for (const [qid, v] of Object.entries(root)) {
    if (typeof v !== 'number') {
      throw new TabtuneError(`the no-answer probability is a ${v === null ? 'null' : typeof v}`, { file, location: `question ${qid}`, expected: 'a number', code: 'squad-na-probs' });
    }
  }
  return root as SquadNaProbs;
}
