/**
 * createBertModel(config, weights, head, options?) -> BertModel (types.ts).
 *
 * Builds device variables from host weights (Hugging Face names and [out, in] orientation)
 * and runs BERT + one head:
 *   embeddings -> N × encoder layer -> sequence output [B, S, H]
 *   pooler (dense + tanh on [CLS]) -> pooled [B, H] -> classifier [B, L]   (classification / regression)
 *   qa_outputs on every token -> start, end logits [B, S]                   (span)
 *   cls.predictions transform + tied decoder -> logits [B, S, V]           (mlm, mlm-head.ts)
 * Trainable variables: every `bert.*` weight plus the head; for the span head the pooler is
 * not part of the model's computation (as in BertForQuestionAnswering) and stays a frozen
 * tensor (exported unchanged, and used for `pooledOutput` when the checkpoint has one).
 * Weights the checkpoint lacks (the head, or a pooler for classification) are initialised as
 * BERT does (init.ts) from `options.seed` and listed in `model.initialized`.
 * For the mlm head, as for span, the pooler is not computed (BertForMaskedLM has none).
 * `options.trainable` (trainable.ts) freezes the embeddings / first N layers, or adds LoRA
 * adapters (lora.ts; every pre-trained weight frozen): frozen weights are plain tensors, not in
 * `variables`, so no gradient is computed and no optimizer slot is made for them.
 * Glossary: B batch, S sequence length, H hidden size, L labels, V vocabulary.
 */
import * as tf from '@tensorflow/tfjs-core';
import { TabtuneError } from '../errors';
import type { LoadedTensor } from '../io/safetensors';
import { classificationLogits, crossEntropy, meanSquaredError } from './classification-head';
import type { BertConfig } from './config';
import { createDropout, type Dropout } from './dropout';
import { embeddings } from './embeddings';
import { encoderLayer } from './encoder-layer';
import { initialWeight } from './init';
import { loraInitialWeight, loraLayout, loraParams, type LoraLayout } from './lora';
import { mlmHeadParamShapes, mlmLogits, mlmLoss } from './mlm-head';
import { isFrozen, validateTrainable, type TrainableSpec } from './trainable';
import { encoderParamShapes, poolerParamShapes, type Params } from './params';
import { pooler } from './pooler';
import { attentionMaskAdder } from './self-attention';
import { spanLogits, spanLoss } from './span-head';
import type { BertBatch, BertModel, BertOutputs, ForwardOptions, HeadSpec, WeightMap } from './types';

export interface CreateModelOptions {
  /** Seed for initialising missing weights (default 0). */
  seed?: number;
  /** Label for error messages (e.g. the weights file name). */
  source?: string;
  /** Frozen layers or LoRA (trainable.ts); default every weight trains. */
  trainable?: TrainableSpec;
}

let modelCounter = 0;

export function headParamShapes(c: BertConfig, head: HeadSpec): Map<string, number[]> {
  const H = c.hiddenSize;
  switch (head.kind) {
    case 'classification':
      return new Map([['classifier.weight', [head.numLabels, H]], ['classifier.bias', [head.numLabels]]]);
    case 'regression':
      return new Map([['classifier.weight', [1, H]], ['classifier.bias', [1]]]);
    case 'span':
      return new Map([['qa_outputs.weight', [2, H]], ['qa_outputs.bias', [2]]]);
    case 'mlm':
      return mlmHeadParamShapes(c);
  }
}

function checkShape(name: string, t: LoadedTensor, shape: number[], source: string): void {
  if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
    throw new TabtuneError(`has shape [${t.shape.join(', ')}]`, { file: source, location: `tensor ${name}`, expected: `[${shape.join(', ')}] from the config`, code: 'weight-shape' });
  }
}

