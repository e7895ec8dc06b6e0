/** Test helper: the bert-base-uncased tokenizer from ../shared/fixtures (loaded once per test file). */
import { createTokenizer, parseVocab } from '../core/tokenizer';
import type { Tokenizer } from '../core/tokenizer';
import { readShared } from './shared';

let cached: Tokenizer | undefined;

export function uncasedTokenizer(): Tokenizer {
  cached ??= createTokenizer(parseVocab(readShared('fixtures/vocab/bert-base-uncased.txt'), 'bert-base-uncased.txt'), { doLowerCase: true });
  return cached;
}
