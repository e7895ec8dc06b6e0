/**
 * Tabtune's BERT as an ONNX graph (opset 17, standard ops only, so ONNX Runtime's CPU, WASM and
 * WebGPU providers all run it), from the Hugging Face weights Tabtune trains:
 *
 *   inputs   input_ids, attention_mask, token_type_ids   int64 [batch_size, sequence_length]
 *   outputs  classification / regression: logits [batch_size, L]
 *            span (question answering):   start_logits, end_logits [batch_size, sequence_length]
 *
 * The computation is src/core/model's, op for op: embeddings (Gather + Gather + Slice of the
 * position table, LayerNormalization), per layer Q/K/V (MatMul + Add, Reshape, Transpose),
 * scores = Q·Kᵀ / √D + (1 − mask)·(−10000), Softmax, context, output dense + residual +
 * LayerNormalization, intermediate with GELU (Erf, or Tanh for gelu_tanh) or Relu, output
 * dense + residual + LayerNormalization; then the pooler (token 0, dense, Tanh) and the
 * classifier, or the span head on every position.
 * Weights are stored [in, out] (x·W), the transpose of Hugging Face's [out, in].
 * With `quantize`, every MatMul against a weight is int8 per-channel dynamic (quantize.ts).
 * Glossary: B batch, S sequence length, H hidden, N heads, D head size, I intermediate, L labels.
 */
import { TabtuneError } from '../../errors';
import type { BertConfig } from '../../model/config';
import type { HeadSpec, WeightMap } from '../../model/types';
import { OnnxGraph } from './onnx-graph';
import { quantizedMatMul } from './quantize';

export interface BertOnnxInput {
  config: BertConfig;
  head: HeadSpec;
  weights: WeightMap;
}

export const ONNX_OPSET = 17;

function transpose(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = data[r * cols + c];
  return out;
}

