import { describe, expect, it } from 'vitest';
import { unzipSync } from 'fflate';
import { exportHfFolder, zipFolder } from './export-hf';
import { loadPretrained } from './load-pretrained';
import { nodeFolderSources, nodeFileSource } from '../../platform/node/byte-source';
import { bytesSource, type LoadedTensor } from './safetensors';
import { readShared, sharedPath } from '../../testing/shared';
import type { HeadSpec } from '../model/types';
import { TabtuneError } from '../errors';

const VOCAB = readShared('fixtures/vocab/bert-base-uncased.txt').split('\n').slice(0, 128).join('\n');

function expectSame(a: Map<string, LoadedTensor>, b: Map<string, LoadedTensor>) {
  expect([...a.keys()].sort()).toEqual([...b.keys()].sort());
  for (const [k, t] of a) {
    expect(b.get(k)!.shape, k).toEqual(t.shape);
    expect(Array.from(b.get(k)!.data), k).toEqual(Array.from(t.data));
  }
}

const sources = (files: Map<string, Uint8Array>) => [...files].map(([n, b]) => bytesSource(b, n));

describe('exportHfFolder', async () => {
  const hf = await loadPretrained(nodeFolderSources(sharedPath('fixtures/model/tiny-odd')), { extraWeights: [nodeFileSource(sharedPath('fixtures/model/tiny-odd/heads.safetensors'))] });
  const google = await loadPretrained(nodeFolderSources(sharedPath('fixtures/model/tiny-odd/google')));
  const only = (prefix: string) => new Map([...hf.weights].filter(([k]) => k.startsWith('bert.') || k.startsWith(prefix)));

  it('writes a classification folder that reloads to identical tensors and config', async () => {
    const head: HeadSpec = { kind: 'classification', numLabels: 2, labels: ['not_equivalent', 'equivalent'] };
    const files = exportHfFolder({ config: hf.config, rawConfig: hf.rawConfig, head, weights: hf.weights, vocabText: VOCAB, doLowerCase: true });
    expect([...files.keys()].sort()).toEqual(['config.json', 'model.safetensors', 'tokenizer_config.json', 'vocab.txt']);
    const cfg = JSON.parse(new TextDecoder().decode(files.get('config.json')));
    expect(cfg.architectures).toEqual(['BertForSequenceClassification']);
    expect(cfg.id2label).toEqual({ '0': 'not_equivalent', '1': 'equivalent' });
    expect(cfg.label2id).toEqual({ not_equivalent: 0, equivalent: 1 });
    expect(cfg.num_labels).toBe(2);
    expect(cfg.hidden_act).toBe('gelu_new');
    expect(cfg.pad_token_id).toBe(0);
    const back = await loadPretrained(sources(files));
    expect(back.format).toBe('hf-safetensors');
    expect(back.config).toEqual(hf.config);
    expectSame(back.weights, only('classifier.'));
    expect(back.skipped).toEqual([]);
    expect(back.vocabText).toBe(`${VOCAB}\n`);
    expect(back.tokenizerConfig).toMatchObject({ do_lower_case: true, tokenizer_class: 'BertTokenizer', model_max_length: 40 });
  });

  it('writes a span folder from a Google checkpoint: hidden_act gelu (Google) becomes gelu_new', async () => {
    const files = exportHfFolder({ config: google.config, rawConfig: google.rawConfig, head: { kind: 'span' }, weights: google.weights, vocabText: VOCAB, doLowerCase: false });
    const cfg = JSON.parse(new TextDecoder().decode(files.get('config.json')));
    expect(cfg.architectures).toEqual(['BertForQuestionAnswering']);
    expect(cfg.hidden_act).toBe('gelu_new');
    expect(cfg.model_type).toBe('bert');
    expect(cfg.layer_norm_eps).toBe(1e-12);
    const back = await loadPretrained(sources(files));
    expect(back.config).toEqual(google.config);
    expectSame(back.weights, new Map([...google.weights].filter(([k]) => !k.startsWith('classifier.'))));
    expect(back.tokenizerConfig?.do_lower_case).toBe(false);
  });

  it('writes regression (STS-B) as one output with problem_type regression', async () => {
    const w = new Map(only('nothing'));
    const cw = hf.weights.get('classifier.weight')!;
    w.set('classifier.weight', { dtype: 'float32', shape: [1, 24], data: cw.data.slice(0, 24) });
    w.set('classifier.bias', { dtype: 'float32', shape: [1], data: new Float32Array([0.25]) });
    const files = exportHfFolder({ config: hf.config, head: { kind: 'regression' }, weights: w, vocabText: VOCAB, doLowerCase: true });
    const cfg = JSON.parse(new TextDecoder().decode(files.get('config.json')));
    expect(cfg).toMatchObject({ problem_type: 'regression', num_labels: 1, architectures: ['BertForSequenceClassification'] });
    expectSame((await loadPretrained(sources(files))).weights, w);
  });

  it('zips the folder for download', () => {
    const files = exportHfFolder({ config: hf.config, rawConfig: hf.rawConfig, head: { kind: 'span' }, weights: hf.weights, vocabText: VOCAB, doLowerCase: true });
    const unzipped = unzipSync(zipFolder(files, 'tabtune-model'));
    expect(Object.keys(unzipped).sort()).toEqual([...files.keys()].map((n) => `tabtune-model/${n}`).sort());
    for (const [n, b] of files) expect(Buffer.from(unzipped[`tabtune-model/${n}`]).equals(Buffer.from(b))).toBe(true);
  });

  it('refuses a missing or misshapen head weight, naming it', () => {
    const noHead = only('nothing');
    expect(() => exportHfFolder({ config: hf.config, head: { kind: 'span' }, weights: noHead, vocabText: VOCAB, doLowerCase: true })).toThrow('qa_outputs.weight: weight qa_outputs.weight is missing');
    expect(() => exportHfFolder({ config: hf.config, head: { kind: 'classification', numLabels: 3, labels: ['a', 'b', 'c'] }, weights: hf.weights, vocabText: VOCAB, doLowerCase: true }))
      .toThrow(TabtuneError);
    expect(() => exportHfFolder({ config: hf.config, head: { kind: 'classification', numLabels: 3, labels: ['a', 'b', 'c'] }, weights: hf.weights, vocabText: VOCAB, doLowerCase: true }))
      .toThrow('classifier.weight: weight has shape [2,24] (expected shape [3,24])');
  });
});
