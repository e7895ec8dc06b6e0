/** The CLI's vocabulary argument: a vocab.txt or a Hugging Face tokenizer.json on disk. */
import { readFileSync } from 'node:fs';
import { TabtuneError } from '../core/errors';
import { tokenizerFromBytes, type Tokenizer, type TokenizerOptions } from '../core/tokenizer';

export function loadTokenizerFile(file: string, options: TokenizerOptions): Tokenizer {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(file));
  } catch (e) {
    throw new TabtuneError(`cannot read the vocabulary (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, {
      file,
      expected: 'a readable vocab.txt or tokenizer.json',
      code: 'vocab-read',
    });
  }
  return tokenizerFromBytes(bytes, file, options);
}
