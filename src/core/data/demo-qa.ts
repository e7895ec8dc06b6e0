/**
 * The built-in demo's question-answering set: invented facts from templates (a city's river, a
 * person's birth year, a company's founder, a country's capital, where someone lives, a
 * mountain's height, an animal's colour), with made-up names built from syllables; no
 * third-party text. Output is SQuAD v1.1 JSON, so the demo runs through the same reader,
 * features, training loop and post-processing as a user's SQuAD file.
 *
 * Difficulty is tuned for a tiny BERT trained from scratch: every answer is a single
 * whitespace-separated word (a made-up name, a year, a number or a colour), each paragraph holds
 * 2-4 facts of DIFFERENT relations in shuffled order, and each fact gets one question, so the
 * model must learn which relation the question asks about and where that fact's answer sits.
 * `distractors: true` adds a second fact of an asked relation (the model must also match the
 * question's subject). Deterministic for a seed; the dev split uses names never seen in train.
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
  /** Paragraphs in the training split (each with 2-4 questions). Default 600. */
  trainParagraphs?: number;
  /** Paragraphs in the held-out dev split. Default 40. */
  devParagraphs?: number;
  /** Facts per paragraph, inclusive range. Default [2, 4]. */
  factsPerParagraph?: [number, number];
  /** Add a same-relation distractor fact to some paragraphs. Default false. */
  distractors?: boolean;
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
type EntityKind = 'city' | 'river' | 'person' | 'company' | 'country' | 'mountain' | 'animal';

