/**
 * Bad input (issue 2, section 5): each case gives a TabtuneError naming the file, the line or
 * question id and what was expected; bad records are skipped and counted by default, thrown with
 * failFast. Variations of the real files in ../shared/datasets.
 */
import { describe, expect, it } from 'vitest';
import { TabtuneError } from '../errors';
import { readShared, readSharedBytes } from '../../testing/shared';
import { readGlue } from './glue-reader';
import { readSquad } from './squad-reader';
import { readTable } from './table-reader';
import { sourceFromBlob, sourceFromText, type DataSource } from './source';
import type { GlueTask } from './types';

function bytesSource(name: string, bytes: Uint8Array, chunk = 4096): DataSource {
  return {
    name,
    size: bytes.byteLength,
    async *chunks() {
      for (let i = 0; i < bytes.byteLength; i += chunk) yield bytes.subarray(i, i + chunk);
    },
  };
}

async function caught(p: Promise<unknown>): Promise<TabtuneError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(TabtuneError);
    return e as TabtuneError;
  }
  throw new Error('expected a TabtuneError, got none');
}

const rteDev = readShared('datasets/glue/RTE/dev.tsv').split('\n');
const rte = (lines: string[]) => sourceFromText('dev.tsv', lines.join('\n'));

describe('GLUE TSV bad input', () => {
  it('skips and counts a row with the wrong column count; failFast throws naming file, line and expectation', async () => {
    const lines = [...rteDev];
    lines[5] = lines[5].replace(/\t[^\t]*$/, ''); // line 6 loses its label column
    const skipped: TabtuneError[] = [];
    const data = await readGlue('rte', rte(lines), { onSkip: (e) => skipped.push(e) });
    expect(data.stats).toMatchObject({ records: 277, kept: 276, skipped: 1 });
    expect(data.examples.map((e) => e.guid)).not.toContain('dev-4');
    expect(skipped.length).toBe(1);
    expect(skipped[0]).toMatchObject({ file: 'dev.tsv', location: 'line 6', expected: '4 tab-separated columns', code: 'tsv-columns' });
    expect(skipped[0].message).toBe('dev.tsv, line 6: the row has 3 columns (expected 4 tab-separated columns)');
    expect(data.stats.firstErrors[0].message).toBe(skipped[0].message);

    const e = await caught(readGlue('rte', rte(lines), { failFast: true }));
    expect(e).toMatchObject({ file: 'dev.tsv', location: 'line 6', code: 'tsv-columns' });
  });

  it('skips and counts a label that is not in the task label list', async () => {
    const lines = [...rteDev];
    lines[2] = lines[2].replace(/\t[^\t]*$/, '\tcontradiction');
    const data = await readGlue('rte', rte(lines));
    expect(data.stats).toMatchObject({ kept: 276, skipped: 1 });
    expect(data.stats.firstErrors[0]).toMatchObject({ location: 'line 3', code: 'label' });
    expect(data.stats.firstErrors[0].message).toContain("label 'contradiction' is not one of the rte labels (expected one of entailment, not_entailment)");
    const e = await caught(readGlue('rte', rte(lines), { failFast: true }));
    expect(e.location).toBe('line 3');
  });

  it('rejects an STS-B score that is not a number', async () => {
    const header = 'index\tgenre\tfilename\tyear\told_index\tsource1\tsource2\tsentence1\tsentence2\tscore';
    const row = (i: number, score: string) => `${i}\tmain-captions\tMSRvid\t2012test\t0001\tnone\tnone\tA plane is taking off.\tAn air plane is taking off.\t${score}`;
    const data = await readGlue('sts-b', sourceFromText('dev.tsv', [header, row(0, '5.000'), row(1, 'high'), row(2, '3.8')].join('\n')));
    expect(data.labels).toBeNull();
    expect(data.examples.map((e) => [e.guid, e.label])).toEqual([['dev-0', '5.000'], ['dev-2', '3.8']]);
    expect(data.stats.firstErrors[0]).toMatchObject({ location: 'line 3', code: 'label' });
  });

  it('rejects a header with fewer columns than the task reads (the wrong task for the file)', async () => {
    const e = await caught(readGlue('mrpc', sourceFromText('dev.tsv', readShared('datasets/glue/SST-2/dev.tsv'))));
    expect(e).toMatchObject({ file: 'dev.tsv', location: 'line 1', code: 'tsv-header' });
    expect(e.message).toContain('at least 5');
  });

  it('rejects a file where every row is bad', async () => {
    // CoLA's headerless rows read as MNLI-less 2-column rows: every row has the wrong count.
    const e = await caught(readGlue('cola', sourceFromText('test.tsv', 'index\tsentence\n0\ta\tb\n1\tc\td\n')));
    expect(e.message).toContain('no usable row: all 2 were bad');
    expect(e.file).toBe('test.tsv');
  });

  it('rejects an empty file and a whitespace-only file', async () => {
    for (const text of ['', '\n\n  \n']) {
      const e = await caught(readGlue('sst-2', sourceFromText('train.tsv', text)));
      expect(e).toMatchObject({ file: 'train.tsv', code: 'empty' });
      expect(e.message).toContain('train.tsv: the file is empty');
    }
  });

  it('rejects a binary file (NUL bytes) and bytes that are not UTF-8', async () => {
    const model = readSharedBytes('fixtures/model/tiny-odd/model.safetensors');
    const e1 = await caught(readGlue('mrpc', bytesSource('model.safetensors', model)));
    expect(e1).toMatchObject({ file: 'model.safetensors', code: 'binary' });
    expect(e1.message).toMatch(/model\.safetensors, (near byte \d+|line \d+, byte \d+): the file (holds NUL bytes|is not UTF-8 text)/);
    const latin1 = new Uint8Array([...new TextEncoder().encode('sentence\tlabel\ncaf'), 0xe9, 0x09, 0x31, 0x0a]);
    const e2 = await caught(readGlue('sst-2', bytesSource('train.tsv', latin1)));
    expect(e2).toMatchObject({ file: 'train.tsv', code: 'binary', expected: 'a UTF-8 text file' });
    // The first invalid byte and its line, not the start of the chunk.
    expect(e2).toMatchObject({ location: 'line 2, byte 18' });
    expect(e2.message).toContain("byte 0xe9 at byte 18 (line 2) is not valid UTF-8 (Latin-1 'é'? save the file as UTF-8)");
    const text = 'sentence\tlabel\nfine\t1\n';
    const utf16 = new Uint8Array(2 + text.length * 2);
    utf16.set([0xff, 0xfe]);
    for (let i = 0; i < text.length; i++) utf16[2 + 2 * i] = text.charCodeAt(i);
    const e3 = await caught(readGlue('sst-2', bytesSource('train.tsv', utf16)));
    expect(e3.message).toBe('train.tsv, byte 0: the file is UTF-16 text (expected UTF-8 text (save the file as UTF-8))');
  });
});

