/** The WordPiece tokenizer: google-research/bert's FullTokenizer with offsets. */
export type { Encoding, Tokenizer, TokenizerOptions, Vocab } from './types';
export { createTokenizer, DEFAULT_MAX_INPUT_CHARS_PER_WORD } from './tokenizer';
export { parseVocab, vocabFromTokens } from './vocab';
export { tokenizerFromHfJson } from './hf-json';
export { tokenizerFromBytes, decodeTextFile } from './load';
