/**
 * The masked-LM task ("Domain text (masked-LM)"): continued pre-training on the user's plain
 * text, as google-research/bert's create_pretraining_data.py + run_pretraining.py (without the
 * next-sentence task) and Hugging Face's run_mlm.py do it.
 *
 *   .txt files -> readTextCorpus (one sentence per line, blank line between documents)
 *              -> packSequences (max_seq_length, documents never mixed)
 *              -> train: TrainSet whose batch(indices, epoch) masks each sequence afresh every
 *                 epoch (dynamic masking, seeded by seed, epoch and the sequence's index, the same
 *                 draw as mlmBatches), padded to the smallest length bucket that holds it
 *              -> dev:   a dev file's sequences, or run_mlm's validation split of the training
 *                 sequences (seeded), masked once with a fixed seed so every evaluation of a run
 *                 scores the same positions: loss, perplexity and masked-token accuracy
 *                 (evaluateMlm)
 * Head: { kind: 'mlm' } (model/mlm-head.ts, the checkpoint's cls.predictions).
 */
import { TabtuneError } from '../errors';
import type { DataSource } from '../data/source';
import type { ProgressCallback } from '../data/types';
import { readTextCorpus, type TextCorpus } from '../data/text-corpus';
import { maskedBatch, mlmVocab, packSequences, type MlmMaskingOptions, type MlmVocab } from '../data/mlm-masking';
import { evaluateMlm } from '../eval/mlm';
import type { HostBatch } from '../model/types';
import type { Tokenizer } from '../tokenizer/types';
import { createLoopRng, mixSeed } from './loop-rng';
import type { TrainingConfig } from './run-config';
import { bucketLengths } from './task-buckets';
import type { DatasetCache, EvalOutcome, EvalSet, TaskAdapter, TrainSet } from './task-types';

export interface MlmTaskInput {
  tokenizer: Tokenizer;
  config: TrainingConfig;
  /** One or more plain-text files (several files are one corpus). */
  train?: DataSource | DataSource[];
  /** A held-out text file; absent (or the training file itself): run_mlm's validation split. */
  dev?: DataSource;
  cache?: DatasetCache;
  onProgress?: (phase: 'reading' | 'featurizing', done: number, total: number) => void;
}

/** Salts of the seeds (so the split and the evaluation masks never share a stream with training's). */
const SPLIT_SALT = 0x73706c74;
const EVAL_SALT = 0x6576616c;

/** The metric keys an evaluation reports (charts and run ranking read them). */
export const MLM_METRICS = { accuracy: 'masked_accuracy', loss: 'mlm_loss', perplexity: 'perplexity' } as const;

/**
 * Sequences `indices` of `sequences`, each masked from mixSeed(seed, epoch, index) (as mlmBatches
 * draws them), padded to the smallest of `lengths` that holds the longest; mlmLabels −100 elsewhere.
 */
export function paddedMaskedBatch(sequences: readonly Int32Array[], indices: readonly number[], v: MlmVocab, o: MlmMaskingOptions, seed: number, epoch: number, lengths: readonly number[]): HostBatch {
  let longest = 0;
  for (const i of indices) longest = Math.max(longest, sequences[i].length);
  return maskedBatch(sequences, indices, v, o, seed, epoch, lengths.find((l) => l >= longest) ?? longest);
}

/** The corpus of `sources`, read once per session through its cache (the preview and the run share it). */
export async function readMlmCorpus(sources: DataSource[], tokenizer: Tokenizer, cache: DatasetCache | undefined, onProgress?: ProgressCallback): Promise<TextCorpus> {
  const read = () => readTextCorpus(sources, tokenizer, onProgress);
  if (!cache) return read();
  // Tokenized ids depend on lower-casing; the key names each file so replacing one drops the entry.
  return cache.get(['mlm-corpus', ...sources.map((s) => s.name), `lower=${tokenizer.doLowerCase}`].join('\u0000'), read);
}