describe('GLUE line handling', () => {
  it('removes the BOM, accepts CRLF and CR line ends and splits across any chunk boundary', async () => {
    const text = readShared('datasets/glue/MRPC/dev.tsv');
    expect(text.charCodeAt(0)).toBe(0xfeff);
    const reference = await readGlue('mrpc', sourceFromText('dev.tsv', text));
    expect(reference.examples.length).toBe(408);
    const bytes = new TextEncoder().encode(text.replace(/\n/g, '\r\n'));
    for (const chunk of [1, 7, 4096]) {
      const data = await readGlue('mrpc', bytesSource('dev.tsv', bytes, chunk));
      expect(data.examples, `chunk ${chunk}`).toEqual(reference.examples);
    }
    const cr = await readGlue('mrpc', sourceFromText('dev.tsv', text.replace(/\n/g, '\r'), 5));
    expect(cr.examples).toEqual(reference.examples);
  });

  it('reads a dropped File (Blob) as the worker does', async () => {
    const bytes = readSharedBytes('datasets/glue/MRPC/dev.tsv');
    const fromText = await readGlue('mrpc', sourceFromText('dev.tsv', readShared('datasets/glue/MRPC/dev.tsv')));
    const source = sourceFromBlob(new Blob([bytes as Uint8Array<ArrayBuffer>]), 'dev.tsv');
    expect(source.size).toBe(bytes.byteLength);
    const progress: number[] = [];
    const fromBlob = await readGlue('mrpc', source, { onProgress: (done) => progress.push(done) });
    expect(fromBlob.examples).toEqual(fromText.examples);
    expect(progress[progress.length - 1]).toBe(bytes.byteLength);
  });

  it('keeps " as a literal character (no CSV quoting)', async () => {
    const data = await readGlue('mrpc', sourceFromText('dev.tsv', readShared('datasets/glue/MRPC/dev.tsv')));
    expect(data.examples[0].textB).toBe('" The foodservice pie business does not fit our long-term growth strategy .');
  });

  it('reads every GLUE task layout with its processor rules', async () => {
    const cases: Array<[GlueTask, string, string[], Array<[string, string, string | undefined, string]>]> = [
      ['qqp', 'train.tsv', ['id\tqid1\tqid2\tquestion1\tquestion2\tis_duplicate', '133273\t213221\t213222\tHow is the life?\tWhat is life?\t0'], [['train-133273', 'How is the life?', 'What is life?', '0']]],
      ['qqp', 'test.tsv', ['id\tquestion1\tquestion2', '0\tWhy?\tHow?'], [['test-0', 'Why?', 'How?', '0']]],
      ['qnli', 'dev.tsv', ['index\tquestion\tsentence\tlabel', '0\tWhat?\tThis.\tnot_entailment'], [['dev-0', 'What?', 'This.', 'not_entailment']]],
      ['qnli', 'test.tsv', ['index\tquestion\tsentence', '0\tWhat?\tThis.'], [['test-0', 'What?', 'This.', 'entailment']]],
      ['wnli', 'train.tsv', ['index\tsentence1\tsentence2\tlabel', '0\tI stuck a pin.\tI stuck.\t1'], [['train-0', 'I stuck a pin.', 'I stuck.', '1']]],
      [
        'mnli',
        'dev_matched.tsv',
        ['index\tpromptID\tpairID\tgenre\tsentence1_binary_parse\tsentence2_binary_parse\tsentence1_parse\tsentence2_parse\tsentence1\tsentence2\tlabel1\tlabel2\tgold_label', '0\t63735\t63735n\tslate\t(x)\t(y)\t(X)\t(Y)\tThe new rights.\tEveryone likes it.\tneutral\tneutral\tneutral'],
        [['dev_matched-0', 'The new rights.', 'Everyone likes it.', 'neutral']],
      ],
      [
        'mnli-mm',
        'dev_mismatched.tsv',
        ['index\tpromptID\tpairID\tgenre\tsentence1_binary_parse\tsentence2_binary_parse\tsentence1_parse\tsentence2_parse\tsentence1\tsentence2\tlabel1\tgold_label', '7\t1\t1e\tletters\t(x)\t(y)\t(X)\t(Y)\tA.\tB.\tentailment\tentailment'],
        [['dev_mismatched-7', 'A.', 'B.', 'entailment']],
      ],
      ['mnli', 'test_matched.tsv', ['index\tpromptID\tpairID\tgenre\ts1b\ts2b\ts1p\ts2p\tsentence1\tsentence2', '3\t1\t1\tx\t(x)\t(y)\t(X)\t(Y)\tA.\tB.'], [['test-3', 'A.', 'B.', 'contradiction']]],
      ['sst-2', 'test.tsv', ['index\tsentence', '0\tuneasy mishmash .'], [['test-1', 'uneasy mishmash .', undefined, '0']]],
      ['cola', 'train.tsv', ['gj04\t0\t*\tThe sailors rode.'], [['train-0', 'The sailors rode.', undefined, '0']]],
    ];
    for (const [task, name, lines, expected] of cases) {
      const data = await readGlue(task, sourceFromText(name, lines.join('\n') + '\n'));
      expect(data.examples.map((e) => [e.guid, e.textA, e.textB, e.label]), `${task} ${name}`).toEqual(expected);
    }
  });
});

