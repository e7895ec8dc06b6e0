import { describe, expect, it } from 'vitest';
import { recogniseFile as recogniseSource } from './files';
import { looksLikeWordPieceVocab } from '../io/detect';
import { bytesSource } from '../io/safetensors';
import { readShared, readSharedBytes } from '../../testing/shared';

const enc = new TextEncoder();
const buf = (b: Uint8Array) => b.slice().buffer as ArrayBuffer;
const recogniseFile = (path: string, data: ArrayBuffer) => recogniseSource(path, bytesSource(new Uint8Array(data), path));

describe('recogniseFile: vocabularies by content', () => {
  it('recognises bert-base-uncased.txt (not named vocab.txt) as the vocabulary with all its tokens', async () => {
    const bytes = readSharedBytes('fixtures', 'vocab', 'bert-base-uncased.txt');
    const tokens = readShared('fixtures', 'vocab', 'bert-base-uncased.txt').split('\n').filter((l) => l !== '').length;
    const f = await recogniseFile('models/bert-base-uncased.txt', buf(bytes));
    expect(f.report).toMatchObject({ kind: 'vocab', use: 'vocabulary', accepted: true });
    expect(f.report.description).toBe(`WordPiece vocabulary (${tokens.toLocaleString('en-US')} tokens)`);
  });

  it('recognises a vocabulary by its ## pieces even without special tokens in its head', () => {
    const lines = Array.from({ length: 200 }, (_, i) => (i % 4 === 0 ? `##p${i}` : `word${i}`));
    expect(looksLikeWordPieceVocab(enc.encode(lines.join('\n')))).toBe(true);
  });

  it('does not take prose or a table in a .txt for a vocabulary', async () => {
    expect(looksLikeWordPieceVocab(enc.encode('The cat sat on the mat.\nIt was [CLS] and [SEP] day.\nEnd of story.\n'))).toBe(false);
    expect(looksLikeWordPieceVocab(enc.encode('[CLS]\tx\n[SEP]\ty\n[UNK]\tz\n'))).toBe(false);
    expect(looksLikeWordPieceVocab(enc.encode('a\nb\nc\n'))).toBe(false);
    const notes = await recogniseFile('notes.txt', enc.encode('Just some notes\nabout the run\nnothing more\n').buffer as ArrayBuffer);
    // Prose is a masked-LM corpus, never a vocabulary.
    expect(notes.report).toMatchObject({ kind: 'text-corpus', accepted: true, use: 'train-data' });
  });
});
