/**
 * The tokenizer's public surface. Implementation: the stages in this folder
 * (normalize -> pre-tokenize -> WordPiece -> post-process), assembled by `createTokenizer`.
 */

/** One tokenized string: WordPiece tokens, their ids, and UTF-16 [start, end) offsets into the input. */
export interface Encoding {
  tokens: string[];
  ids: number[];
  offsets: Array<[number, number]>;
}

export interface Vocab {
  /** Token -> id (line index of vocab.txt). */
  readonly tokenToId: ReadonlyMap<string, number>;
  /** id -> token. */
  readonly idToToken: readonly string[];
  readonly size: number;
}

export interface TokenizerOptions {
  /** google-research/bert's do_lower_case (lower-case + strip accents). Default true. */
  doLowerCase?: boolean;
  /** Words longer than this become [UNK]. Google's default 200. */
  maxInputCharsPerWord?: number;
  /** Split CJK ideographs into single characters (Google: always). Default true. */
  tokenizeChineseChars?: boolean;
  unkToken?: string;
  /** Accent stripping (NFD, drop Mn). Default: follows doLowerCase (Hugging Face's strip_accents: null). */
  stripAccents?: boolean;
  /** _clean_text: drop NUL, U+FFFD and control characters, whitespace -> ' '. Default true. */
  cleanText?: boolean;
  /** Prefix of continuation pieces. Default '##'. */
  continuingSubwordPrefix?: string;
}

/** google-research/bert's FullTokenizer (BasicTokenizer + WordpieceTokenizer). */
export interface Tokenizer {
  readonly vocab: Vocab;
  readonly doLowerCase: boolean;
  readonly clsId: number;
  readonly sepId: number;
  readonly padId: number;
  readonly unkId: number;
  /** FullTokenizer.tokenize with offsets (no [CLS]/[SEP]). */
  encode(text: string): Encoding;
  /** FullTokenizer.tokenize: the WordPiece tokens only. */
  tokenize(text: string): string[];
  /** BasicTokenizer.tokenize (used by SQuAD's get_final_text). */
  basicTokenize(text: string): string[];
  convertTokensToIds(tokens: readonly string[]): number[];
  convertIdsToTokens(ids: readonly number[]): string[];
}