const KIND_ENDINGS: Record<EntityKind, readonly string[]> = {
  city: ['ville', 'burg', 'ton', 'grad', 'ford'],
  river: ['a', 'ine', 'ava', 'uro'],
  person: ['o', 'an', 'ina', 'ek', 'is'],
  company: ['corp', 'tek', 'ware', 'co'],
  country: ['ia', 'land', 'stan', 'ora'],
  mountain: ['horn', 'berg', 'peak'],
  animal: ['ling', 'ox', 'ard'],
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

interface Relation {
  name: string;
  make(rng: Rng, names: NamePool): Fact;
}

const RELATIONS: readonly Relation[] = [
  {
    name: 'river',
    make(rng, names) {
      const city = names.next('city');
      const river = names.next('river');
      return {
        relation: 'river', answer: river,
        sentence: pick(rng, [`${city} lies on the river {A} .`, `The river {A} flows through ${city} .`, `${city} was built beside the river {A} .`]),
        question: pick(rng, [`Which river flows through ${city}?`, `On which river does ${city} lie?`, `What river is ${city} built beside?`]),
      };
    },
  },
  {
    name: 'born',
    make(rng, names) {
      const person = names.next('person');
      const year = String(intIn(rng, 1600, 1999));
      return {
        relation: 'born', answer: year,
        sentence: pick(rng, [`${person} was born in {A} .`, `In {A} , ${person} was born .`, `The year ${person} was born was {A} .`]),
        question: pick(rng, [`When was ${person} born?`, `In what year was ${person} born?`, `What year was ${person} born in?`]),
      };
    },
  },
  {
    name: 'founder',
    make(rng, names) {
      const company = names.next('company');
      const person = names.next('person');
      return {
        relation: 'founder', answer: person,
        sentence: pick(rng, [`${company} was founded by {A} .`, `{A} founded the company ${company} .`, `The founder of ${company} is {A} .`]),
        question: pick(rng, [`Who founded ${company}?`, `Who is the founder of ${company}?`, `Which person founded ${company}?`]),
      };
    },
  },
  {
    name: 'capital',
    make(rng, names) {
      const country = names.next('country');
      const city = names.next('city');
      return {
        relation: 'capital', answer: city,
        sentence: pick(rng, [`The capital of ${country} is {A} .`, `{A} is the capital city of ${country} .`]),
        question: pick(rng, [`What is the capital of ${country}?`, `Which city is the capital of ${country}?`]),
      };
    },
  },
  {
    name: 'home',
    make(rng, names) {
      const person = names.next('person');
      const city = names.next('city');
      return {
        relation: 'home', answer: city,
        sentence: pick(rng, [`${person} lives in {A} .`, `${person} has a house in {A} .`]),
        question: pick(rng, [`Where does ${person} live?`, `In which town does ${person} live?`]),
      };
    },
  },
  {
    name: 'height',
    make(rng, names) {
      const mountain = names.next('mountain');
      const metres = String(intIn(rng, 1000, 8999));
      return {
        relation: 'height', answer: metres,
        sentence: pick(rng, [`Mount ${mountain} is {A} metres high .`, `The peak of ${mountain} rises {A} metres .`]),
        question: pick(rng, [`How high is Mount ${mountain}?`, `How many metres high is ${mountain}?`]),
      };
    },
  },
  {
    name: 'colour',
    make(rng, names) {
      const animal = names.next('animal').toLowerCase();
      const colour = pick(rng, COLOURS);
      return {
        relation: 'colour', answer: colour,
        sentence: pick(rng, [`The ${animal} is {A} .`, `Every ${animal} has {A} fur .`]),
        question: pick(rng, [`What colour is the ${animal}?`, `What colour is the fur of the ${animal}?`]),
      };
    },
  },
];

export const DEMO_RELATIONS: readonly string[] = RELATIONS.map((r) => r.name);

function paragraph(rng: Rng, names: NamePool, prefix: string, index: number, o: Required<DemoQaOptions>): SquadJsonParagraph {
  const k = intIn(rng, o.factsPerParagraph[0], o.factsPerParagraph[1]);
  const relations = shuffle(rng, RELATIONS.slice()).slice(0, Math.min(k, RELATIONS.length));
  const asked: Fact[] = relations.map((r) => r.make(rng, names));
  const all = asked.slice();
  if (o.distractors && rng() < 0.5) all.push(relations[0].make(rng, names));
  shuffle(rng, all);
  // Build the context, recording each fact's answer position.
  let context = '';
  const starts = new Map<Fact, number>();
  for (const f of all) {
    if (context) context += ' ';
    const at = f.sentence.indexOf('{A}');
    starts.set(f, context.length + at);
    context += f.sentence.replace('{A}', f.answer);
  }
  // Detach the final periods from words the way people write ("Velmora." not "Velmora .").
  const { text, map } = tidySpaces(context);
  const qas = asked.map((f, qi) => ({
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
    trainParagraphs: options.trainParagraphs ?? 600,
    devParagraphs: options.devParagraphs ?? 40,
    factsPerParagraph: options.factsPerParagraph ?? [2, 4],
    distractors: options.distractors ?? false,
  };
  const [lo, hi] = o.factsPerParagraph;
  if (!(Number.isInteger(lo) && Number.isInteger(hi) && lo >= 1 && hi >= lo)) {
    throw new Error(`factsPerParagraph ${JSON.stringify(o.factsPerParagraph)} is not a range of at least one fact`);
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

/** The demo model: a small BERT from scratch over the bert-base-uncased vocabulary. */
export const DEMO_MODEL_CONFIG: BertConfig = {
  vocabSize: 30522,
  hiddenSize: 128,
  numHiddenLayers: 2,
  numAttentionHeads: 2,
  intermediateSize: 512,
  hiddenAct: 'gelu_erf',
  hiddenDropoutProb: 0.0,
  attentionProbsDropoutProb: 0.0,
  maxPositionEmbeddings: 128,
  typeVocabSize: 2,
  initializerRange: 0.02,
  layerNormEps: 1e-12,
};

/**
 * The demo's training settings (fields of protocol RunSettings): short sequences (a paragraph of up
 * to four facts and its question fit in 80 tokens), a from-scratch learning rate, AdamW.
 */
export const DEMO_SETTINGS = {
  maxSeqLength: 80,
  docStride: 32,
  maxQueryLength: 24,
  batchSize: 32,
  learningRate: 1e-3,
  epochs: 3,
  warmupProportion: 0.1,
  optimizer: 'adamw' as const,
  schedule: 'linear' as const,
  weightDecay: 0.01,
  maxGradNorm: 1.0,
  gradientAccumulationSteps: 1,
  evalEverySteps: 50,
  saveCheckpointsSteps: 50,
  seed: 1,
  doLowerCase: true,
  maxTrainExamples: 0,
  nBestSize: 20,
  maxAnswerLength: 8,
  nullScoreDiffThreshold: 0,
};
