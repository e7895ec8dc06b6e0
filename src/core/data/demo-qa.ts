/**
 * The built-in demo's question-answering set: invented facts from fixed templates (a city's
 * river, founding year and flag colour; a person's birth year, company and favourite colour),
 * with made-up names built from syllables; no third-party text. Output is SQuAD v1.1 JSON, so
 * the demo runs through the same reader, features, training loop and post-processing as a
 * user's SQuAD file.
 *
 * Difficulty is tuned for a tiny BERT trained from scratch in about 150 steps: every answer is
 * a single whitespace-separated word; each paragraph names one subject (a city or a person) and
 * then gives its facts in a fixed order, one fixed sentence each with the answer right after a
 * cue word the question repeats ("river", "founded", "flag", "born", "company", "colour"); the
 * answers of a paragraph are of three kinds (a made-up name, a year, a colour), so each question
 * kind maps to one answer slot. Deterministic for a seed; the dev split uses names never seen
 * in train.
 *
 * Also here: the demo model (a small BERT from scratch over the bert-base-uncased vocabulary)
 * and its training settings.
 */
import type { BertConfig } from '../model/config';

export interface SquadJsonAnswer {
  text: string;
  answer_start: number;
}
export interface SquadJsonQa {
  id: string;
  question: string;
  answers: SquadJsonAnswer[];
}
export interface SquadJsonParagraph {
  context: string;
  qas: SquadJsonQa[];
}
export interface SquadJson {
  version: '1.1';
  data: Array<{ title: string; paragraphs: SquadJsonParagraph[] }>;
}

export interface DemoQaOptions {
  seed?: number;
  /** Paragraphs in the training split (each with up to 3 questions). Default 400. */
  trainParagraphs?: number;
  /** Paragraphs in the held-out dev split. Default 40. */
  devParagraphs?: number;
  /** Facts per paragraph, inclusive range (at most 4; a subject has 3). Default [3, 3]. */
  factsPerParagraph?: [number, number];
}

export interface DemoQaSet {
  train: SquadJson;
  dev: SquadJson;
  /** Options actually used (defaults filled in). */
  options: Required<DemoQaOptions>;
}

/** mulberry32: a small seeded PRNG (uniform in [0, 1)). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rng = () => number;
const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)];
const intIn = (rng: Rng, lo: number, hi: number): number => lo + Math.floor(rng() * (hi - lo + 1));

function shuffle<T>(rng: Rng, xs: T[]): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [xs[i], xs[j]] = [xs[j], xs[i]];
  }
  return xs;
}

const ONSETS = ['b', 'd', 'f', 'g', 'k', 'l', 'm', 'n', 'p', 'r', 's', 't', 'v', 'z', 'br', 'dr', 'kr', 'tr', 'gl', 'sk', 'th', 'zh'];
const VOWELS = ['a', 'e', 'i', 'o', 'u', 'ai', 'ou', 'ei'];
const CODAS = ['', '', '', 'n', 'r', 'l', 's', 'k', 'm'];
const COLOURS = ['red', 'blue', 'green', 'yellow', 'black', 'white', 'grey', 'brown', 'orange', 'purple'];

/** Entity kinds; each draws names of its own shape so kinds look different to the model. */
type EntityKind = 'city' | 'river' | 'person' | 'company' | 'country';

const KIND_ENDINGS: Record<EntityKind, readonly string[]> = {
  city: ['ville', 'burg', 'ton', 'grad', 'ford'],
  river: ['a', 'ine', 'ava', 'uro'],
  person: ['o', 'an', 'ina', 'ek', 'is'],
  company: ['corp', 'tek', 'ware', 'co'],
  country: ['ia', 'land', 'stan', 'ora'],
};

