/**
 * BERT embeddings: word + position + token type, LayerNorm, dropout (one kernel on WebGPU:
 * the sums, the LayerNorm and the dropout, layer-norm.ts).
 * Glossary: B batch, S sequence length, H hidden size, V vocabulary, P max positions,
 * T token types.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { BertConfig } from './config';
import type { Dropout } from './dropout';
import { embeddingLayerNorm } from './layer-norm';
import type { Params } from './params';

/** `inputsEmbeds` [B, S, H] replaces the word-embedding lookup (Hugging Face's inputs_embeds; attributions differentiate by it). */
export function embeddings(p: Params, c: BertConfig, inputIds: tf.Tensor2D, tokenTypeIds: tf.Tensor2D, dropout: Dropout, inputsEmbeds?: tf.Tensor3D): tf.Tensor2D {
  const [B, S] = inputIds.shape;
  const H = c.hiddenSize;
  const ids = tf.reshape(inputIds, [B * S]); // [B·S]
  const types = tf.reshape(tokenTypeIds, [B * S]); // [B·S]
  const words = inputsEmbeds ? tf.reshape(inputsEmbeds, [B * S, H]) : tf.gather(p('bert.embeddings.word_embeddings.weight'), ids); // [B·S, H]
  const tokenTypes = tf.gather(p('bert.embeddings.token_type_embeddings.weight'), types); // [B·S, H]
  const positions = p('bert.embeddings.position_embeddings.weight') as tf.Tensor2D; // [P, H], rows 0..S−1 used
  // dropout(LayerNorm(words + tokenTypes + positions[0..S−1])), positions broadcast over the batch
  // (the table is passed whole: no slice, and no pad in its gradient)
  return embeddingLayerNorm(
    words as tf.Tensor2D,
    tokenTypes as tf.Tensor2D,
    positions,
    p('bert.embeddings.LayerNorm.weight'),
    p('bert.embeddings.LayerNorm.bias'),
    c.layerNormEps,
    dropout.key(c.hiddenDropoutProb),
    S,
  ); // [B·S, H]
}
