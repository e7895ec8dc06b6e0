/**
 * Masked-LM examples: packing a corpus into sequences, and masking them.
 *
 * Packing (packSequences): within each document, whole sentences are appended while the
 * sequence holds at most max_seq_length − 2 tokens, then it is closed as [CLS] … [SEP]
 * (documents are never mixed, as create_instances_from_document; a sentence longer than the
 * room is cut into max_seq_length − 2 pieces). One segment: token_type_ids all 0 (no
 * next-sentence task).
 *
 * Masking (maskSequence): create_pretraining_data.py's create_masked_lm_predictions:
 *   - candidates: every position but [CLS] / [SEP] (and padding, which is never in the tokens);
 *     with whole-word masking, a '##' piece joins the previous candidate (one word = one set);
 *   - candidates shuffled; num_to_predict = min(max_predictions_per_seq,
 *     max(1, round(len(tokens)·masked_lm_prob))) with len counting [CLS]/[SEP] and Python's
 *     round (half to even);
 *   - sets taken in order while the count stays ≤ num_to_predict (a whole word that would
 *     exceed it is skipped, not cut);
 *   - each chosen position: 80% [MASK], else 50/50 kept or a random id in [0, V) (Google draws
 *     from the whole vocabulary);
 *   - labels: the original id at chosen positions, −100 elsewhere (Hugging Face's ignore index).
 *
 * Dynamic masking (mlmBatches): the masks are drawn again every epoch, as run_mlm.py's
 * DataCollatorForLanguageModeling does, from mixSeed(seed, epoch, sequence index): a seeded run
 * is reproducible and independent of batching; the epoch's order is a seeded permutation.
 */
import { TabtuneError } from '../errors';
import type { HostBatch } from '../model/types';
import { createLoopRng, mixSeed, type LoopRng } from '../train/loop-rng';
import type { TextCorpus } from './text-corpus';

export interface MlmMaskingOptions {
  /** Share of tokens predicted (Google's masked_lm_prob, 0.15). */
  maskedLmProb: number;
  /** At most this many predictions per sequence (Google: 20 for 128 tokens, 80 for 512). */
  maxPredictionsPerSeq: number;
  /** Google's --do_whole_word_mask. */
  wholeWordMask: boolean;
}

export const DEFAULT_MLM_MASKING: MlmMaskingOptions = { maskedLmProb: 0.15, maxPredictionsPerSeq: 20, wholeWordMask: false };

/** Special ids and the vocabulary facts masking needs. */
export interface MlmVocab {
  clsId: number;
  sepId: number;
  maskId: number;
  padId: number;
  vocabSize: number;
  /** isContinuation[id]: the token starts with '##' (a piece inside a word). */
  isContinuation: Uint8Array;
}

/** MlmVocab from a vocabulary list (id -> token); [MASK] must be in it. */
export function mlmVocab(idToToken: readonly string[], file = 'vocab.txt'): MlmVocab {
  const find = (t: string) => {
    const i = idToToken.indexOf(t);
    if (i < 0) throw new TabtuneError(`has no ${t} token`, { file, location: t, expected: `the special tokens [CLS], [SEP], [MASK], [PAD]`, code: 'vocab-special' });
    return i;
  };
  const isContinuation = new Uint8Array(idToToken.length);
  idToToken.forEach((t, i) => {
    if (t.startsWith('##')) isContinuation[i] = 1;
  });
  return { clsId: find('[CLS]'), sepId: find('[SEP]'), maskId: find('[MASK]'), padId: find('[PAD]'), vocabSize: idToToken.length, isContinuation };
}