export async function createMlmTask(input: MlmTaskInput): Promise<TaskAdapter> {
  const { tokenizer, config } = input;
  const vocab = mlmVocab(tokenizer.vocab.idToToken);
  const masking: MlmMaskingOptions = { maskedLmProb: config.maskedLmProb, maxPredictionsPerSeq: config.maxPredictionsPerSeq, wholeWordMask: config.wholeWordMask };
  const lengths = bucketLengths(config.seqBuckets, config.maxSeqLength);
  const notes: string[] = [];
  const trainSources = input.train === undefined ? [] : Array.isArray(input.train) ? input.train : [input.train];
  const progress = (phase: 'reading' | 'featurizing'): ProgressCallback => (d, t) => input.onProgress?.(phase, d, t);

  let trainSeqs: Int32Array[] = [];
  let devSeqs: Int32Array[] = [];
  if (trainSources.length > 0) {
    const corpus = await readMlmCorpus(trainSources, tokenizer, input.cache, progress('reading'));
    trainSeqs = packSequences(corpus, config.maxSeqLength, vocab);
    input.onProgress?.('featurizing', 1, 1);
  }
  const devIsTrain = !input.dev || trainSources.some((s) => s.name === input.dev!.name);
  if (input.dev && !devIsTrain) {
    devSeqs = packSequences(await readMlmCorpus([input.dev], tokenizer, input.cache, progress('reading')), config.maxSeqLength, vocab);
  } else if (trainSeqs.length > 0) {
    // run_mlm.py's validation_split_percentage: a seeded share of the sequences is held out.
    const held = config.mlmValidationSplit > 0 && trainSeqs.length >= 2 ? Math.min(trainSeqs.length - 1, Math.max(1, Math.ceil((trainSeqs.length * config.mlmValidationSplit) / 100))) : 0;
    if (held > 0) {
      const order = createLoopRng(mixSeed(config.seed, SPLIT_SALT)).permutation(trainSeqs.length);
      const out = new Set(order.slice(0, held));
      devSeqs = trainSeqs.filter((_, i) => out.has(i));
      trainSeqs = trainSeqs.filter((_, i) => !out.has(i));
      notes.push(`masked LM: ${held} of ${held + trainSeqs.length} packed sequences held out for evaluation (${config.mlmValidationSplit}%, run_mlm.py --validation_split_percentage)`);
    } else {
      devSeqs = trainSeqs;
      notes.push('masked LM: evaluation uses the training text (no dev file and no held-out share)');
    }
  }
  if (config.maxTrainExamples > 0 && trainSeqs.length > config.maxTrainExamples) trainSeqs = trainSeqs.slice(0, config.maxTrainExamples);
  if (config.maxEvalExamples > 0 && devSeqs.length > config.maxEvalExamples) devSeqs = devSeqs.slice(0, config.maxEvalExamples);

  const train: TrainSet | undefined = trainSources.length > 0
    ? {
        numExamples: trainSeqs.length,
        numFeatures: trainSeqs.length,
        batch: (indices, epoch = 0) => paddedMaskedBatch(trainSeqs, indices, vocab, masking, config.seed, epoch, lengths),
      }
    : undefined;

  const dev: EvalSet | undefined = devSeqs.length > 0
    ? {
        numExamples: devSeqs.length,
        numFeatures: devSeqs.length,
        labelled: true,
        async evaluate(model, options): Promise<EvalOutcome> {
          const evalSeed = mixSeed(config.seed, EVAL_SALT);
          const total = Math.ceil(devSeqs.length / options.batchSize);
          function* batches(): Generator<HostBatch> {
            for (let b = 0; b < total; b++) {
              if (options.signal?.aborted) throw new DOMException('evaluation stopped', 'AbortError');
              const indices = [];
              for (let i = b * options.batchSize; i < Math.min(devSeqs.length, (b + 1) * options.batchSize); i++) indices.push(i);
              yield paddedMaskedBatch(devSeqs, indices, vocab, masking, evalSeed, 0, lengths);
              options.onProgress?.(b + 1, total);
            }
          }
          const m = await evaluateMlm(model, batches());
          const metrics = { [MLM_METRICS.accuracy]: m.maskedAccuracy, [MLM_METRICS.loss]: m.loss, [MLM_METRICS.perplexity]: m.perplexity };
          return { metrics, predictions: { kind: 'masked-lm', predicted: m.predicted, metrics } };
        },
      }
    : undefined;

  if (train && train.numFeatures === 0) {
    throw new TabtuneError('gave no sequences to train on after the held-out share', { file: trainSources.map((s) => s.name).join(', '), expected: 'more text (or a lower held-out percentage)', code: 'no-train' });
  }
  return { task: 'mlm', head: { kind: 'mlm' }, labels: [], train, dev, notes };
}