const xquad = () => JSON.parse(readShared('fixtures/squad/xquad.en/input-train.json')) as {
  version: string;
  data: Array<{ title?: string; paragraphs: Array<{ context: string; qas: Array<{ id: string; question: string; answers: Array<{ text: string; answer_start: number }> }> }> }>;
};
const squadSource = (json: unknown, name = 'train.json') => sourceFromText(name, JSON.stringify(json));

describe('SQuAD bad input', () => {
  it('rejects a file that is not JSON, naming the place', async () => {
    const e = await caught(readSquad(sourceFromText('train.json', '{"data": [{"paragraphs": [}]}'), { training: true }));
    expect(e).toMatchObject({ file: 'train.json', location: 'line 1, column 27', code: 'squad-json' });
    const tsv = await caught(readSquad(sourceFromText('dev.tsv', readShared('datasets/glue/RTE/dev.tsv')), { training: false }));
    expect(tsv).toMatchObject({ file: 'dev.tsv', location: 'line 1, column 1', code: 'squad-json' });
    const lines = readShared('fixtures/squad/xquad.en/input.json').split('\n');
    const at = lines.findIndex((l) => l.includes('"answer_start"'));
    let column = 0;
    lines[at] = lines[at].replace(/"answer_start": (\d+)/, (m, digits: string, offset: number) => {
      column = offset + m.length + 1; // the stray character after the number, 1-based
      return `"answer_start": ${digits}x`;
    });
    const broken = await caught(readSquad(sourceFromText('input.json', lines.join('\n')), { training: false }));
    expect(broken).toMatchObject({ file: 'input.json', location: `line ${at + 1}, column ${column}`, code: 'squad-json' });
    const cut = await caught(readSquad(sourceFromText('train.json', readShared('fixtures/squad/xquad.en/input.json').slice(0, 5000)), { training: false }));
    expect(cut.code).toBe('squad-json');
    expect(['end of file', 'line 1, column 5001']).toContain(cut.location);
  });

  it('rejects JSON without "data"', async () => {
    for (const json of [{ version: '1.1' }, [1, 2], { data: 'x' }]) {
      const e = await caught(readSquad(squadSource(json), { training: false }));
      expect(e).toMatchObject({ file: 'train.json', location: 'top level', code: 'squad-structure' });
      expect(e.message).toContain('the JSON has no "data" list');
    }
  });

  it('skips and counts an article without paragraphs and a paragraph without qas or context', async () => {
    const json = xquad();
    const article = json.data[1] as unknown as Record<string, unknown>;
    const lostQuestions = json.data[1].paragraphs.reduce((n, p) => n + p.qas.length, 0);
    delete article.paragraphs;
    const para = json.data[0].paragraphs[2] as unknown as Record<string, unknown>;
    const lostToo = json.data[0].paragraphs[2].qas.length;
    delete para.qas;
    delete (json.data[0].paragraphs[3] as unknown as Record<string, unknown>).context;
    const lostThree = json.data[0].paragraphs[3].qas.length;
    const all = xquad().data.reduce((n, a) => n + a.paragraphs.reduce((m, p) => m + p.qas.length, 0), 0);
    const skipped: TabtuneError[] = [];
    const data = await readSquad(squadSource(json), { training: true, onSkip: (e) => skipped.push(e) });
    expect(data.stats.skipped).toBe(3);
    expect(data.stats.kept).toBe(all - lostQuestions - lostToo - lostThree);
    expect(skipped.map((e) => [e.location, e.code])).toEqual([
      ['data[0].paragraphs[2]', 'squad-structure'],
      ['data[0].paragraphs[3]', 'squad-structure'],
      ['data[1] ("Warsaw")', 'squad-structure'],
    ]);
    expect(skipped[0].message).toContain('has no "qas" list');
    expect(skipped[1].message).toContain('has no "context" string');
    expect(skipped[2].message).toContain('the article has no "paragraphs" list');
    const e = await caught(readSquad(squadSource(json), { training: true, failFast: true }));
    expect(e.location).toBe('data[0].paragraphs[2]');
  });

  it('skips and counts an answer_start outside the context, naming the question id', async () => {
    const json = xquad();
    const qa = json.data[0].paragraphs[0].qas[1];
    qa.answers[0].answer_start = json.data[0].paragraphs[0].context.length + 10;
    const data = await readSquad(squadSource(json), { training: true });
    expect(data.stats.skipped).toBe(1);
    expect(data.examples.map((e) => e.qasId)).not.toContain(qa.id);
    expect(data.stats.firstErrors[0]).toMatchObject({ location: `question ${qa.id} (data[0].paragraphs[0].qas[1])`, code: 'squad-answer-start' });
    expect(data.stats.firstErrors[0].message).toContain('lies outside the context');
    const e = await caught(readSquad(squadSource(json), { training: true, failFast: true }));
    expect(e).toMatchObject({ file: 'train.json', location: `question ${qa.id} (data[0].paragraphs[0].qas[1])` });
    // Evaluation reads no answers: the question is kept.
    expect((await readSquad(squadSource(json), { training: false })).stats.skipped).toBe(0);
  });

  it('counts an unrecoverable answer (run_squad skips it with a warning), never loses it silently', async () => {
    const json = xquad();
    const qa = json.data[0].paragraphs[0].qas[0];
    qa.answers[0].text = 'not in the text';
    const notes: TabtuneError[] = [];
    const data = await readSquad(squadSource(json), { training: true, failFast: true, onSkip: (e) => notes.push(e) });
    expect(data.stats).toMatchObject({ unrecoverable: 1, skipped: 0 });
    expect(data.stats.kept + data.stats.unrecoverable).toBe(data.stats.records);
    expect(notes.map((e) => [e.location?.split(' ')[1], e.code])).toEqual([[qa.id, 'squad-answer-unrecoverable']]);
  });

  it('needs exactly one answer per question for training', async () => {
    const json = xquad();
    const qa = json.data[0].paragraphs[0].qas[0];
    qa.answers.push({ ...qa.answers[0] });
    const data = await readSquad(squadSource(json), { training: true });
    expect(data.stats.skipped).toBe(1);
    expect(data.stats.firstErrors[0]).toMatchObject({ code: 'squad-answers' });
    expect(data.stats.firstErrors[0].message).toContain('for training, the question has 2 answers');
    const first = await readSquad(squadSource(json), { training: true, useFirstAnswer: true });
    expect(first.stats.skipped).toBe(0);
  });

  it('rejects an empty file and a binary file', async () => {
    const e1 = await caught(readSquad(sourceFromText('train.json', ''), { training: true }));
    expect(e1).toMatchObject({ file: 'train.json', code: 'empty' });
    const e2 = await caught(readSquad(bytesSource('pytorch_model.bin', readSharedBytes('fixtures/model/tiny-odd/pytorch_model.bin')), { training: true }));
    expect(e2).toMatchObject({ file: 'pytorch_model.bin', code: 'binary' });
  });

  it('rejects a file with no questions', async () => {
    const e = await caught(readSquad(squadSource({ version: '1.1', data: [] }), { training: false }));
    expect(e.message).toContain('the file holds no questions');
  });
});

