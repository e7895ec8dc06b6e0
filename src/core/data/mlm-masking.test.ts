/**
 * The text corpus reader and masked-LM masking against create_pretraining_data.py's rules, on a
 * fixed seed and a large real sample (every MRPC train sentence, bert-base-uncased WordPiece,
 * documents of 6 sentences): the reader's document/sentence split; packing; per sequence
 * exactly min(max_predictions_per_seq, max(1, round(0.15·len))) predictions (whole words may
 * fall short but never exceed it); 80/10/10 over all predictions; never [CLS], [SEP] or
 * padding; whole words intact; positions uniformly chosen; new masks per epoch, same masks for
 * the same seed and epoch.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { sharedPath } from '../../testing/shared';
import { isTabtuneError } from '../errors';
import { createLoopRng } from '../train/loop-rng';
import { maskSequence, mlmBatches, mlmVocab, packSequences, pythonRound, type MlmVocab } from './mlm-masking';
import { sourceFromText } from './source';
import { readTextCorpus, type TextCorpus } from './text-corpus';
import { uncasedTokenizer } from '../../testing/test-tokenizer';

const tok = uncasedTokenizer();
const v: MlmVocab = mlmVocab(tok.vocab.idToToken);

/** Every MRPC train sentence (both columns), 6 per document, blank line between documents. */
function mrpcText(): string {
  const rows = readFileSync(sharedPath('datasets', 'glue', 'MRPC', 'train.tsv'), 'utf8').split('\n').slice(1).filter((l) => l.trim());
  const sentences = rows.flatMap((r) => r.split('\t').slice(3, 5));
  const lines: string[] = [];
  sentences.forEach((s, i) => {
    lines.push(s);
    if (i % 6 === 5) lines.push('');
  });
  return lines.join('\n');
}

let corpus: TextCorpus;
let sequences: Int32Array[];
beforeAll(async () => {
  corpus = await readTextCorpus(sourceFromText('mrpc.txt', mrpcText()), tok);
  sequences = packSequences(corpus, 128, v);
});

describe('readTextCorpus', () => {
  it('splits documents at blank lines and keeps one sentence per line (create_pretraining_data.py)', async () => {
    const text = '  First sentence.  \nSecond one\n\n\n \t \nNew document here.\n\u0001\u0002\nLast line';
    const c = await readTextCorpus([sourceFromText('a.txt', text), sourceFromText('b.txt', 'Other file.\n')], tok);
    expect(c.documents.map((d) => d.map((s) => tok.convertIdsToTokens([...s]).join(' ')))).toEqual([
      ['first sentence .', 'second one'],
      ['new document here .', 'last line'], // the control-character line tokenizes to nothing and is dropped
      ['other file .'],
    ]);
    expect(c.files).toEqual([{ name: 'a.txt', documents: 2, sentences: 4 }, { name: 'b.txt', documents: 1, sentences: 1 }]);
    expect(c.sentences).toBe(5);
  });

  it('names the file that holds no text', async () => {
    const e = await readTextCorpus(sourceFromText('blank.txt', '\n \n\u0001\n'), tok).catch((x: unknown) => x);
    expect(isTabtuneError(e)).toBe(true);
    expect((e as Error).message).toContain('blank.txt');
  });

  it('reads the whole MRPC sample', () => {
    expect(corpus.sentences).toBe(2 * 3668);
    expect(corpus.documents.length).toBe(Math.ceil((2 * 3668) / 6));
  });
});

describe('packSequences', () => {
  it('packs whole sentences of one document into [CLS] … [SEP] of at most max_seq_length', () => {
    expect(sequences.length).toBeGreaterThan(1000);
    let d = 0;
    let inDoc: number[] = [];
    const docTokens = (i: number) => corpus.documents[i].flatMap((s) => [...s]);
    for (const s of sequences) {
      expect(s.length).toBeLessThanOrEqual(128);
      expect(s[0]).toBe(v.clsId);
      expect(s[s.length - 1]).toBe(v.sepId);
      inDoc.push(...s.subarray(1, s.length - 1));
      if (inDoc.length === docTokens(d).length) {
        expect(inDoc).toEqual(docTokens(d));
        d += 1;
        inDoc = [];
      }
    }
    expect(d).toBe(corpus.documents.length);
    // a 6-sentence MRPC document (~130 tokens) needs two sequences, never one per sentence
    expect(sequences.length).toBeLessThan(corpus.documents.length * 3);
  });

  it('cuts a sentence longer than the room into pieces', () => {
    const long = Int32Array.from({ length: 25 }, (_, i) => 1000 + i);
    const out = packSequences({ documents: [[Int32Array.of(7, 8), long]] }, 12, v);
    expect(out.map((s) => s.length)).toEqual([4, 12, 12, 7]);
    expect(out.flatMap((s) => [...s.subarray(1, s.length - 1)])).toEqual([7, 8, ...long]);
  });
});

