/**
 * The pipelines on models whose logits are a known function of the input tokens: a span model
 * that points at one word (wherever the doc-stride window puts it), and a classifier that votes
 * for a word's presence. The answers must come back as the context's own characters, from the
 * right window, with run_squad's n-best and null answer.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../backend/init';
import { defaultSettings } from '../settings/schema';
import { createTokenizer, vocabFromTokens } from '../tokenizer';
import type { BertBatch, BertModel, BertOutputs, HeadSpec } from '../model/types';
import type { BertConfig } from '../model/config';
import { createQuestionAnsweringPipeline, createTextClassificationPipeline, pipelineFor } from '.';

const WORDS = ['where', 'is', 'the', 'tower', 'it', 'stands', 'in', 'paris', 'city', 'of', 'light', 'and', 'river', 'a', 'town', 'good', 'bad', 'film', 'was'];
const tokenizer = createTokenizer(vocabFromTokens(['[PAD]', '[UNK]', '[CLS]', '[SEP]', ...WORDS]), { doLowerCase: true });
const id = (w: string) => tokenizer.vocab.tokenToId.get(w)!;

beforeAll(async () => {
  await initBackend('cpu');
});

// The sizes the batch check reads (model/batch.ts batchLimitsOf): ids must lie in this vocabulary.
const CONFIG = { maxPositionEmbeddings: 64, vocabSize: tokenizer.vocab.idToToken.length, typeVocabSize: 2 } as BertConfig;

/** A model whose logits are computed on the host from the batch's token ids. */
function fakeModel(head: HeadSpec, logits: (ids: Int32Array, S: number) => { start?: number[]; end?: number[]; cls?: number[] }): BertModel {
  const forward = (batch: BertBatch): BertOutputs => {
    const [B, S] = batch.inputIds.shape;
    const ids = batch.inputIds.dataSync() as Int32Array;
    const starts: number[][] = [];
    const ends: number[][] = [];
    const cls: number[][] = [];
    for (let b = 0; b < B; b++) {
      const o = logits(ids.subarray(b * S, (b + 1) * S), S);
      if (o.start) starts.push(o.start);
      if (o.end) ends.push(o.end);
      if (o.cls) cls.push(o.cls);
    }
    return {
      sequenceOutput: tf.zeros([B, S, 1]) as tf.Tensor3D,
      pooledOutput: tf.zeros([B, 1]) as tf.Tensor2D,
      ...(head.kind === 'span' ? { startLogits: tf.tensor2d(starts), endLogits: tf.tensor2d(ends) } : { logits: tf.tensor2d(cls) }),
    };
  };
  return {
    config: CONFIG, head, variables: new Map(), forward,
    loss: () => {
      throw new Error('not used');
    },
    exportWeights: async () => new Map(),
    dispose: () => undefined,
  } as unknown as BertModel;
}

/** Points start and end at `word` inside the context segment; `nullScore` on [CLS]. */
function pointer(word: string, nullScore = -5): BertModel {
  return fakeModel({ kind: 'span' }, (ids, S) => {
    const start = new Array<number>(S).fill(-10);
    const end = new Array<number>(S).fill(-10);
    start[0] = nullScore;
    end[0] = nullScore;
    let seps = 0;
    for (let i = 0; i < S; i++) {
      if (ids[i] === id('[SEP]')) seps++;
      else if (seps === 1 && ids[i] === id(word)) {
        start[i] = 8;
        end[i] = 8;
      }
    }
    return { start, end };
  });
}

const SMALL = { ...defaultSettings('squad'), maxSeqLength: 24, maxQueryLength: 8, docStride: 6, evalBatchSize: 3, seqBuckets: [] };

describe('question-answering pipeline', () => {
  it("answers with the context's own characters, from whichever window holds the answer", async () => {
    const filler = Array.from({ length: 40 }, (_, i) => (i % 2 ? 'river' : 'town')).join(' ');
    const context = `${filler} The tower stands in  Paris, city of light.`;
    const qa = createQuestionAnsweringPipeline({ model: pointer('paris'), tokenizer, settings: SMALL, version2: false });
    const r = await qa.answer({ question: 'Where is the tower?', context });
    expect(r.windows).toBeGreaterThan(3);
    expect(r.best).toMatchObject({ text: 'Paris' });
    expect(context.slice(r.best!.start, r.best!.end)).toBe('Paris');
    expect(r.nbest[0]).toEqual(r.best);
    expect(r.nbest.length).toBeGreaterThan(1);
    const total = r.nbest.reduce((a, b) => a + b.probability, 0);
    expect(total).toBeLessThanOrEqual(1 + 1e-9);
    expect(r.best!.probability).toBeGreaterThan(0.9);
  });

  it('answers nothing when the null score wins (SQuAD 2.0), and the span when it does not', async () => {
    const context = 'The tower stands in Paris.';
    const unsure = createQuestionAnsweringPipeline({ model: pointer('paris', 20), tokenizer, settings: SMALL, version2: true });
    const none = await unsure.answer({ question: 'Where is the tower?', context });
    expect(none.best).toBeNull();
    expect(none.nullOdds).toBeGreaterThan(0);
    const sure = createQuestionAnsweringPipeline({ model: pointer('paris', -20), tokenizer, settings: SMALL, version2: true });
    expect((await sure.answer({ question: 'Where is the tower?', context })).best?.text).toBe('Paris');
  });

  it('refuses empty input and a classification model with a clear error', async () => {
    const qa = createQuestionAnsweringPipeline({ model: pointer('paris'), tokenizer, settings: SMALL, version2: false });
    await expect(qa.answer({ question: 'Where?', context: '  ' })).rejects.toThrow(/context is empty/);
    expect(() => createQuestionAnsweringPipeline({ model: fakeModel({ kind: 'classification', numLabels: 2, labels: ['0', '1'] }, () => ({})), tokenizer, settings: SMALL, version2: false })).toThrow(/does not answer questions/);
  });
});

describe('text-classification pipeline', () => {
  const voter = fakeModel({ kind: 'classification', numLabels: 2, labels: ['neg', 'pos'] }, (ids) => {
    const has = (w: string) => ids.includes(id(w));
    return { cls: [has('bad') ? 3 : 0, has('good') ? 3 : 0] };
  });

  it('classifies one text (or pair) with softmax probabilities and the best label', async () => {
    const cls = createTextClassificationPipeline({ model: voter, tokenizer, settings: defaultSettings('sst-2'), labels: ['neg', 'pos'] });
    const r = await cls.classify({ textA: 'a good film' });
    expect(r.kind).toBe('classification');
    if (r.kind !== 'classification') return;
    expect(r.label).toBe('pos');
    expect(r.probabilities[1]).toBeCloseTo(Math.exp(3) / (1 + Math.exp(3)), 6);
    const pair = await cls.classify({ textA: 'the film', textB: 'was bad' });
    expect(pair.kind === 'classification' && pair.label).toBe('neg');
  });

  it('is what pipelineFor picks for a classification head', () => {
    expect(pipelineFor({ model: voter, tokenizer, settings: defaultSettings('sst-2'), labels: ['neg', 'pos'] }).task).toBe('text-classification');
    expect(pipelineFor({ model: pointer('paris'), tokenizer, settings: SMALL }).task).toBe('question-answering');
  });
});