/** Unique made-up names across both splits: dev names are never used in train. */
class NamePool {
  private readonly used = new Set<string>();
  constructor(private readonly rng: Rng) {}
  next(kind: EntityKind): string {
    for (let attempt = 0; attempt < 1000; attempt++) {
      const syllables = intIn(this.rng, 1, 2);
      let s = '';
      for (let i = 0; i < syllables; i++) s += pick(this.rng, ONSETS) + pick(this.rng, VOWELS) + pick(this.rng, CODAS);
      s += pick(this.rng, KIND_ENDINGS[kind]);
      const name = s[0].toUpperCase() + s.slice(1);
      if (name.length >= 5 && !this.used.has(name.toLowerCase())) {
        this.used.add(name.toLowerCase());
        return name;
      }
    }
    throw new Error('demo name pool exhausted');
  }
}

interface Fact {
  relation: string;
  /** Sentence with the answer marked as {A}. */
  sentence: string;
  answer: string;
  question: string;
}

/** One attribute of a paragraph's subject: its sentence (answer marked {A}), its question, its answer. */
interface Attribute {
  name: string;
  make(rng: Rng, names: NamePool, subject: string): Fact;
}

// One fixed sentence per relation, the answer right after a cue word ("river", "founded in",
// "flag"...) that the question repeats, in a fixed order, so each question kind maps to one slot;
// the three answers of a paragraph are of three kinds (a made-up name, a year, a colour).
const CITY_FACTS: readonly Attribute[] = [
  {
    name: 'river',
    make: (_rng, names, city) => ({
      relation: 'river', answer: names.next('river'), sentence: `It lies on the river {A} .`,
      question: `Which river flows through ${city}?`,
    }),
  },
  {
    name: 'founded',
    make: (rng, _names, city) => ({
      relation: 'founded', answer: String(intIn(rng, 1100, 1899)), sentence: `It was founded in {A} .`,
      question: `When was ${city} founded?`,
    }),
  },
  {
    name: 'flag',
    make: (rng, _names, city) => ({
      relation: 'flag', answer: pick(rng, COLOURS), sentence: `Its flag is {A} .`,
      question: `What colour is the flag of ${city}?`,
    }),
  },
];

const PERSON_FACTS: readonly Attribute[] = [
  {
    name: 'born',
    make: (rng, _names, person) => ({
      relation: 'born', answer: String(intIn(rng, 1900, 1999)), sentence: `He was born in {A} .`,
      question: `When was ${person} born?`,
    }),
  },
  {
    name: 'company',
    make: (_rng, names, person) => ({
      relation: 'company', answer: names.next('company'), sentence: `His company is {A} .`,
      question: `Which company did ${person} found?`,
    }),
  },
  {
    name: 'colour',
    make: (rng, _names, person) => ({
      relation: 'colour', answer: pick(rng, COLOURS), sentence: `His favourite colour is {A} .`,
      question: `What is the favourite colour of ${person}?`,
    }),
  },
];

export const DEMO_RELATIONS: readonly string[] = [...CITY_FACTS, ...PERSON_FACTS].map((r) => r.name);

function paragraph(rng: Rng, names: NamePool, prefix: string, index: number, o: Required<DemoQaOptions>): SquadJsonParagraph {
  // One subject per paragraph (a city or a person), introduced first, then k of its facts in the
  // fixed relation order: every answer has a different kind and sits after its own cue word.
  const aboutCity = rng() < 0.5;
  const subject = names.next(aboutCity ? 'city' : 'person');
  const k = intIn(rng, o.factsPerParagraph[0], o.factsPerParagraph[1]);
  const all = aboutCity ? CITY_FACTS : PERSON_FACTS;
  const keep = new Set(shuffle(rng, all.slice()).slice(0, Math.min(k, all.length)));
  const facts: Fact[] = all.filter((a) => keep.has(a)).map((a) => a.make(rng, names, subject));
  // Build the context, recording each fact's answer position.
  let context = `${subject} is a ${aboutCity ? 'city' : 'person'} .`;
  const starts = new Map<Fact, number>();
  for (const f of facts) {
    context += ' ';
    const at = f.sentence.indexOf('{A}');
    starts.set(f, context.length + at);
    context += f.sentence.replace('{A}', f.answer);
  }
  // Attach the final periods to the words the way people write ("Velmora." not "Velmora .").
  const { text, map } = tidySpaces(context);
  const qas = facts.map((f, qi) => ({
    id: `${prefix}-${index}-${qi}`,
    question: f.question,
    answers: [{ text: f.answer, answer_start: map[starts.get(f)!] }],
  }));
  return { context: text, qas };
}

