/**
 * Stage 4, post-processing: turns WordPiece output (ids and spans in normalized units) into an
 * Encoding whose offsets are UTF-16 [start, end) ranges of the ORIGINAL text: a piece starts
 * where its first normalized unit's source character starts and ends where its last one's ends.
 */
import type { NormalizedText } from './normalize';
import type { Encoding } from './types';
import type { PieceBuffer } from './wordpiece';

export function toEncoding(n: NormalizedText, pieces: PieceBuffer, idToToken: readonly string[]): Encoding {
  const count = pieces.count;
  const tokens = new Array<string>(count);
  const ids = new Array<number>(count);
  const offsets = new Array<[number, number]>(count);
  const pIds = pieces.ids;
  const spans = pieces.spans;
  const origStart = n.origStart;
  const origEnd = n.origEnd;
  for (let t = 0; t < count; t++) {
    const id = pIds[t];
    ids[t] = id;
    tokens[t] = idToToken[id];
    offsets[t] = [origStart[spans[t * 2]], origEnd[spans[t * 2 + 1] - 1]];
  }
  return { tokens, ids, offsets };
}
