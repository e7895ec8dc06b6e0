/**
 * The model's public surface (implemented in this folder, one block per file).
 *
 * Weights are named and oriented as Hugging Face's BertFor* state dict everywhere inside
 * Tabtune: `bert.embeddings.word_embeddings.weight`, `bert.encoder.layer.0.attention.self.query.weight`
 * ([out, in], y = x·Wᵀ + b), `bert.pooler.dense.weight`, `classifier.weight` [L, H],
 * `qa_outputs.weight` [2, H]. Loaders (src/core/io) map other layouts onto these names.
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { BertConfig } from './config';
import type { LoadedTensor } from '../io/safetensors';
import type { TrainableSpec } from './trainable';

/** Host-side weights by Hugging Face name. */
export type WeightMap = Map<string, LoadedTensor>;

export type HeadSpec =
  | { kind: 'classification'; numLabels: number; labels: string[] }
  | { kind: 'regression' }
  | { kind: 'span' }
  /** Masked-LM pre-training (mlm-head.ts): the checkpoint's cls.predictions head, decoder tied to the word embeddings. */
  | { kind: 'mlm' };

/** One padded batch. int32 tensors [B, S] unless noted. */
export interface BertBatch {
  inputIds: tf.Tensor2D;
  tokenTypeIds: tf.Tensor2D;
  attentionMask: tf.Tensor2D;
  /** Classification: int32 [B]; regression: float32 [B]. */
  labels?: tf.Tensor1D;
  /** Span extraction: int32 [B]. */
  startPositions?: tf.Tensor1D;
  endPositions?: tf.Tensor1D;
  /** Masked LM: flat indices into B·S of the predicted positions, int32 [M] (mlm-head.ts mlmTargets). */
  mlmPositions?: tf.Tensor1D;
  /** Masked LM: the original token id at each predicted position, int32 [M]. */
  mlmLabelIds?: tf.Tensor1D;
}

/** The same batch on the host (what the data pipeline produces and the worker transfers). */
export interface HostBatch {
  batchSize: number;
  seqLength: number;
  inputIds: Int32Array;
  tokenTypeIds: Int32Array;
  attentionMask: Int32Array;
  labels?: Int32Array | Float32Array;
  startPositions?: Int32Array;
  endPositions?: Int32Array;
  /** Masked LM: [B·S] original token id where predicted, −100 elsewhere (Hugging Face labels). */
  mlmLabels?: Int32Array;
}

export interface ForwardOptions {
  /** Dropout on (training) or off (evaluation). */
  training: boolean;
  /** Seed for this call's dropout masks (a seeded run is reproducible). */
  seed?: number;
  /**
   * Return each layer's attention probabilities (BertOutputs.attentions). Inference only
   * (training false): those layers use the composed softmax ops, not the fused kernels.
   */
  outputAttentions?: boolean;
  /** [B, S, H] word embeddings to use instead of looking up input_ids (Hugging Face's inputs_embeds). */
  inputsEmbeds?: tf.Tensor3D;
}

export interface BertOutputs {
  sequenceOutput: tf.Tensor3D; // [B, S, H]
  /**
   * [B, H]. Always present for classification / regression; for the span head only when
   * the checkpoint holds a pooler (BertForQuestionAnswering has none and never trains it).
   */
  pooledOutput?: tf.Tensor2D;
  /** Classification [B, L] / regression [B, 1]. */
  logits?: tf.Tensor2D;
  /** Span extraction [B, S] each. */
  startLogits?: tf.Tensor2D;
  endLogits?: tf.Tensor2D;
  /** Masked LM [B, S, V], when the batch names no predicted positions (fill-mask, parity). */
  mlmLogits?: tf.Tensor3D;
  /** Masked LM [M, V] at batch.mlmPositions only, when the batch has them (evaluation: no [B, S, V] tensor). */
  maskedLogits?: tf.Tensor2D;
  /** ForwardOptions.outputAttentions: per layer, softmax(QKᵀ/√D + mask) [B, N, S, S]. */
  attentions?: tf.Tensor4D[];
}

export interface BertModel {
  readonly config: BertConfig;
  readonly head: HeadSpec;
  /** Trainable variables by Hugging Face name. */
  readonly variables: ReadonlyMap<string, tf.Variable>;
  /** Names of weights the checkpoint lacked and the factory initialised (e.g. a new head). */
  readonly initialized?: readonly string[];
  /** Which weights train (trainable.ts); absent = all of them. */
  readonly trainable?: TrainableSpec;
  /** Weights held on the device but not trained (frozen layers, LoRA's base weights), by name. */
  readonly frozenNames?: readonly string[];
  /** LoRA's layout when trainable.kind is 'lora' (rank from the shapes, adapted module paths). */
  readonly lora?: { rank: number; alpha: number; dropout: number; targets: string[]; modules: string[] };
  forward(batch: BertBatch, options: ForwardOptions): BertOutputs;
  /** Scalar loss of the head (CE, MSE, or (CE(start)+CE(end))/2). Call inside tf.tidy / variableGrads. */
  loss(batch: BertBatch, options: ForwardOptions): tf.Scalar;
  /** The word embeddings of input_ids [B, S] -> [B, S, H] (the lookup forward does; inputsEmbeds' counterpart). */
  embedWords?(inputIds: tf.Tensor2D): tf.Tensor3D;
  /** Copies every variable back to the host, Hugging Face names and orientation. */
  exportWeights(): Promise<WeightMap>;
  dispose(): void;
}