export function bertOnnxModel(input: BertOnnxInput, options: { quantize: boolean }): Uint8Array {
  const { config: c, head, weights } = input;
  if (head.kind === 'mlm') {
    throw new TabtuneError('the ONNX export covers task heads (classification, regression, span), not the masked-LM head', {
      file: 'model.onnx', location: 'cls.predictions', expected: 'a model fine-tuned with a task head (fine-tune after masked-LM first)', code: 'export-head',
    });
  }
  const H = c.hiddenSize;
  const N = c.numAttentionHeads;
  const D = H / N;
  const g = new OnnxGraph('tabtune-bert');

  const weight = (name: string, shape: number[]): Float32Array => {
    const t = weights.get(name);
    if (!t) throw new TabtuneError(`weight ${name} is missing`, { file: 'model.onnx', location: name, expected: 'every weight of the model and its head', code: 'export-missing' });
    if (t.dtype !== 'float32' || t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
      throw new TabtuneError(`weight is ${t.dtype} [${t.shape}]`, { file: 'model.onnx', location: name, expected: `float32 [${shape}]`, code: 'export-shape' });
    }
    return t.data as Float32Array;
  };
  const constant = (name: string, shape: number[]) => g.initializer(name, { dtype: 'float32', dims: shape, data: weight(name, shape) });

  /** x·Wᵀ + b for a Hugging Face dense layer `prefix` with W [out, in]. */
  const dense = (x: string, prefix: string, out: number, inp: number): string => {
    const w = transpose(weight(`${prefix}.weight`, [out, inp]), out, inp); // [in, out]
    const y = options.quantize
      ? quantizedMatMul(g, `${prefix}.weight`, x, w, inp, out)
      : g.node('MatMul', [x, g.initializer(`${prefix}.weight`, { dtype: 'float32', dims: [inp, out], data: w })]);
    return g.node('Add', [y, constant(`${prefix}.bias`, [out])]);
  };
  const layerNorm = (x: string, prefix: string): string =>
    g.node('LayerNormalization', [x, constant(`${prefix}.weight`, [H]), constant(`${prefix}.bias`, [H])], { axis: { int: -1 }, epsilon: c.layerNormEps });

  const dims = ['batch_size', 'sequence_length'];
  const inputIds = g.input('input_ids', 'int64', dims);
  const attentionMask = g.input('attention_mask', 'int64', dims);
  const tokenTypeIds = g.input('token_type_ids', 'int64', dims);

  // Embeddings.
  const words = g.node('Gather', [constant('bert.embeddings.word_embeddings.weight', [c.vocabSize, H]), inputIds]); // [B, S, H]
  const types = g.node('Gather', [constant('bert.embeddings.token_type_embeddings.weight', [c.typeVocabSize, H]), tokenTypeIds]); // [B, S, H]
  const seqLen = g.node('Shape', [inputIds], { start: { int: 1 }, end: { int: 2 } }); // [1] = S
  const zero = g.constInt64('zero', [0]);
  const positions = g.node('Slice', [constant('bert.embeddings.position_embeddings.weight', [c.maxPositionEmbeddings, H]), zero, seqLen, zero]); // [S, H]
  const summed = g.node('Add', [g.node('Add', [words, types]), positions]); // [B, S, H]
  let x = layerNorm(summed, 'bert.embeddings.LayerNorm'); // [B, S, H]

  // Additive mask [B, 1, 1, S]: 0 for tokens, −10000 for padding.
  const maskF = g.node('Cast', [attentionMask], { to: { int: 1 } }); // [B, S]
  const maskAdd = g.node('Mul', [g.node('Sub', [g.constFloat('one', [1], []), maskF]), g.constFloat('minus_10000', [-10000], [])]); // [B, S]
  const mask4 = g.node('Unsqueeze', [maskAdd, g.constInt64('axes_1_2', [1, 2])]); // [B, 1, 1, S]

  const headsShape = g.constInt64('heads_shape', [0, 0, N, D]); // [B, S, N, D]
  const hiddenShape = g.constInt64('hidden_shape', [0, 0, H]); // [B, S, H]
  const sqrtD = g.constFloat('sqrt_head_size', [Math.sqrt(D)], []);
  const half = g.constFloat('half', [0.5], []);
  const one = g.constFloat('one_f', [1], []);

  for (let l = 0; l < c.numHiddenLayers; l++) {
    const p = `bert.encoder.layer.${l}`;
    const split = (name: string, perm: number[]) => g.node('Transpose', [g.node('Reshape', [dense(x, `${p}.attention.self.${name}`, H, H), headsShape])], { perm: { ints: perm } });
    const q = split('query', [0, 2, 1, 3]); // [B, N, S, D]
    const kT = split('key', [0, 2, 3, 1]); // [B, N, D, S]
    const v = split('value', [0, 2, 1, 3]); // [B, N, S, D]
    const scores = g.node('Add', [g.node('Div', [g.node('MatMul', [q, kT]), sqrtD]), mask4]); // [B, N, S, S]
    const probs = g.node('Softmax', [scores], { axis: { int: -1 } }); // [B, N, S, S]
    const context = g.node('Reshape', [g.node('Transpose', [g.node('MatMul', [probs, v])], { perm: { ints: [0, 2, 1, 3] } }), hiddenShape]); // [B, S, H]
    const attn = layerNorm(g.node('Add', [dense(context, `${p}.attention.output.dense`, H, H), x]), `${p}.attention.output.LayerNorm`); // [B, S, H]
    const inter = dense(attn, `${p}.intermediate.dense`, c.intermediateSize, H); // [B, S, I]
    let act: string;
    if (c.hiddenAct === 'gelu_erf') {
      // 0.5·x·(1 + erf(x/√2))
      const e = g.node('Erf', [g.node('Mul', [inter, g.constFloat('sqrt_half', [Math.SQRT1_2], [])])]);
      act = g.node('Mul', [g.node('Mul', [inter, half]), g.node('Add', [one, e])]);
    } else if (c.hiddenAct === 'gelu_tanh') {
      // 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))
      const cube = g.node('Mul', [g.node('Mul', [inter, inter]), inter]);
      const inner = g.node('Mul', [g.node('Add', [inter, g.node('Mul', [cube, g.constFloat('gelu_c', [0.044715], [])])]), g.constFloat('sqrt_2_over_pi', [Math.sqrt(2 / Math.PI)], [])]);
      act = g.node('Mul', [g.node('Mul', [inter, half]), g.node('Add', [one, g.node('Tanh', [inner])])]);
    } else {
      act = g.node('Relu', [inter]);
    }
    x = layerNorm(g.node('Add', [dense(act, `${p}.output.dense`, H, c.intermediateSize), attn]), `${p}.output.LayerNorm`); // [B, S, H]
  }

  if (head.kind === 'span') {
    const logits = dense(x, 'qa_outputs', 2, H); // [B, S, 2]
    g.node('Gather', [logits, g.constInt64('index_0', [0], [])], { axis: { int: 2 } }, 'start_logits'); // [B, S]
    g.node('Gather', [logits, g.constInt64('index_1', [1], [])], { axis: { int: 2 } }, 'end_logits'); // [B, S]
    g.output('start_logits', 'float32', dims);
    g.output('end_logits', 'float32', dims);
  } else {
    const L = head.kind === 'regression' ? 1 : head.numLabels;
    const first = g.node('Gather', [x, g.constInt64('cls_index', [0], [])], { axis: { int: 1 } }); // [B, H]
    const pooled = g.node('Tanh', [dense(first, 'bert.pooler.dense', H, H)]); // [B, H]
    const logits = dense(pooled, 'classifier', L, H); // [B, L]
    g.node('Identity', [logits], {}, 'logits');
    g.output('logits', 'float32', ['batch_size', L]);
  }
  return g.toModel({ opset: ONNX_OPSET, docString: `BERT (${c.numHiddenLayers} layers, hidden ${H}) fine-tuned by Tabtune${options.quantize ? '; MatMul weights int8 per channel, dynamic quantization' : ''}` });
}
