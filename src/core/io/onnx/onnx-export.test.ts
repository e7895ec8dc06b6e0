/**
 * The ONNX export checked by its real consumer, onnxruntime-web (WASM) in Node:
 *  - fixture models (tiny-uncased: erf GELU; tiny-odd: tanh GELU, odd sizes), classification and
 *    span heads: the float32 graph's logits equal Tabtune's forward (WASM) within 1e-4 and the
 *    PyTorch golden outputs within the fixtures' 2e-4; the quantized graph stays close;
 *  - (a fine-tuned model: fine-tuned-squad.test.ts; transformers.js: transformers-js-*.test.ts)
 *  - the folder's tokenizer.json reloads (Tabtune's reader and Hugging Face `tokenizers`) with
 *    the same ids as the tokenizer in use, on every string of the tokenizer fixtures.
 */
import * as ort from 'onnxruntime-web';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../backend/init';
import { createBertModel } from '../../model/bert-model';
import { toDeviceBatch } from '../../model/batch';
import type { HeadSpec, HostBatch, BertModel } from '../../model/types';
import { FIXTURE_CASES, loadFixture, OUTPUT_TOL } from '../../../testing/fixture-case';
import { parseVocab } from '../../tokenizer/vocab';
import { createTokenizer } from '../../tokenizer';
import { tokenizerFromHfJson } from '../../tokenizer/hf-json';
import { readJsonl, readShared } from '../../../testing/shared';
import { exportOnnxFolder } from './transformers-js-folder';
import { bertOnnxModel } from './bert-graph';

ort.env.wasm.numThreads = 1;

beforeAll(async () => {
  expect((await initBackend('wasm')).name).toBe('wasm');
});

type Feeds = Record<string, ort.Tensor>;

function feeds(b: HostBatch): Feeds {
  const t = (a: Int32Array) => new ort.Tensor('int64', BigInt64Array.from(a, (v) => BigInt(v)), [b.batchSize, b.seqLength]);
  return { input_ids: t(b.inputIds), attention_mask: t(b.attentionMask), token_type_ids: t(b.tokenTypeIds) };
}

/** Tabtune's forward (dropout off): logits or start/end logits, row-major. */
function tabtuneLogits(model: BertModel, b: HostBatch): Record<string, Float32Array> {
  return tf.tidy((): Record<string, Float32Array> => {
    const o = model.forward(toDeviceBatch(b), { training: false });
    if (o.logits) return { logits: o.logits.dataSync() as Float32Array };
    return { start_logits: o.startLogits!.dataSync() as Float32Array, end_logits: o.endLogits!.dataSync() as Float32Array };
  }) as unknown as Record<string, Float32Array>;
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

const HEADS: Record<'classification' | 'span', HeadSpec> = {
  classification: { kind: 'classification', numLabels: 2, labels: ['0', '1'] },
  span: { kind: 'span' },
};

describe.each(FIXTURE_CASES)('fixture %s', (name) => {
  const f = loadFixture(name);
  it.each(['classification', 'span'] as const)('%s head: float32 logits equal Tabtune within 1e-4, quantized stays close', async (kind) => {
    const head = HEADS[kind];
    const model = createBertModel(f.config, f.weights, head);
    try {
      const want = tabtuneLogits(model, f.host);
      const golden = kind === 'span' ? { start_logits: f.golden.get('output/qa_start_logits')!, end_logits: f.golden.get('output/qa_end_logits')! } : { logits: f.golden.get('output/cls_logits')! };
      for (const quantize of [false, true]) {
        const session = await ort.InferenceSession.create(bertOnnxModel({ config: f.config, head, weights: f.weights }, { quantize }));
        expect([...session.inputNames].sort()).toEqual(['attention_mask', 'input_ids', 'token_type_ids']);
        const out = await session.run(feeds(f.host));
        for (const [k, v] of Object.entries(want)) {
          const got = out[k].data as Float32Array;
          expect(out[k].dims).toEqual(kind === 'span' ? [f.host.batchSize, f.host.seqLength] : [f.host.batchSize, 2]);
          if (quantize) {
            // int8 weights: a few thousandths on these random-weight models (measured ≤ 0.005).
            expect(maxDiff(got, v), `${k} quantized`).toBeLessThan(0.02);
          } else {
            expect(maxDiff(got, v), `${k} vs Tabtune`).toBeLessThanOrEqual(1e-4);
            expect(maxDiff(got, golden[k as keyof typeof golden]!.data), `${k} vs PyTorch golden`).toBeLessThanOrEqual(OUTPUT_TOL);
          }
        }
        await session.release();
      }
    } finally {
      model.dispose();
    }
  });
});

describe('the folder for transformers.js', () => {
  const vocabText = readShared('fixtures', 'vocab', 'bert-base-uncased.txt');
  const f = loadFixture('tiny-uncased');

  it('holds config, tokenizer files and both graphs; config.json names the architecture and labels', () => {
    const files = exportOnnxFolder({ config: f.config, head: { kind: 'classification', numLabels: 2, labels: ['not_equivalent', 'equivalent'] }, weights: f.weights, vocabText, doLowerCase: true });
    expect(files.map((x) => x.path).sort()).toEqual(['config.json', 'onnx/model.onnx', 'onnx/model_quantized.onnx', 'tokenizer.json', 'tokenizer_config.json', 'vocab.txt']);
    const config = JSON.parse(new TextDecoder().decode(files.find((x) => x.path === 'config.json')!.bytes));
    expect(config.architectures).toEqual(['BertForSequenceClassification']);
    expect(config.id2label).toEqual({ 0: 'not_equivalent', 1: 'equivalent' });
    expect(config.model_type).toBe('bert');
    const size = (p: string) => files.find((x) => x.path === p)!.bytes.byteLength;
    // The encoder's MatMul weights shrink 4x; the embeddings (Gather) stay float32.
    expect(size('onnx/model_quantized.onnx')).toBeLessThan(size('onnx/model.onnx'));
  });

  it.each([true, false])('tokenizer.json (do_lower_case %s) reloads with the same ids in Tabtune and in Hugging Face tokenizers', async (lower) => {
    const { Tokenizer: HfTokenizer } = await import('@anush008/tokenizers');
    const files = exportOnnxFolder({ config: f.config, head: { kind: 'span' }, weights: f.weights, vocabText, doLowerCase: lower }, { quantized: false });
    const jsonText = new TextDecoder().decode(files.find((x) => x.path === 'tokenizer.json')!.bytes);
    const ours = createTokenizer(parseVocab(vocabText), { doLowerCase: lower });
    const reread = tokenizerFromHfJson(JSON.parse(jsonText));
    expect(reread.doLowerCase).toBe(lower);
    const hf = HfTokenizer.fromString(jsonText);
    const lines = readJsonl<{ text: string; ids: number[] }>('fixtures', 'tokenizer', lower ? 'uncased.jsonl' : 'cased-mode.jsonl');
    let hfAgree = 0;
    for (const { text, ids } of lines) {
      expect(ours.encode(text).ids, text).toEqual(ids);
      expect(reread.encode(text).ids, text).toEqual(ids);
      const enc = await hf.encode(text, null, { addSpecialTokens: false });
      if (JSON.stringify(enc.getIds()) === JSON.stringify(ids)) hfAgree++;
    }
    // Hugging Face splits special-token look-alikes ("[SEP]" in the text) as added tokens and
    // caps words at its own limit; the fixture lists a handful of such strings.
    expect(hfAgree / lines.length).toBeGreaterThan(0.97);
  });
});