export function createBertModel(config: BertConfig, weights: WeightMap, head: HeadSpec, options: CreateModelOptions = {}): BertModel {
  const source = options.source ?? 'weights';
  const seed = options.seed ?? 0;
  if (head.kind === 'classification' && !(head.numLabels >= 2)) {
    throw new TabtuneError(`a classification head needs at least 2 labels, got ${head.numLabels}`, { file: source, location: 'head', expected: 'numLabels ≥ 2 (use the regression head for one output)', code: 'head-labels' });
  }
  const spec = options.trainable;
  if (spec) validateTrainable(spec, config);
  const lora: LoraLayout | undefined = spec?.kind === 'lora' ? loraLayout(spec, config) : undefined;
  const noPooler = head.kind === 'span' || head.kind === 'mlm';
  const id = ++modelCounter;
  const trainable = new Map<string, tf.Variable>();
  const frozen = new Map<string, tf.Tensor>();
  const initialized: string[] = [];

  const take = (shapes: Map<string, number[]>, mode: 'required' | 'init' | 'optional', asVariable: boolean) => {
    for (const [name, shape] of shapes) {
      let host = weights.get(name);
      if (host) {
        checkShape(name, host, shape, source);
        if (host.dtype !== 'float32') {
          throw new TabtuneError(`has dtype ${host.dtype}`, { file: source, location: `tensor ${name}`, expected: 'float32', code: 'weight-dtype' });
        }
      } else if (mode === 'required') {
        throw new TabtuneError('is missing', { file: source, location: `tensor ${name}`, expected: `a [${shape.join(', ')}] float32 tensor`, code: 'weight-missing' });
      } else if (mode === 'init') {
        host = initialWeight(name, shape, config.initializerRange, seed);
        initialized.push(name);
      } else {
        continue;
      }
      const value = tf.tensor(host.data, shape, 'float32');
      if (asVariable && !isFrozen(spec, name)) {
        trainable.set(name, tf.variable(value, true, `tabtune${id}/${name}`));
        value.dispose();
      } else {
        frozen.set(name, value);
      }
    }
  };
  try {
    take(encoderParamShapes(config), 'required', true);
    take(poolerParamShapes(config), noPooler ? 'optional' : 'init', !noPooler);
    take(headParamShapes(config, head), 'init', true);
    if (lora && spec?.kind === 'lora') {
      for (const [name, shape] of lora.shapes) {
        const host = loraInitialWeight(name, shape, spec, seed);
        if (!spec.init) initialized.push(name);
        const value = tf.tensor(host.data, shape, 'float32');
        trainable.set(name, tf.variable(value, true, `tabtune${id}/${name}`));
        value.dispose();
      }
    }
  } catch (e) {
    for (const v of trainable.values()) v.dispose(); // nothing leaks from a rejected checkpoint
    for (const t of frozen.values()) t.dispose();
    throw e;
  }

  const p: Params = (name) => {
    const t = trainable.get(name) ?? frozen.get(name);
    if (!t) throw new Error(`internal: parameter ${name} is not in the model`);
    return t;
  };
  const loraModules = new Map((lora?.modules ?? []).map((m) => [m, { scaling: lora!.scaling, rate: spec?.kind === 'lora' ? spec.dropout : 0 }]));
  const hasPooler = trainable.has('bert.pooler.dense.weight') || frozen.has('bert.pooler.dense.weight');

  const encode = (batch: BertBatch, dropout: Dropout, opts?: ForwardOptions, attentions?: tf.Tensor4D[]): { seq2d: tf.Tensor2D; B: number; S: number } => {
    const [B, S] = batch.inputIds.shape;
    if (S > config.maxPositionEmbeddings) {
      throw new TabtuneError(`sequence length ${S} exceeds max_position_embeddings ${config.maxPositionEmbeddings}`, { file: 'batch', location: 'input_ids', expected: `at most ${config.maxPositionEmbeddings} tokens`, code: 'batch-length' });
    }
    const maskAdder = attentionMaskAdder(batch.attentionMask); // [B, 1, 1, S]
    const pf = lora ? loraParams(p, loraModules, dropout) : p; // this pass's adapters and dropout
    let h = embeddings(p, config, batch.inputIds, batch.tokenTypeIds, dropout, opts?.inputsEmbeds); // [B·S, H]
    for (let l = 0; l < config.numHiddenLayers; l++) {
      h = encoderLayer(pf, l, config, h, maskAdder, B, S, dropout, attentions); // [B·S, H]
    }
    return { seq2d: h, B, S };
  };

  const headLogits = (batch: BertBatch, seq2d: tf.Tensor2D, B: number, S: number, dropout: Dropout, wantPooled: boolean) => {
    const sequenceOutput = tf.reshape(seq2d, [B, S, config.hiddenSize]) as tf.Tensor3D; // [B, S, H]
    const out: BertOutputs = { sequenceOutput };
    if (head.kind === 'mlm') {
      if (wantPooled && hasPooler) out.pooledOutput = pooler(p, sequenceOutput); // [B, H]
      if (wantPooled && batch.mlmPositions) out.maskedLogits = mlmLogits(p, config, tf.gather(seq2d, batch.mlmPositions)); // [M, V]
      else if (wantPooled) out.mlmLogits = tf.reshape(mlmLogits(p, config, seq2d), [B, S, config.vocabSize]) as tf.Tensor3D; // [B, S, V]
    } else if (head.kind === 'span') {
      if (wantPooled && hasPooler) out.pooledOutput = pooler(p, sequenceOutput); // [B, H]
      const { start, end } = spanLogits(p, seq2d, B, S); // [B, S] each
      out.startLogits = start;
      out.endLogits = end;
    } else {
      const pooled = pooler(p, sequenceOutput); // [B, H]
      out.pooledOutput = pooled;
      out.logits = classificationLogits(p, pooled, config.hiddenDropoutProb, dropout); // [B, L]
    }
    return out;
  };

  const forward = (batch: BertBatch, opts: ForwardOptions): BertOutputs => {
    const dropout = createDropout(opts.training, opts.seed);
    if (opts.outputAttentions && opts.training) {
      throw new TabtuneError('attention probabilities are returned for inference only', { location: 'forward', expected: 'outputAttentions with training: false', code: 'forward-options' });
    }
    const attentions: tf.Tensor4D[] | undefined = opts.outputAttentions ? [] : undefined;
    const { seq2d, B, S } = encode(batch, dropout, opts, attentions);
    const out = headLogits(batch, seq2d, B, S, dropout, true);
    if (attentions) out.attentions = attentions;
    return out;
  };

  const loss = (batch: BertBatch, opts: ForwardOptions): tf.Scalar => {
    const dropout = createDropout(opts.training, opts.seed);
    const { seq2d, B, S } = encode(batch, dropout, opts);
    if (head.kind === 'mlm') {
      const positions = requireTensor(batch.mlmPositions, 'mlm_labels');
      if (positions.size === 0) {
        throw new TabtuneError('the batch predicts no position (every mlm_labels value is −100)', { file: 'batch', location: 'mlm_labels', expected: 'at least one masked position', code: 'batch-missing' });
      }
      return mlmLoss(p, config, seq2d, positions, requireTensor(batch.mlmLabelIds, 'mlm_labels'));
    }
    const out = headLogits(batch, seq2d, B, S, dropout, false);
    switch (head.kind) {
      case 'classification':
        return crossEntropy(out.logits!, requireTensor(batch.labels, 'labels'));
      case 'regression':
        return meanSquaredError(out.logits!, requireTensor(batch.labels, 'labels'));
      case 'span':
        return spanLoss(out.startLogits!, out.endLogits!, requireTensor(batch.startPositions, 'start_positions'), requireTensor(batch.endPositions, 'end_positions'));
    }
  };

  const exportWeights = async (): Promise<WeightMap> => {
    const out: WeightMap = new Map();
    for (const [name, t] of [...trainable, ...frozen]) {
      out.set(name, { dtype: 'float32', shape: [...t.shape], data: new Float32Array((await t.data()) as Float32Array) });
    }
    return out;
  };

  return {
    config,
    head,
    variables: trainable,
    initialized,
    trainable: spec,
    frozenNames: [...frozen.keys()],
    lora: lora && spec?.kind === 'lora' ? { rank: lora.rank, alpha: spec.alpha, dropout: spec.dropout, targets: [...spec.targets], modules: lora.modules } : undefined,
    forward,
    loss,
    embedWords: (inputIds) => {
      const [B, S] = inputIds.shape;
      return tf.tidy(() => tf.reshape(tf.gather(p('bert.embeddings.word_embeddings.weight'), tf.reshape(inputIds, [B * S])), [B, S, config.hiddenSize]) as tf.Tensor3D); // [B, S, H]
    },
    exportWeights,
    dispose() {
      for (const v of trainable.values()) v.dispose();
      for (const t of frozen.values()) t.dispose();
      trainable.clear();
      frozen.clear();
    },
  };
}

function requireTensor<T>(t: T | undefined, name: string): T {
  if (t === undefined) {
    throw new TabtuneError(`the batch has no ${name}`, { file: 'batch', location: name, expected: `${name} for this head's loss`, code: 'batch-missing' });
  }
  return t;
}
