/**
 * A tokenizer from the bytes of a dropped / named file: vocab.txt or a Hugging Face
 * tokenizer.json (recognised by a leading '{'). Bad files give a TabtuneError naming `file`.
 */
import { TabtuneError } from '../errors';
import { jsonErrorLocation } from '../data/json-error-position';
import { firstInvalidUtf8 } from '../data/source';
import { tokenizerFromHfJson } from './hf-json';
import { createTokenizer } from './tokenizer';
import type { Tokenizer, TokenizerOptions } from './types';
import { parseVocab } from './vocab';

/** Decodes UTF-8, refusing binary content. */
export function decodeTextFile(bytes: Uint8Array, file: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const at = firstInvalidUtf8(bytes);
    let line = 1;
    for (let i = bytes.indexOf(0x0a); i >= 0 && i < at; i = bytes.indexOf(0x0a, i + 1)) line++;
    throw new TabtuneError(`the file is binary or not UTF-8 text (byte 0x${(bytes[at] ?? 0).toString(16).padStart(2, '0')} at byte ${at} is not valid UTF-8)`, {
      file,
      location: `line ${line}, byte ${at}`,
      expected: 'a UTF-8 text file (vocab.txt, one token per line, or tokenizer.json)',
      code: 'vocab-binary',
    });
  }
}

/** `options` override the settings read from a tokenizer.json; for vocab.txt they are the settings. */
export function tokenizerFromBytes(bytes: Uint8Array, file: string, options: TokenizerOptions = {}): Tokenizer {
  const text = decodeTextFile(bytes, file);
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{')) {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      throw new TabtuneError(`not valid JSON (${(e as Error).message})`, {
        file,
        location: jsonErrorLocation(text, (e as Error).message),
        expected: 'a Hugging Face tokenizer.json',
        code: 'tokenizer-json',
      });
    }
    return tokenizerFromHfJson(json, file, options);
  }
  const vocab = parseVocab(text, file, options.unkToken ?? '[UNK]');
  return createTokenizer(vocab, options);
}
