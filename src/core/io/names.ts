/**
 * Every checkpoint naming scheme mapped onto Tabtune's canonical names, in one place.
 *
 * Canonical = Hugging Face BertFor* state dict names with the `bert.` prefix, weights [out, in]:
 *   bert.embeddings.{word,position,token_type}_embeddings.weight   [V|P|T, H]
 *   bert.embeddings.LayerNorm.{weight,bias}                        [H]
 *   bert.encoder.layer.N.attention.self.{query,key,value}.{weight [H, H], bias [H]}
 *   bert.encoder.layer.N.attention.output.dense.{weight [H, H], bias [H]}, ...output.LayerNorm.*
 *   bert.encoder.layer.N.intermediate.dense.{weight [I, H], bias [I]}
 *   bert.encoder.layer.N.output.dense.{weight [H, I], bias [H]}, ...output.LayerNorm.*
 *   bert.pooler.dense.{weight [H, H], bias [H]}
 *   classifier.{weight [L, H], bias [L]}, qa_outputs.{weight [2, H], bias [2]}
 *   cls.predictions.transform.dense.{weight [H, H], bias [H]}, cls.predictions.transform.LayerNorm.*,
 *   cls.predictions.bias [V]     (the masked-LM head, model/mlm-head.ts; loaded, used by the mlm task)
 *
 * Hugging Face names: with or without `bert.` (BertModel saves without), `module.` (DataParallel)
 * dropped, legacy `LayerNorm.gamma`/`.beta` read as `.weight`/`.bias`.
 *
 * Google names (google-research/bert): `/` separators, `layer_N`, `LayerNorm/gamma|beta`, dense
 * `kernel` stored [in, out]. THE ONLY TRANSPOSES: every Google `.../kernel` is transposed to
 * [out, in]. run_classifier's `output_weights` [L, H] and run_squad's `cls/squad/output_weights`
 * [2, H] are already in Hugging Face orientation and are not transposed.
 *
 * Google's masked-LM head: `cls/predictions/transform/dense/kernel` (transposed like every kernel),
 * `cls/predictions/transform/LayerNorm/gamma|beta`, `cls/predictions/output_bias` -> `cls.predictions.bias`.
 *
 * Skipped with a reason: optimizer slots (`adam_m`, `adam_v`), `global_step`, the next-sentence
 * head (`cls.seq_relationship.*`, `cls/seq_relationship`), the MLM decoder weight (tied to the word
 * embeddings: a copy of them) and Hugging Face's duplicate `cls.predictions.decoder.bias`,
 * buffers (`position_ids`).
 */
import type { BertConfig } from '../model/config';
import { encoderParamShapes, poolerParamShapes } from '../model/params';

export type NameScheme = 'hf' | 'google';

export type MappedName =
  | { kind: 'weight'; name: string; transpose: boolean }
  | { kind: 'skip'; reason: string };

export function mapCheckpointName(stored: string, scheme: NameScheme): MappedName {
  return scheme === 'google' ? mapGoogle(stored) : mapHf(stored);
}

function mapHf(stored: string): MappedName {
  let n = stored.startsWith('module.') ? stored.slice(7) : stored;
  if (n === 'cls.predictions.decoder.weight') return { kind: 'skip', reason: 'tied to the word embeddings' };
  if (n === 'cls.predictions.decoder.bias') return { kind: 'skip', reason: 'same tensor as cls.predictions.bias' };
  if (n.startsWith('cls.') && !n.startsWith('cls.predictions.')) return { kind: 'skip', reason: 'pre-training head' };
  if (n.endsWith('position_ids')) return { kind: 'skip', reason: 'buffer, not a weight' };
  if (/^(embeddings|encoder|pooler)\./.test(n)) n = `bert.${n}`;
  n = n.replace(/LayerNorm\.gamma$/, 'LayerNorm.weight').replace(/LayerNorm\.beta$/, 'LayerNorm.bias');
  return { kind: 'weight', name: n, transpose: false };
}

const GOOGLE_EMBEDDINGS = new Set(['word_embeddings', 'position_embeddings', 'token_type_embeddings']);

function mapGoogle(stored: string): MappedName {
  if (/(^|\/)adam_[mv](_\d+)?$/.test(stored)) return { kind: 'skip', reason: 'optimizer slot' };
  if (stored === 'global_step' || stored.endsWith('/global_step')) return { kind: 'skip', reason: 'training step counter' };
  if (stored.startsWith('cls/seq_relationship')) return { kind: 'skip', reason: 'pre-training head' };
  if (stored === 'cls/predictions/output_bias') return { kind: 'weight', name: 'cls.predictions.bias', transpose: false };
  if (stored === 'output_weights') return { kind: 'weight', name: 'classifier.weight', transpose: false };
  if (stored === 'output_bias') return { kind: 'weight', name: 'classifier.bias', transpose: false };
  if (stored === 'cls/squad/output_weights') return { kind: 'weight', name: 'qa_outputs.weight', transpose: false };
  if (stored === 'cls/squad/output_bias') return { kind: 'weight', name: 'qa_outputs.bias', transpose: false };
  const parts = stored.split('/');
  const last = parts.pop()!;
  let transpose = false;
  if (GOOGLE_EMBEDDINGS.has(last)) parts.push(last, 'weight');
  else if (last === 'kernel') { parts.push('weight'); transpose = true; }
  else if (last === 'gamma') parts.push('weight');
  else if (last === 'beta') parts.push('bias');
  else parts.push(last);
  const name = parts.map((p) => p.replace(/^layer_(\d+)$/, 'layer.$1')).join('.');
  return { kind: 'weight', name, transpose };
}

/**
 * Shapes of every encoder weight (canonical names) the config implies; all are required except
 * the pooler. The model's own table (model/params.ts) is the one source.
 */
export function bertWeightShapes(c: BertConfig): Map<string, number[]> {
  return new Map([...encoderParamShapes(c), ...poolerParamShapes(c)]);
}

/** Weights a checkpoint may lack (the model initialises them): Hugging Face's BertForQuestionAnswering saves no pooler. */
export const OPTIONAL_WEIGHTS: ReadonlySet<string> = new Set(['bert.pooler.dense.weight', 'bert.pooler.dense.bias']);

/** Head weights: the first dimension is the number of outputs (checked against each other), the second H. */
export const HEAD_WEIGHTS: ReadonlySet<string> = new Set(['classifier.weight', 'classifier.bias', 'qa_outputs.weight', 'qa_outputs.bias']);