describe('tsv task bad input', () => {
  const csv = 'id,sentence,label\n1,"a, quoted ""sentence""",pos\n2,plain,neg\n3,"two\nlines",pos\n4,missing label\n5,"never closed,neg\n';

  it('reads quoted CSV records (commas, "" and line breaks inside quotes) and skips a short row and an unclosed quote', async () => {
    const skipped: TabtuneError[] = [];
    const data = await readTable(sourceFromText('train.csv', csv), { columns: { textA: 'sentence', label: 'label' }, onSkip: (e) => skipped.push(e) });
    expect(data.columns).toEqual(['id', 'sentence', 'label']);
    expect(data.labels).toEqual(['neg', 'pos']);
    expect(data.examples.map((e) => [e.guid, e.textA, e.label])).toEqual([
      ['train-1', 'a, quoted "sentence"', 'pos'],
      ['train-2', 'plain', 'neg'],
      ['train-3', 'two\nlines', 'pos'],
    ]);
    expect(skipped.map((e) => [e.location, e.code])).toEqual([
      ['line 6', 'tsv-columns'],
      ['line 7', 'csv-quotes'],
    ]);
    expect(skipped[0].message).toBe("train.csv, line 6: the row has 2 columns (expected 3 columns separated by ',')");
  });

  it('rejects a label that the training file did not have', async () => {
    const data = await readTable(sourceFromText('dev.csv', 'sentence,label\nok,pos\nmeh,neutral\n'), { columns: { textA: 'sentence', label: 'label' }, labels: ['neg', 'pos'] });
    expect(data.examples.length).toBe(1);
    expect(data.stats.firstErrors[0]).toMatchObject({ location: 'line 3', code: 'label' });
    expect(data.stats.firstErrors[0].message).toContain("label 'neutral' is not in the training file's labels (expected one of neg, pos)");
  });

  it('rejects a column mapping that names no column, listing the columns', async () => {
    const e = await caught(readTable(sourceFromText('train.tsv', 'text\tlabel\nhi\t1\n'), { columns: { textA: 'sentence', label: 'label' } }));
    expect(e).toMatchObject({ file: 'train.tsv', location: 'header', code: 'tsv-mapping' });
    expect(e.message).toContain("no column 'sentence' for text_a (expected one of 'text' (0), 'label' (1))");
  });

  it('rejects an empty file', async () => {
    const e = await caught(readTable(sourceFromText('train.csv', ''), { columns: { textA: 0 } }));
    expect(e).toMatchObject({ file: 'train.csv', code: 'empty' });
  });
});
