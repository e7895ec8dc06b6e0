/**
 * Tokenizer -> Hugging Face tokenizer.json of the BERT WordPiece kind (the reverse of
 * hf-json.ts), as `BertTokenizerFast` saves it: BertNormalizer (clean_text, Chinese characters,
 * lowercase = do_lower_case, strip_accents following it), BertPreTokenizer, WordPiece with the
 * vocabulary and Google's max_input_chars_per_word, [CLS] A [SEP] (B [SEP]) post-processing with
 * segment ids 0 / 1, the special tokens as added tokens, and the WordPiece decoder.
 * transformers.js and Hugging Face `tokenizers` load it as they are.
 */
import { TabtuneError } from '../errors';
import { DEFAULT_MAX_INPUT_CHARS_PER_WORD } from './tokenizer';
import type { Vocab } from './types';

export interface HfTokenizerJsonInput {
  vocab: Vocab;
  doLowerCase: boolean;
  maxInputCharsPerWord?: number;
}

const SPECIALS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];

export function hfTokenizerJson(input: HfTokenizerJsonInput): Record<string, unknown> {
  const { vocab } = input;
  const id = (t: string): number => {
    const i = vocab.tokenToId.get(t);
    if (i === undefined) throw new TabtuneError(`the vocabulary has no ${t}`, { file: 'vocab.txt', expected: `the BERT special tokens ${SPECIALS.join(' ')}`, code: 'export-tokenizer' });
    return i;
  };
  const map: Record<string, number> = Object.create(null) as Record<string, number>;
  vocab.idToToken.forEach((t, i) => {
    if (Object.prototype.hasOwnProperty.call(map, t)) {
      throw new TabtuneError(`token ${JSON.stringify(t)} appears twice (ids ${map[t]} and ${i})`, { file: 'vocab.txt', location: `line ${i + 1}`, expected: 'each token once (tokenizer.json maps tokens to ids)', code: 'export-tokenizer' });
    }
    map[t] = i;
  });
  const special = (t: string, typeId: number) => ({ SpecialToken: { id: t, type_id: typeId } });
  const seq = (s: 'A' | 'B', typeId: number) => ({ Sequence: { id: s, type_id: typeId } });
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: SPECIALS.filter((t) => vocab.tokenToId.has(t))
      .map((t) => ({ id: id(t), content: t, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true }))
      .sort((a, b) => a.id - b.id),
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: input.doLowerCase },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [special('[CLS]', 0), seq('A', 0), special('[SEP]', 0)],
      pair: [special('[CLS]', 0), seq('A', 0), special('[SEP]', 0), seq('B', 1), special('[SEP]', 1)],
      special_tokens: {
        '[CLS]': { id: '[CLS]', ids: [id('[CLS]')], tokens: ['[CLS]'] },
        '[SEP]': { id: '[SEP]', ids: [id('[SEP]')], tokens: ['[SEP]'] },
      },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: '[UNK]',
      continuing_subword_prefix: '##',
      max_input_chars_per_word: input.maxInputCharsPerWord ?? DEFAULT_MAX_INPUT_CHARS_PER_WORD,
      vocab: map,
    },
  };
}
