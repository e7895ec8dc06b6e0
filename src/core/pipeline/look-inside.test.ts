/**
 * The pipelines' look inside, on the tiny-uncased fixture model with the bert-base-uncased
 * vocabulary: a QA answer comes with attention maps of the window it was read from (every row a
 * distribution) and attributions for its start + end tokens; a classification with integrated
 * gradients whose scores add up to the predicted label's logit minus the baseline's.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend/init';
import { createBertModel } from '../model/bert-model';
import { defaultSettings } from '../settings/schema';
import { tokenizerFromBytes } from '../tokenizer/load';
import { loadFixture } from '../../testing/fixture-case';
import { readSharedBytes } from '../../testing/shared';
import { createQuestionAnsweringPipeline, createTextClassificationPipeline } from '.';

const fx = loadFixture('tiny-uncased');
const bert = new Map([...fx.weights].filter(([n]) => n.startsWith('bert.')));
const tokenizer = tokenizerFromBytes(readSharedBytes('fixtures', 'vocab', 'bert-base-uncased.txt'), 'bert-base-uncased.txt', { doLowerCase: true });

beforeAll(async () => {
  await initBackend('cpu');
});

describe('look inside', () => {
  it('QA: attention maps and span attributions of the window the answer came from', async () => {
    const model = createBertModel(fx.config, bert, { kind: 'span' }, { seed: 3 });
    const settings = { ...defaultSettings('squad'), maxSeqLength: 32, maxQueryLength: 8, docStride: 8, evalBatchSize: 4, seqBuckets: [] };
    const qa = createQuestionAnsweringPipeline({ model, tokenizer, settings, version2: false });
    const context = 'The Panthers defense gave up just 308 points, ranking sixth in the league, and led the league in interceptions. Their coach said the season had been long, and the players were tired by the end.';
    const before = tf.memory().numTensors;
    const r = await qa.answer({ question: 'How many points?', context }, { explain: { attentions: true, attributions: 'gradient-x-input' } });
    expect(tf.memory().numTensors).toBe(before);
    expect(r.windows).toBeGreaterThan(1);
    const inside = r.inside!;
    const S = inside.tokens.length;
    expect(inside.tokens[0]).toBe('[CLS]');
    expect(inside.tokens[S - 1]).toBe('[SEP]');
    expect(inside.segmentIds).toHaveLength(S);
    const att = inside.attentions!;
    expect(att).toMatchObject({ layers: fx.config.numHiddenLayers, heads: fx.config.numAttentionHeads, length: S });
    for (const layer of att.probs) {
      expect(layer).toHaveLength(att.heads * S * S);
      for (let row = 0; row < att.heads * S; row++) {
        let sum = 0;
        for (let k = 0; k < S; k++) sum += layer[row * S + k];
        expect(sum).toBeCloseTo(1, 5);
      }
    }
    const a = inside.attributions!;
    expect(a.scores).toHaveLength(S);
    expect(a.scores.every(Number.isFinite)).toBe(true);
    // The attributed span is the answer's: the answer starts with its first token, and its logits are the answer's.
    const m = /start token (\d+) \+ end token (\d+)/.exec(a.target)!;
    expect(Number(m[2])).toBeGreaterThanOrEqual(Number(m[1]));
    expect(inside.segmentIds[Number(m[1])]).toBe(1);
    expect(r.best).not.toBeNull();
    expect(r.best!.text.toLowerCase().startsWith(inside.tokens[Number(m[1])])).toBe(true);
    expect(a.targetValue).toBeCloseTo(r.best!.startLogit + r.best!.endLogit, 3);
    model.dispose();
  });

  it('classification: integrated gradients for the predicted label add up to its logit minus the baseline’s', async () => {
    const model = createBertModel(fx.config, bert, { kind: 'classification', numLabels: 2, labels: ['no', 'yes'] }, { seed: 4 });
    const cls = createTextClassificationPipeline({ model, tokenizer, settings: defaultSettings('mrpc'), labels: ['no', 'yes'] });
    const r = await cls.classify({ textA: 'The company said profits rose.', textB: 'Profits went up, the firm said.' }, { explain: { attributions: 'integrated-gradients', steps: 20 } });
    expect(r.kind).toBe('classification');
    if (r.kind !== 'classification') return;
    const a = r.inside!.attributions!;
    expect(a.target).toBe(`label “${r.label}”`);
    expect(r.inside!.attentions).toBeUndefined();
    expect(r.inside!.tokens.filter((t) => t === '[SEP]')).toHaveLength(2);
    const sum = a.scores.reduce((s, x) => s + x, 0);
    const delta = a.targetValue - a.baselineValue!;
    expect(Math.abs(sum - delta)).toBeLessThan(0.05 * Math.abs(delta) + 1e-4);
    // Without explain nothing extra is computed.
    const plain = await cls.classify({ textA: 'The company said profits rose.' });
    expect(plain.inside).toBeUndefined();
    model.dispose();
  });
});
