/**
 * The benchmark corpus: every text field of the GLUE files (MRPC, CoLA, SST-2, RTE; train, dev
 * and test) and every SQuAD context and question of ../shared/datasets, read in place.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Text columns: fields holding a space (ids, labels and indices never do). */
function glueTexts(file: string): string[] {
  const out: string[] = [];
  const text = readFileSync(file, 'utf8');
  for (const line of text.split('\n')) {
    for (const field of line.split('\t')) {
      const f = field.trim();
      if (f.includes(' ')) out.push(f);
    }
  }
  return out;
}

interface SquadJson {
  data: Array<{ paragraphs: Array<{ context: string; qas: Array<{ question: string }> }> }>;
}

function squadTexts(file: string): string[] {
  const json = JSON.parse(readFileSync(file, 'utf8')) as SquadJson;
  const out: string[] = [];
  for (const article of json.data) {
    for (const p of article.paragraphs) {
      out.push(p.context);
      for (const q of p.qas) out.push(q.question);
    }
  }
  return out;
}

export interface Corpus {
  texts: string[];
  /** UTF-8 size of all texts. */
  bytes: number;
  sources: string[];
}

export function buildCorpus(datasets: string): Corpus {
  const texts: string[] = [];
  const sources: string[] = [];
  const glue = join(datasets, 'glue');
  for (const task of readdirSync(glue).sort()) {
    for (const split of ['train.tsv', 'dev.tsv', 'test.tsv']) {
      const file = join(glue, task, split);
      try {
        texts.push(...glueTexts(file));
        sources.push(`glue/${task}/${split}`);
      } catch {
        // A task without that split: nothing to add.
      }
    }
  }
  for (const name of ['xquad.en.json', 'cs224n-dev-v2.0.json']) {
    texts.push(...squadTexts(join(datasets, 'squad', name)));
    sources.push(`squad/${name}`);
  }
  let bytes = 0;
  for (const t of texts) bytes += Buffer.byteLength(t, 'utf8');
  return { texts, bytes, sources };
}
