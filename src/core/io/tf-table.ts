/**
 * The LevelDB-style sorted table TensorFlow uses for a checkpoint's `.index` file:
 *   [data block][trailer]... [metaindex block][trailer] [index block][trailer] [footer: 48 bytes]
 * footer = metaindex handle + index handle (varint offset, varint size each), zero padding to
 * 40 bytes, then the magic 0xdb4775248b80fb57 (little-endian). Each block is followed by a
 * 5-byte trailer: compression type (0 none, 1 Snappy) and the masked CRC-32C of block + type.
 * A block is a run of entries (shared key bytes, non-shared bytes, value length as varints,
 * then key suffix and value) with restart points (uint32 each, then their count) at its end.
 */
import { TabtuneError } from '../errors';
import { crc32c, unmaskCrc } from './crc32c';
import { readVarint, ProtobufError } from './protobuf';
import { snappyUncompress, SnappyError } from './snappy';

const FOOTER = 48;
const MAGIC_LO = 0x8b80fb57;
const MAGIC_HI = 0xdb477524;

export interface TableEntry {
  key: string;
  value: Uint8Array;
}

export interface TableInfo {
  entries: TableEntry[];
  /** Compression of the data blocks: 'none', 'snappy' or 'mixed'. */
  compression: 'none' | 'snappy' | 'mixed';
  dataBlocks: number;
}

/** Reads every key/value of a whole `.index` file held in memory. */
export function readTable(bytes: Uint8Array, file: string): TableInfo {
  const fail = (problem: string, location?: string): never => {
    throw new TabtuneError(problem, { file, location, expected: 'a TensorFlow checkpoint index (.index, tensor-bundle table)', code: 'tf-index' });
  };
  if (bytes.byteLength < FOOTER) fail(`file of ${bytes.byteLength} bytes is shorter than the 48-byte table footer (truncated?)`, 'footer');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const f = bytes.byteLength - FOOTER;
  const lo = view.getUint32(f + 40, true);
  const hi = view.getUint32(f + 44, true);
  if (lo !== MAGIC_LO || hi !== MAGIC_HI) {
    fail(`footer magic is 0x${hi.toString(16).padStart(8, '0')}${lo.toString(16).padStart(8, '0')}, not 0xdb4775248b80fb57 (truncated or not a checkpoint index)`, 'footer');
  }
  const dec = new TextDecoder();
  // Prefix compression lets a few bytes repeat a long key many times, and an index may point at
  // one block many times: bound what all blocks and keys decode to by the file's size.
  const maxKeyBytes = bytes.byteLength * 64 + 65536;
  let keyBytes = 0;
  let blockBytes = 0;
  const footer = bytes.subarray(f, f + 40);
  let handles: number[];
  try {
    let p = 0;
    handles = [];
    for (let i = 0; i < 4; i++) {
      const [v, q] = readVarint(footer, p);
      handles.push(v);
      p = q;
    }
  } catch (e) {
    return fail(`footer block handles are damaged (${(e as Error).message})`, 'footer');
  }
  let compression: 'none' | 'snappy' | undefined;
  let mixed = false;

  const block = (offset: number, size: number, what: string): Uint8Array => {
    if (offset + size + 5 > f) fail(`[${offset}, ${offset + size + 5}) runs past the table end at byte ${f} (truncated?)`, what);
    blockBytes += size;
    if (blockBytes > maxKeyBytes) fail(`blocks read more than ${maxKeyBytes} bytes in all, far more than a ${bytes.byteLength}-byte index holds`, what);
    const contents = bytes.subarray(offset, offset + size);
    const type = bytes[offset + size];
    const stored = view.getUint32(offset + size + 1, true);
    const actual = crc32c(bytes.subarray(offset, offset + size + 1));
    if (unmaskCrc(stored) !== actual) fail(`fails its CRC-32C check (stored ${unmaskCrc(stored).toString(16)}, computed ${actual.toString(16)}): the file is corrupt`, what);
    if (type === 0) return contents;
    if (type === 1) {
      try {
        const out = snappyUncompress(contents, maxKeyBytes - blockBytes);
        blockBytes += out.byteLength;
        return out;
      } catch (e) {
        if (e instanceof SnappyError) return fail(`is not valid Snappy (${e.message})`, what);
        throw e;
      }
    }
    return fail(`has compression type ${type}`, what);
  };
  const blockType = (offset: number, size: number): 'none' | 'snappy' => (bytes[offset + size] === 1 ? 'snappy' : 'none');

  const entriesOf = (b: Uint8Array, what: string): TableEntry[] => {
    if (b.byteLength < 4) fail('is too short for a restart count', what);
    const bv = new DataView(b.buffer, b.byteOffset, b.byteLength);
    const numRestarts = bv.getUint32(b.byteLength - 4, true);
    const end = b.byteLength - 4 - 4 * numRestarts;
    if (end < 0) fail(`claims ${numRestarts} restart points, more than fit`, what);
    const out: TableEntry[] = [];
    let key = new Uint8Array(0);
    let p = 0;
    try {
      while (p < end) {
        const [shared, p1] = readVarint(b, p);
        const [nonShared, p2] = readVarint(b, p1);
        const [valueLen, p3] = readVarint(b, p2);
        if (shared > key.byteLength || p3 + nonShared + valueLen > end) fail(`entry at byte ${p} is damaged`, what);
        keyBytes += shared + nonShared;
        if (keyBytes > maxKeyBytes) fail(`keys decode to more than ${maxKeyBytes} bytes, far more than a ${bytes.byteLength}-byte index holds`, what);
        const k = new Uint8Array(shared + nonShared);
        k.set(key.subarray(0, shared));
        k.set(b.subarray(p3, p3 + nonShared), shared);
        key = k;
        out.push({ key: dec.decode(k), value: b.subarray(p3 + nonShared, p3 + nonShared + valueLen) });
        p = p3 + nonShared + valueLen;
      }
    } catch (e) {
      if (e instanceof ProtobufError) fail(`entry at byte ${p} is damaged (${e.message})`, what);
      throw e;
    }
    return out;
  };

  const [, , indexOffset, indexSize] = handles;
  const indexEntries = entriesOf(block(indexOffset, indexSize, `index block at byte ${indexOffset}`), `index block at byte ${indexOffset}`);
  const entries: TableEntry[] = [];
  for (const ie of indexEntries) {
    let off: number, size: number;
    try {
      const [o, q] = readVarint(ie.value, 0);
      [size] = readVarint(ie.value, q);
      off = o;
    } catch (e) {
      return fail(`index entry ${JSON.stringify(ie.key)} has a damaged block handle`, 'index block');
    }
    const what = `data block at byte ${off}`;
    const t = blockType(off, size);
    if (compression && compression !== t) mixed = true;
    compression = t;
    entries.push(...entriesOf(block(off, size, what), what));
  }
  return { entries, compression: mixed ? 'mixed' : compression ?? 'none', dataBlocks: indexEntries.length };
}