describe('maskSequence (create_masked_lm_predictions)', () => {
  it('uses Python round (half to even) for num_to_predict', () => {
    expect([0.5, 1.5, 2.5, 2.51, 3.49].map(pythonRound)).toEqual([0, 2, 2, 3, 3]);
  });

  it('predicts exactly min(max_predictions, max(1, round(0.15·len))) positions, never [CLS]/[SEP], 80/10/10 overall', () => {
    let predicted = 0;
    let tokens = 0;
    let masked = 0;
    let kept = 0;
    let random = 0;
    const byPosition = [0, 0]; // first and second half of each sequence's inner positions
    const rng = createLoopRng(12345);
    for (const s of sequences) {
      const o = { maskedLmProb: 0.15, maxPredictionsPerSeq: 20, wholeWordMask: false };
      const m = maskSequence(s, v, o, rng);
      const want = Math.min(20, Math.max(1, pythonRound(s.length * 0.15)));
      let n = 0;
      for (let i = 0; i < s.length; i++) {
        if (m.labels[i] === -100) {
          expect(m.inputIds[i]).toBe(s[i]);
          continue;
        }
        expect(i === 0 || i === s.length - 1).toBe(false);
        expect(m.labels[i]).toBe(s[i]);
        n += 1;
        byPosition[i - 1 < (s.length - 2) / 2 ? 0 : 1] += 1;
        if (m.inputIds[i] === v.maskId) masked++;
        else if (m.inputIds[i] === s[i]) kept++;
        else random++;
      }
      expect(n).toBe(want);
      predicted += n;
      tokens += s.length;
    }
    expect(predicted).toBeGreaterThan(20000);
    expect(Math.abs(predicted / tokens - 0.15)).toBeLessThan(0.01);
    expect(Math.abs(masked / predicted - 0.8)).toBeLessThan(0.01);
    expect(Math.abs(kept / predicted - 0.1)).toBeLessThan(0.01);
    expect(Math.abs(random / predicted - 0.1)).toBeLessThan(0.01);
    expect(Math.abs(byPosition[0] / predicted - 0.5)).toBeLessThan(0.02);
  });

  it('caps predictions at max_predictions_per_seq', () => {
    const rng = createLoopRng(7);
    for (const s of sequences.slice(0, 200)) {
      const m = maskSequence(s, v, { maskedLmProb: 0.5, maxPredictionsPerSeq: 5, wholeWordMask: false }, rng);
      expect(m.labels.filter((x) => x !== -100).length).toBe(Math.min(5, Math.max(1, pythonRound(s.length * 0.5))));
    }
  });

  it('whole-word masking keeps words intact and never exceeds num_to_predict', () => {
    const rng = createLoopRng(99);
    let multiPieceWordsMasked = 0;
    for (const s of sequences) {
      const want = Math.min(20, Math.max(1, pythonRound(s.length * 0.15)));
      const m = maskSequence(s, v, { maskedLmProb: 0.15, maxPredictionsPerSeq: 20, wholeWordMask: true }, rng);
      const n = m.labels.filter((x) => x !== -100).length;
      expect(n).toBeLessThanOrEqual(want);
      expect(n).toBeGreaterThan(0);
      // words: a start followed by its '##' pieces ([CLS]/[SEP] are never part of a word)
      for (let i = 1; i < s.length - 1; ) {
        let j = i + 1;
        while (j < s.length - 1 && v.isContinuation[s[j]]) j++;
        const states = new Set<boolean>();
        for (let k = i; k < j; k++) states.add(m.labels[k] !== -100);
        expect(states.size, `word at ${i}..${j}`).toBe(1);
        if (j - i > 1 && states.has(true)) multiPieceWordsMasked++;
        i = j;
      }
    }
    expect(multiPieceWordsMasked).toBeGreaterThan(100);
  });
});

describe('mlmBatches (dynamic masking)', () => {
  const opts = { maskedLmProb: 0.15, maxPredictionsPerSeq: 20, wholeWordMask: false, batchSize: 8, maxSeqLength: 128, seed: 42 };

  it('pads with [PAD], masks only real tokens, and labels nothing in the padding', () => {
    const [b] = mlmBatches(sequences, v, { ...opts, epoch: 0 });
    expect(b.batchSize).toBe(8);
    for (let r = 0; r < 8; r++) {
      const len = b.attentionMask.subarray(r * 128, (r + 1) * 128).reduce((a, x) => a + x, 0);
      for (let i = len; i < 128; i++) {
        expect(b.inputIds[r * 128 + i]).toBe(v.padId);
        expect(b.mlmLabels![r * 128 + i]).toBe(-100);
      }
      expect(b.tokenTypeIds.every((x) => x === 0)).toBe(true);
    }
  });

  it('draws new masks every epoch and the same ones for the same seed and epoch', () => {
    const first = (epoch: number, seed = 42) => {
      const all = [...mlmBatches(sequences, v, { ...opts, epoch, seed, shuffle: false })];
      return all[0].mlmLabels!.join(',') + '|' + all[all.length - 1].inputIds.join(',');
    };
    expect(first(0)).toBe(first(0));
    expect(first(1)).not.toBe(first(0));
    expect(first(0, 43)).not.toBe(first(0));
    const count = [...mlmBatches(sequences, v, { ...opts, epoch: 3 })].reduce((a, b) => a + b.batchSize, 0);
    expect(count).toBe(sequences.length);
  });
});
