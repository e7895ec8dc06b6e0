/** `tabtune tokenize` spawned as a user runs it, on fixture lines, with vocab.txt and tokenizer.json. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, readJsonl, readShared, sharedPath } from '../../testing/shared';

interface FixtureLine {
  text: string;
  tokens: string[];
  ids: number[];
  offsets: Array<[number, number]> | null;
}

const VOCAB = sharedPath('fixtures/vocab/bert-base-uncased.txt');

function tabtune(args: string[], input: string) {
  const r = spawnSync(process.execPath, [join(REPO_ROOT, 'bin/tabtune.mjs'), 'tokenize', ...args], {
    input,
    encoding: 'utf8',
    cwd: REPO_ROOT,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function check(lines: FixtureLine[], stdout: string): void {
  const out = stdout.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l));
  expect(out.length).toBe(lines.length);
  lines.forEach((line, i) => {
    expect(Object.keys(out[i])).toEqual(['tokens', 'ids', 'offsets']);
    expect(out[i].tokens).toEqual(line.tokens);
    expect(out[i].ids).toEqual(line.ids);
    if (line.offsets !== null) expect(out[i].offsets).toEqual(line.offsets);
  });
}

describe('tabtune tokenize', () => {
  // The hand-picked edge cases (first 145 lines) and a few real sentences.
  const uncased = readJsonl<FixtureLine>('fixtures/tokenizer', 'uncased.jsonl').slice(0, 160);
  const cased = readJsonl<FixtureLine>('fixtures/tokenizer', 'cased-mode.jsonl').slice(0, 160);
  const stdin = (lines: FixtureLine[]) => lines.map((l) => JSON.stringify(l.text)).join('\n') + '\n';

  it('tokenizes uncased fixture lines with vocab.txt', () => {
    const r = tabtune(['--vocab', VOCAB], stdin(uncased));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    check(uncased, r.stdout);
  });

  it('tokenizes cased-mode fixture lines with --no-lower-case', () => {
    const r = tabtune(['--vocab', VOCAB, '--no-lower-case'], stdin(cased));
    expect(r.code).toBe(0);
    check(cased, r.stdout);
  });

  it('accepts a tokenizer.json as --vocab and --max-chars-per-word', () => {
    const v: Record<string, number> = {};
    readShared('fixtures/vocab/bert-base-uncased.txt').split('\n').forEach((t, i) => t !== '' && (v[t] = i));
    const dir = mkdtempSync(join(tmpdir(), 'tabtune-tok-'));
    const file = join(dir, 'tokenizer.json');
    writeFileSync(file, JSON.stringify({
      normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
      pre_tokenizer: { type: 'BertPreTokenizer' },
      model: { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 200, vocab: v },
    }));
    const r = tabtune(['--vocab', file], stdin(uncased));
    expect(r.code).toBe(0);
    check(uncased, r.stdout);
    const short = tabtune(['--vocab', file, '--max-chars-per-word', '5'], '"unaffable hello"\n');
    expect(JSON.parse(short.stdout)).toEqual({ tokens: ['[UNK]', 'hello'], ids: [100, 7592], offsets: [[0, 9], [10, 15]] });
  });

  it('names stdin and the line of a bad input and exits non-zero', () => {
    const r = tabtune(['--vocab', VOCAB], '"fine"\nnot json\n"never reached"\n');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('stdin, line 2');
    expect(r.stderr).toContain('expected one JSON string per line');
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    const n = tabtune(['--vocab', VOCAB], '"a"\n"b"\n42\n');
    expect(n.code).toBe(1);
    expect(n.stderr).toContain('stdin, line 3: got a JSON number');
  });

  it('names a bad vocabulary file; usage errors exit 2', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tabtune-tok-'));
    const bad = join(dir, 'vocab.txt');
    writeFileSync(bad, '[PAD]\n[UNK]\nhello\n');
    const r = tabtune(['--vocab', bad], '"x"\n');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${bad}: the vocabulary lacks [CLS], [SEP]`);
    expect(tabtune([], '"x"\n').code).toBe(2);
    expect(tabtune(['--vocab', VOCAB, '--max-chars-per-word', 'many'], '"x"\n').code).toBe(2);
  });
});
