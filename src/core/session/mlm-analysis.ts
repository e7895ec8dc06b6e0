/**
 * What the page shows of a masked-LM corpus before a run (analysis.ts asks here for task `mlm`):
 *   countTextRecords(source)   non-empty lines (sentences) and documents, before a vocabulary is known
 *   mlmPlanCounts(...)         packed sequences for training and evaluation, as the run's adapter
 *                              makes them (the same cached corpus, the same held-out split)
 *   mlmPreview(...)            the first packed sequences masked with the run's rules and seed:
 *                              the tokens the model sees, and the tokens it must predict
 */
import { readLines, type DataSource } from '../data/source';
import { mlmVocab, packSequences } from '../data/mlm-masking';
import type { Settings } from '../settings/schema';
import type { Tokenizer } from '../tokenizer/types';
import { bucketLengths } from '../train/task-buckets';
import { createMlmTask, paddedMaskedBatch, readMlmCorpus } from '../train/task-mlm';
import type { DatasetCache } from '../train/task-types';
import type { PreviewExample } from './events';
import type { RecordCount } from './analysis';
import { dataSource, type KeptFile } from './files';

export async function countTextRecords(source: DataSource): Promise<RecordCount> {
  let sentences = 0;
  let documents = 0;
  let inDocument = false;
  for await (const line of readLines(source)) {
    if (line.text.trim() === '') {
      inDocument = false;
      continue;
    }
    sentences++;
    if (!inDocument) documents++;
    inDocument = true;
  }
  return { records: sentences, skipped: 0, notes: sentences > 0 ? [] : [`${source.name}: no text (every line is blank)`] };
}

/** Packed sequences the run would train and evaluate on. */
export async function mlmPlanCounts(train: KeptFile, dev: KeptFile | undefined, tokenizer: Tokenizer, settings: Settings, cache: DatasetCache): Promise<{ train: number; dev: number }> {
  const adapter = await createMlmTask({
    tokenizer,
    config: { ...settings, task: 'mlm', versionTwoWithNegative: false },
    train: dataSource(train),
    dev: dev && dev !== train ? dataSource(dev) : undefined,
    cache,
  });
  return { train: adapter.train?.numFeatures ?? 0, dev: adapter.dev?.numFeatures ?? 0 };
}

export async function mlmPreview(train: KeptFile, tokenizer: Tokenizer, settings: Settings, cache: DatasetCache, count: number): Promise<PreviewExample[]> {
  const corpus = await readMlmCorpus([dataSource(train)], tokenizer, cache);
  const vocab = mlmVocab(tokenizer.vocab.idToToken, train.name);
  const sequences = packSequences(corpus, settings.maxSeqLength, vocab).slice(0, count);
  const masking = { maskedLmProb: settings.maskedLmProb, maxPredictionsPerSeq: settings.maxPredictionsPerSeq, wholeWordMask: settings.wholeWordMask };
  return sequences.map((seq, i) => {
    const b = paddedMaskedBatch(sequences, [i], vocab, masking, settings.seed, 0, bucketLengths([], settings.maxSeqLength));
    const ids = Array.from(b.inputIds.subarray(0, seq.length));
    const predicted: string[] = [];
    b.mlmLabels!.subarray(0, seq.length).forEach((label, p) => {
      if (label !== -100) predicted.push(`${p}:${tokenizer.vocab.idToToken[label]}`);
    });
    return {
      guid: `sequence ${i + 1} (${seq.length} tokens)`,
      tokens: tokenizer.convertIdsToTokens(ids),
      segmentIds: new Array<number>(seq.length).fill(0),
      label: `predict ${predicted.join(' ')}`,
    };
  });
}
