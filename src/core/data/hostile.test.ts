/**
 * Hostile and careless data files (issue 13, section 3), crafted here: sizes checked before
 * allocating, duplicate ids refused, and messages that point at the problem.
 */
import { describe, expect, it } from 'vitest';
import { TabtuneError } from '../errors';
import { createTokenizer, parseVocab } from '../tokenizer';
import { readShared } from '../../testing/shared';
import { convertExample } from './classifier-features';
import { readGlue } from './glue-reader';
import { MAX_SEQ_LENGTH } from './limits';
import { MAX_LINE_CHARS, readAllText, sourceFromText, type DataSource } from './source';
import { forEachSquadFeature } from './squad-features';
import { MAX_SQUAD_JSON_BYTES, readSquad } from './squad-reader';
import { readTable } from './table-reader';

async function rejects(p: Promise<unknown> | (() => unknown)): Promise<TabtuneError> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    expect(e).toBeInstanceOf(TabtuneError);
    return e as TabtuneError;
  }
  throw new Error('expected a TabtuneError, nothing was thrown');
}

const tokenizer = createTokenizer(parseVocab(readShared('fixtures/vocab/bert-base-uncased.txt'), 'vocab.txt'));

describe('sizes checked before allocating', () => {
  it('a 40 MB single-line TSV is refused at its line, not held and rescanned', async () => {
    const text = 'sentence\tlabel\n' + 'a'.repeat(40_000_000);
    const e = await rejects(readGlue('sst-2', sourceFromText('train.tsv', text, 1 << 16)));
    expect(e).toMatchObject({ file: 'train.tsv', location: 'line 2', code: 'line-length' });
    expect(e.message).toContain(`longer than ${MAX_LINE_CHARS} characters`);
  });

  it('an unclosed quote in a CSV is refused once the record passes the line limit', async () => {
    const text = 'text,label\n"never closed,1\n' + 'more text,0\n'.repeat(900_000);
    const e = await rejects(readTable(sourceFromText('mine.csv', text), { columns: { textA: 'text', label: 'label' } }));
    expect(e).toMatchObject({ file: 'mine.csv', location: 'line 2', code: 'csv-quotes' });
  });

  it('a 560 MB SQuAD JSON is refused up front with the limit in the message', async () => {
    let read = false;
    const huge: DataSource = {
      name: 'train-v2.0-huge.json',
      size: 560 * 1024 * 1024,
      async *chunks() {
        read = true;
        yield '{}';
      },
    };
    const e = await rejects(readSquad(huge, { training: true }));
    expect(read).toBe(false);
    expect(e).toMatchObject({ file: 'train-v2.0-huge.json', code: 'file-too-large' });
    expect(e.message).toContain(`${MAX_SQUAD_JSON_BYTES / 1048576} MB`);
  });

  it('a stream without a declared size stops at the limit too', async () => {
    const e = await rejects(readAllText(sourceFromText('stream.json', 'x'.repeat(3 << 20)), undefined, 1 << 20, 'the SQuAD JSON'));
    expect(e).toMatchObject({ file: 'stream.json', code: 'file-too-large' });
  });

  it('max_seq_length 1e9 is refused by feature conversion before any array is sized', async () => {
    const e1 = await rejects(() => convertExample({ guid: 'x', textA: 'hello' }, tokenizer, { maxSeqLength: 1e9 }));
    expect(e1).toMatchObject({ location: 'max_seq_length', code: 'option' });
    expect(e1.message).toContain(`at most ${MAX_SEQ_LENGTH}`);
    const e2 = await rejects(() =>
      forEachSquadFeature([], tokenizer, { maxSeqLength: 1e9, docStride: 128, maxQueryLength: 64, training: false }, () => undefined),
    );
    expect(e2).toMatchObject({ location: 'max_seq_length', code: 'option' });
  });
});

describe('silently accepted before, refused now', () => {
  it('a duplicate SQuAD question id is skipped as a bad record naming both places', async () => {
    const json = {
      version: 'v2.0',
      data: [{ title: 't', paragraphs: [{ context: 'Paris is in France.', qas: [
        { id: 'q1', question: 'Where is Paris?', answers: [{ text: 'France', answer_start: 12 }], is_impossible: false },
        { id: 'q1', question: 'What is in France?', answers: [{ text: 'Paris', answer_start: 0 }], is_impossible: false },
      ] }] }],
    };
    const skipped: TabtuneError[] = [];
    const out = await readSquad(sourceFromText('dev.json', JSON.stringify(json)), { training: false, onSkip: (e) => skipped.push(e) });
    expect(out.examples.map((x) => x.questionText)).toEqual(['Where is Paris?']);
    expect(skipped).toHaveLength(1);
    expect(skipped[0]).toMatchObject({ file: 'dev.json', location: 'question q1 (data[0].paragraphs[0].qas[1])', code: 'squad-duplicate-id' });
    expect(skipped[0].message).toContain('already used at data[0].paragraphs[0].qas[0]');
    const e = await rejects(readSquad(sourceFromText('dev.json', JSON.stringify(json)), { training: false, failFast: true }));
    expect(e.code).toBe('squad-duplicate-id');
  });
});

describe('messages that point at the problem', () => {
  it('a header-only training file names the file', async () => {
    const e = await rejects(readGlue('sst-2', sourceFromText('train.tsv', 'sentence\tlabel\n')));
    expect(e).toMatchObject({ file: 'train.tsv', code: 'empty' });
    expect(e.message).toBe('train.tsv, line 2: the file has a header but no data rows (expected at least one row after the header)');
    const e2 = await rejects(readTable(sourceFromText('mine.csv', 'text,label\r\n\r\n'), { columns: { textA: 'text', label: 'label' } }));
    expect(e2).toMatchObject({ file: 'mine.csv', code: 'empty' });
  });

  it('a Latin-1 byte deep in a file is reported at its byte and line', async () => {
    const head = new TextEncoder().encode('sentence\tlabel\n' + 'fine line\t1\n'.repeat(10000));
    const bytes = new Uint8Array([...head, 0x63, 0x61, 0x66, 0xe9, 0x09, 0x31, 0x0a]);
    const src: DataSource = {
      name: 'train.tsv',
      size: bytes.byteLength,
      async *chunks() {
        for (let i = 0; i < bytes.byteLength; i += 4096) yield bytes.subarray(i, i + 4096);
      },
    };
    const e = await rejects(readGlue('sst-2', src));
    expect(e).toMatchObject({ file: 'train.tsv', location: `line 10002, byte ${head.byteLength + 3}`, code: 'binary' });
  });
});
