/**
 * A user's own CSV (four reviews; id, review, title and sentiment columns) beside the tiny-uncased
 * fixture folder, as session files: the drop the mapped-column tests start from.
 */
import { bytesSource } from '../core/io';
import type { SessionFile } from '../core/session';
import { readSharedBytes } from './shared';

export const REVIEWS_CSV = [
  'id,review,title,sentiment',
  '1,a wonderful warm film,great,positive',
  '2,dull and far too long,meh,negative',
  '3,the actors shine throughout,good,positive',
  '4,i wanted my evening back,bad,negative',
].join('\n') + '\n';

export function reviewsCsvDrop(): SessionFile[] {
  return ([
    ['m/config.json', readSharedBytes('fixtures', 'model', 'tiny-uncased', 'config.json')],
    ['m/model.safetensors', readSharedBytes('fixtures', 'model', 'tiny-uncased', 'model.safetensors')],
    ['m/vocab.txt', readSharedBytes('fixtures', 'vocab', 'bert-base-uncased.txt')],
    ['train.csv', new TextEncoder().encode(REVIEWS_CSV)],
  ] as Array<[string, Uint8Array]>).map(([path, bytes]) => ({ path, source: bytesSource(bytes, path) }));
}
