/**
 * `tabtune tokenize --vocab FILE [--no-lower-case] [--max-chars-per-word N]`
 * stdin: one JSON string per line. stdout: one line each,
 * {"tokens":[...],"ids":[...],"offsets":[[start,end],...]} (no [CLS]/[SEP]; UTF-16 offsets
 * into the input string, end exclusive). FILE is vocab.txt or a Hugging Face tokenizer.json.
 */
import { createInterface } from 'node:readline';
import { TabtuneError } from '../../core/errors';
import type { TokenizerOptions } from '../../core/tokenizer';
import { loadTokenizerFile } from '../tokenizer-file';
import { intFlag, parseFlags, requireFlag } from '../args';

const HELP = `usage: tabtune tokenize --vocab FILE [--no-lower-case] [--max-chars-per-word N]

Reads one JSON string per line on stdin and writes one JSON line per input:
  {"tokens":[...],"ids":[...],"offsets":[[start,end],...]}
(google-research/bert's FullTokenizer, no [CLS]/[SEP]; offsets are UTF-16 indices, end exclusive).

  --vocab FILE              vocab.txt (one token per line) or a Hugging Face tokenizer.json
  --no-lower-case           keep case and accents (cased models); overrides tokenizer.json
  --max-chars-per-word N    longer words become [UNK] (default 200, or tokenizer.json's value)
`;

function parseLine(line: string, lineNo: number): string {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (e) {
    throw new TabtuneError(`not valid JSON (${(e as Error).message})`, {
      file: 'stdin',
      location: `line ${lineNo}`,
      expected: 'one JSON string per line, e.g. "Hello world"',
      code: 'tokenize-input',
    });
  }
  if (typeof value !== 'string') {
    throw new TabtuneError(`got a JSON ${value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value}`, {
      file: 'stdin',
      location: `line ${lineNo}`,
      expected: 'one JSON string per line, e.g. "Hello world"',
      code: 'tokenize-input',
    });
  }
  return value;
}

export async function run(argv: string[]): Promise<number> {
  const flags = parseFlags(
    argv,
    {
      vocab: { type: 'string' },
      'no-lower-case': { type: 'boolean' },
      'max-chars-per-word': { type: 'string' },
    },
    HELP,
  );
  const file = requireFlag(flags.vocab, 'vocab');
  const options: TokenizerOptions = {};
  if (flags['no-lower-case']) options.doLowerCase = false;
  if (flags['max-chars-per-word'] !== undefined) {
    options.maxInputCharsPerWord = intFlag(flags['max-chars-per-word'], 'max-chars-per-word', undefined, { min: 1, max: 1_000_000 });
  }
  const tokenizer = loadTokenizerFile(file, options);

  const out = process.stdout;
  let pending: string[] = [];
  let pendingChars = 0;
  const flush = async (): Promise<void> => {
    if (pending.length === 0) return;
    const chunk = pending.join('');
    pending = [];
    pendingChars = 0;
    if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  };

  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  let lineNo = 0;
  try {
    for await (const line of lines) {
      lineNo++;
      const text = parseLine(lineNo === 1 && line.charCodeAt(0) === 0xfeff ? line.slice(1) : line, lineNo);
      const enc = tokenizer.encode(text);
      const json = `{"tokens":${JSON.stringify(enc.tokens)},"ids":${JSON.stringify(enc.ids)},"offsets":${JSON.stringify(enc.offsets)}}\n`;
      pending.push(json);
      pendingChars += json.length;
      if (pendingChars > 1 << 16) await flush();
    }
  } finally {
    lines.close();
    await flush();
  }
  return 0;
}
