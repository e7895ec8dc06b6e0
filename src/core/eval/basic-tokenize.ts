/**
 * google-research/bert's BasicTokenizer on its own (no vocabulary), as get_final_text uses it:
 * the tokenizer module's basicTokenize, which never reads the vocabulary, on a stub vocabulary
 * holding only the special tokens the factory checks for.
 */
import { createTokenizer, vocabFromTokens } from '../tokenizer';
import type { BasicTokenize } from './squad-final-text';

const SPECIALS_ONLY = vocabFromTokens(['[PAD]', '[UNK]', '[CLS]', '[SEP]']);

export function createBasicTokenize(doLowerCase: boolean): BasicTokenize {
  const tokenizer = createTokenizer(SPECIALS_ONLY, { doLowerCase });
  return (text) => tokenizer.basicTokenize(text);
}
