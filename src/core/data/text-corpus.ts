/**
 * Plain-text corpus for masked-LM pre-training, read as google-research/bert's
 * create_pretraining_data.py reads its input files:
 *   - one sentence per line (each line stripped, then WordPiece-tokenized);
 *   - blank lines between documents;
 *   - lines that tokenize to nothing are dropped, empty documents removed;
 *   - several files are one corpus (documents never span two files).
 * The output is token ids per sentence per document (what mlm-masking.ts packs and masks).
 */
import { TabtuneError } from '../errors';
import type { Tokenizer } from '../tokenizer/types';
import { readLines, type DataSource } from './source';
import type { ProgressCallback } from './types';

export interface TextCorpus {
  /** documents[d][s]: the WordPiece ids of sentence s of document d (no [CLS]/[SEP]). */
  documents: Int32Array[][];
  /** Token count over all sentences. */
  tokens: number;
  /** Non-empty lines read. */
  sentences: number;
  /** Per file: name, documents and sentences kept. */
  files: { name: string; documents: number; sentences: number }[];
}

/** Reads one or more sources into one corpus. */
export async function readTextCorpus(sources: DataSource | DataSource[], tokenizer: Tokenizer, onProgress?: ProgressCallback): Promise<TextCorpus> {
  const list = Array.isArray(sources) ? sources : [sources];
  const corpus: TextCorpus = { documents: [], tokens: 0, sentences: 0, files: [] };
  for (const source of list) {
    const before = { documents: corpus.documents.length, sentences: corpus.sentences };
    let current: Int32Array[] = [];
    const close = () => {
      if (current.length > 0) corpus.documents.push(current);
      current = [];
    };
    for await (const line of readLines(source, onProgress)) {
      const text = line.text.trim();
      if (text === '') {
        close();
        continue;
      }
      const ids = Int32Array.from(tokenizer.convertTokensToIds(tokenizer.tokenize(text)));
      if (ids.length === 0) continue;
      current.push(ids);
      corpus.tokens += ids.length;
      corpus.sentences += 1;
    }
    close();
    const documents = corpus.documents.length - before.documents;
    if (documents === 0) {
      throw new TabtuneError('holds no text to train on (every line is blank or tokenizes to nothing)', { file: source.name, expected: 'one sentence per line, blank lines between documents', code: 'corpus-empty' });
    }
    corpus.files.push({ name: source.name, documents, sentences: corpus.sentences - before.sentences });
  }
  return corpus;
}