/** Python's round() on a non-negative number: half to even. */
export function pythonRound(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/** Packs each document's sentences into [CLS] … [SEP] sequences of at most maxSeqLength tokens. */
export function packSequences(corpus: Pick<TextCorpus, 'documents'>, maxSeqLength: number, v: Pick<MlmVocab, 'clsId' | 'sepId'>): Int32Array[] {
  if (!Number.isInteger(maxSeqLength) || maxSeqLength < 3) {
    throw new TabtuneError(`max_seq_length ${maxSeqLength}`, { location: 'max_seq_length', expected: 'a whole number ≥ 3 ([CLS], one token, [SEP])', code: 'mlm-config' });
  }
  const room = maxSeqLength - 2;
  const out: Int32Array[] = [];
  for (const doc of corpus.documents) {
    let chunk: number[] = [];
    const close = () => {
      if (chunk.length === 0) return;
      const seq = new Int32Array(chunk.length + 2);
      seq[0] = v.clsId;
      seq.set(chunk, 1);
      seq[chunk.length + 1] = v.sepId;
      out.push(seq);
      chunk = [];
    };
    for (const sentence of doc) {
      if (chunk.length + sentence.length > room) close();
      for (let i = 0; i < sentence.length; i += room) {
        const piece = sentence.subarray(i, Math.min(sentence.length, i + room));
        if (chunk.length + piece.length > room) close();
        for (const id of piece) chunk.push(id);
      }
    }
    close();
  }
  return out;
}

export interface MaskedSequence {
  /** The tokens after masking ([MASK], random or kept at predicted positions). */
  inputIds: Int32Array;
  /** Original id at predicted positions, −100 elsewhere. */
  labels: Int32Array;
}

/** create_masked_lm_predictions on one sequence (with [CLS]/[SEP]), drawing from `rng`. */
export function maskSequence(tokens: Int32Array, v: MlmVocab, o: MlmMaskingOptions, rng: LoopRng): MaskedSequence {
  const cand: number[][] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t === v.clsId || t === v.sepId) continue;
    if (o.wholeWordMask && cand.length >= 1 && v.isContinuation[t] === 1) cand[cand.length - 1].push(i);
    else cand.push([i]);
  }
  // rng.shuffle(cand_indexes): Fisher–Yates
  for (let i = cand.length - 1; i > 0; i--) {
    const j = Math.floor(rng.nextFloat() * (i + 1));
    [cand[i], cand[j]] = [cand[j], cand[i]];
  }
  const inputIds = new Int32Array(tokens);
  const labels = new Int32Array(tokens.length).fill(-100);
  const numToPredict = Math.min(o.maxPredictionsPerSeq, Math.max(1, pythonRound(tokens.length * o.maskedLmProb)));
  let count = 0;
  for (const set of cand) {
    if (count >= numToPredict) break;
    if (count + set.length > numToPredict) continue;
    // sets never overlap here (each position is in exactly one set), so no covered-index check is needed
    for (const i of set) {
      let replacement: number;
      if (rng.nextFloat() < 0.8) replacement = v.maskId;
      else if (rng.nextFloat() < 0.5) replacement = tokens[i];
      else replacement = Math.floor(rng.nextFloat() * v.vocabSize);
      inputIds[i] = replacement;
      labels[i] = tokens[i];
      count += 1;
    }
  }
  return { inputIds, labels };
}

export interface MlmBatchOptions extends MlmMaskingOptions {
  batchSize: number;
  /** Sequences are padded to this length. */
  maxSeqLength: number;
  epoch: number;
  seed: number;
  /** Shuffle the sequences each epoch (default true). */
  shuffle?: boolean;
  /** Keep a last, smaller batch (default true). */
  keepLast?: boolean;
}

/** One epoch of masked batches (HostBatch with mlmLabels), masks and order drawn for this epoch. */
export function* mlmBatches(sequences: readonly Int32Array[], v: MlmVocab, o: MlmBatchOptions): Generator<HostBatch> {
  const S = o.maxSeqLength;
  const order = o.shuffle === false ? sequences.map((_, i) => i) : createLoopRng(mixSeed(o.seed, o.epoch, 0x6d6c6d)).permutation(sequences.length);
  for (let start = 0; start < order.length; start += o.batchSize) {
    const idx = order.slice(start, start + o.batchSize);
    if (idx.length < o.batchSize && o.keepLast === false) break;
    yield maskedBatch(sequences, idx, v, o, o.seed, o.epoch, S);
  }
}

/**
 * Sequences `indices` of `sequences`, each masked from mixSeed(seed, epoch, index) (so a sequence's
 * mask depends only on the seed, the epoch and its index, not on the batch it lands in), padded to
 * `S`; mlmLabels −100 at every unmasked and padded position.
 */
export function maskedBatch(sequences: readonly Int32Array[], indices: readonly number[], v: MlmVocab, o: MlmMaskingOptions, seed: number, epoch: number, S: number): HostBatch {
  const B = indices.length;
  const batch: HostBatch = {
    batchSize: B,
    seqLength: S,
    inputIds: new Int32Array(B * S).fill(v.padId),
    tokenTypeIds: new Int32Array(B * S),
    attentionMask: new Int32Array(B * S),
    mlmLabels: new Int32Array(B * S).fill(-100),
  };
  indices.forEach((seqIndex, b) => {
    const tokens = sequences[seqIndex];
    if (tokens.length > S) {
      throw new TabtuneError(`sequence ${seqIndex} holds ${tokens.length} tokens`, { location: `sequence ${seqIndex}`, expected: `at most max_seq_length ${S}`, code: 'mlm-length' });
    }
    const m = maskSequence(tokens, v, o, createLoopRng(mixSeed(seed, epoch, seqIndex)));
    batch.inputIds.set(m.inputIds, b * S);
    batch.mlmLabels!.set(m.labels, b * S);
    batch.attentionMask.fill(1, b * S, b * S + tokens.length);
  });
  return batch;
}
