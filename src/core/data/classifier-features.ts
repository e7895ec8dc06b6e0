/**
 * run_classifier.convert_single_example.
 *
 * The convention for sequence pairs:
 *   tokens:   [CLS] is this jack ##son ##ville ? [SEP] no it is not . [SEP]
 *   type_ids:   0    0   0    0    0     0     0   0    1  1  1  1  1   1
 * and for single sequences:
 *   tokens:   [CLS] the dog is hairy . [SEP]
 *   type_ids:   0    0   0   0  0    0   0
 * type_ids (segment_ids) select the learned segment embedding; the [CLS] vector is what the
 * classifier reads. Padding to max_seq_length: input_ids 0, input_mask 0, segment_ids 0.
 */
import { TabtuneError } from '../errors';
import type { Tokenizer } from '../tokenizer/types';
import { MAX_SEQ_LENGTH } from './limits';
import { SharedArrays } from './shared-arrays';
import type { ClassifierFeature, InputExample, ProgressCallback } from './types';

export interface ClassifierConvertOptions {
  maxSeqLength: number;
  /**
   * Label names in id order; null for regression (label_id = float(label)); omitted when no
   * label ids are wanted (previews, prediction): label_id is then 0.
   */
  labels?: readonly string[] | null;
}

/**
 * Truncates a pair in place to at most `maxLength` tokens in total, one token at a time from the
 * longer sequence: a longer sequence is more likely to have tokens of little information.
 */
export function truncateSeqPair<T>(tokensA: T[], tokensB: T[], maxLength: number): void {
  while (tokensA.length + tokensB.length > maxLength) {
    if (tokensA.length > tokensB.length) tokensA.pop();
    else tokensB.pop();
  }
}

/**
 * One example. With `shared` (a SharedArrays of maxSeqLength, as convertExamples passes), the
 * input_mask and segment_ids arrays are shared, frozen ones.
 */
export function convertExample(example: InputExample, tokenizer: Tokenizer, options: ClassifierConvertOptions, shared?: SharedArrays): ClassifierFeature {
  const { maxSeqLength, labels } = options;
  if (!Number.isInteger(maxSeqLength) || maxSeqLength < 3) {
    throw new TabtuneError(`max_seq_length ${maxSeqLength} is too small`, { location: 'max_seq_length', expected: 'a whole number >= 3', code: 'option' });
  }
  if (maxSeqLength > MAX_SEQ_LENGTH) {
    throw new TabtuneError(`max_seq_length is ${maxSeqLength}`, { location: 'max_seq_length', expected: `at most ${MAX_SEQ_LENGTH} (BERT's position table holds 512)`, code: 'option' });
  }
  const idsA = tokenizer.encode(example.textA).ids.slice();
  // run_classifier: `if example.text_b:` (an empty text_b is no text_b) and `if tokens_b:`
  // (a text_b that tokenizes to nothing gives a single sequence).
  const idsB = example.textB ? tokenizer.encode(example.textB).ids.slice() : null;
  const pair = idsB !== null && idsB.length > 0;
  if (pair) truncateSeqPair(idsA, idsB, maxSeqLength - 3);
  else if (idsA.length > maxSeqLength - 2) idsA.length = maxSeqLength - 2;

  const inputIds = new Array<number>(maxSeqLength).fill(0);
  let n = 0;
  inputIds[n++] = tokenizer.clsId;
  for (const id of idsA) inputIds[n++] = id;
  inputIds[n++] = tokenizer.sepId;
  const secondStart = n;
  if (pair) {
    for (const id of idsB) inputIds[n++] = id;
    inputIds[n++] = tokenizer.sepId;
  }
  const arrays = shared ?? new SharedArrays(maxSeqLength, false);
  const inputMask = arrays.run(0, n);
  const segmentIds = arrays.run(secondStart, pair ? n : secondStart);

  return {
    guid: example.guid,
    text_a: example.textA,
    text_b: example.textB ?? null,
    label: example.label ?? null,
    input_ids: inputIds,
    input_mask: inputMask,
    segment_ids: segmentIds,
    label_id: labelId(example, labels),
  };
}

function labelId(example: InputExample, labels: readonly string[] | null | undefined): number {
  if (example.label === undefined || labels === undefined) return 0;
  if (labels === null) {
    const v = Number(example.label);
    if (!Number.isFinite(v)) {
      throw new TabtuneError(`label '${example.label}' is not a number`, { location: example.guid, expected: 'a regression target', code: 'label' });
    }
    return v;
  }
  const id = labels.indexOf(example.label);
  if (id < 0) {
    throw new TabtuneError(`label '${example.label}' is not in the label list`, { location: example.guid, expected: `one of ${labels.join(', ')}`, code: 'label' });
  }
  return id;
}

/**
 * convertExample over a dataset, reporting progress about every 1% (and at the end). The
 * features share frozen input_mask / segment_ids arrays (see shared-arrays.ts).
 */
export function convertExamples(
  examples: readonly InputExample[],
  tokenizer: Tokenizer,
  options: ClassifierConvertOptions,
  onProgress?: ProgressCallback,
): ClassifierFeature[] {
  const out: ClassifierFeature[] = new Array(examples.length);
  const step = Math.max(1, Math.floor(examples.length / 100));
  const shared = new SharedArrays(options.maxSeqLength);
  for (let i = 0; i < examples.length; i++) {
    out[i] = convertExample(examples[i], tokenizer, options, shared);
    if (onProgress && (i + 1) % step === 0) onProgress(i + 1, examples.length);
  }
  if (onProgress && examples.length % step !== 0) onProgress(examples.length, examples.length);
  return out;
}