/** Removes the space before " ." and " ," and returns the new position of every old index. */
function tidySpaces(s: string): { text: string; map: number[] } {
  let text = '';
  const map: number[] = [];
  for (let i = 0; i < s.length; i++) {
    map.push(text.length);
    if (s[i] === ' ' && (s[i + 1] === '.' || s[i + 1] === ',')) continue;
    text += s[i];
  }
  map.push(text.length);
  return { text, map };
}

export function generateDemoQa(options: DemoQaOptions = {}): DemoQaSet {
  const o: Required<DemoQaOptions> = {
    seed: options.seed ?? 1,
    trainParagraphs: options.trainParagraphs ?? 400,
    devParagraphs: options.devParagraphs ?? 40,
    factsPerParagraph: options.factsPerParagraph ?? [3, 3],
  };
  const [lo, hi] = o.factsPerParagraph;
  if (!(Number.isInteger(lo) && Number.isInteger(hi) && lo >= 1 && hi >= lo && hi <= 4)) {
    throw new Error(`factsPerParagraph ${JSON.stringify(o.factsPerParagraph)} is not a range within 1..4 facts`);
  }
  const rng = seededRandom(o.seed);
  const names = new NamePool(rng);
  const split = (prefix: 'train' | 'dev', n: number): SquadJson => ({
    version: '1.1',
    data: [{ title: `Tabtune demo (${prefix}, seed ${o.seed})`, paragraphs: Array.from({ length: n }, (_, i) => paragraph(rng, names, `demo-${prefix}`, i, o)) }],
  });
  const train = split('train', o.trainParagraphs);
  const dev = split('dev', o.devParagraphs);
  return { train, dev, options: o };
}

/** The demo model at its full size (demo-size.ts narrows it for slower devices): a small BERT from scratch over the bert-base-uncased vocabulary. */
export const DEMO_MODEL_CONFIG: BertConfig = {
  vocabSize: 30522,
  hiddenSize: 64,
  numHiddenLayers: 2,
  numAttentionHeads: 2,
  intermediateSize: 128,
  hiddenAct: 'gelu_erf',
  hiddenDropoutProb: 0.0,
  attentionProbsDropoutProb: 0.0,
  maxPositionEmbeddings: 64,
  typeVocabSize: 2,
  initializerRange: 0.02,
  layerNormEps: 1e-12,
};

/**
 * The demo's training settings at its full size (over SQuAD's defaults; keys of core/settings'
 * table; core/session/demo-size.ts changes them for its smaller sizes): a paragraph of three facts and its
 * question fit in 56 tokens (one window each); two epochs of 400 paragraphs (1,200 questions) in
 * batches of 16 are 150 steps, with a from-scratch learning rate and AdamW. Measured through the
 * worker handler in Node (WASM backend, seed 1, demo-qa-learning.test.ts): loss 4.0 -> 0.3, dev
 * exact match 88% after 150 steps (17-30 s); the loss drops sharply after about 60-80 steps, when
 * the model learns which slot each question asks about (75 steps gave 55-74%). 800 paragraphs in
 * batches of 32 reached 94%, at twice the examples (and twice the time on a slow WebGPU).
 */
export const DEMO_SETTINGS = {
  maxSeqLength: 56,
  docStride: 24,
  maxQueryLength: 16,
  trainBatchSize: 16,
  learningRate: 5e-3,
  numTrainEpochs: 2,
  warmupProportion: 0.1,
  optimizer: 'adamw' as const,
  schedule: 'linear' as const,
  weightDecay: 0.01,
  maxGradNorm: 1.0,
  gradientAccumulationSteps: 1,
  evalEverySteps: 0,
  saveCheckpointsSteps: 50,
  seed: 1,
  doLowerCase: true,
  maxTrainExamples: 0,
  nBestSize: 20,
  maxAnswerLength: 8,
  nullScoreDiffThreshold: 0,
};
