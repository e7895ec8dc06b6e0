/**
 * Reads a zip archive's directory from a ByteSource by slices (end-of-central-directory record,
 * zip64 when present, central directory), then one entry at a time: stored entries are a plain
 * slice of the file (no copy of the archive), deflated ones are inflated with fflate.
 */
import { inflateSync } from 'fflate';
import { TabtuneError } from '../errors';
import type { ByteSource } from './safetensors';

export interface ZipEntry {
  name: string;
  /** 0 stored, 8 deflate. */
  method: number;
  compressedSize: number;
  size: number;
  /** Offset of the local file header. */
  localOffset: number;
}

export interface ZipReader {
  readonly file: string;
  readonly entries: Map<string, ZipEntry>;
  /** The entry's uncompressed bytes, or a sub-range [begin, end) of them (stored entries only read that slice). */
  read(entry: ZipEntry, begin?: number, end?: number): Promise<Uint8Array>;
}

const EOCD = 0x06054b50;
const EOCD64 = 0x06064b50;
const EOCD64_LOCATOR = 0x07064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

/**
 * Deflated entries may declare at most this many times their compressed size (or 1 MiB, for
 * small all-zero tensors). torch.save stores its entries uncompressed; a re-zipped checkpoint's
 * float weights deflate by ~1.1x. A declared size beyond this is a zip bomb and is refused before
 * anything is inflated; inflating writes into a buffer of the declared size, never past it.
 */
export const ZIP_MAX_INFLATE_RATIO = 16;
const ZIP_SMALL_ENTRY = 1 << 20;

function bad(file: string, problem: string, location?: string): TabtuneError {
  return new TabtuneError(problem, { file, location, expected: 'a zip archive (torch.save format)', code: 'zip-format' });
}

export async function openZip(src: ByteSource): Promise<ZipReader> {
  const file = src.name;
  if (src.size < 22) throw bad(file, `file of ${src.size} bytes is too short for a zip archive`, 'end of file');
  const tailStart = Math.max(0, src.size - 65557);
  const tail = await src.read(tailStart, src.size);
  const tv = new DataView(tail.buffer, tail.byteOffset, tail.byteLength);
  let eocd = -1;
  for (let i = tail.byteLength - 22; i >= 0; i--) {
    if (tv.getUint32(i, true) === EOCD) { eocd = i; break; }
  }
  if (eocd < 0) throw bad(file, 'no end-of-central-directory record', `last ${tail.byteLength} bytes`);
  let count = tv.getUint16(eocd + 10, true);
  let cdSize = tv.getUint32(eocd + 12, true);
  let cdOffset = tv.getUint32(eocd + 16, true);
  if ((count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) && eocd >= 20 && tv.getUint32(eocd - 20, true) === EOCD64_LOCATOR) {
    const recOffset = Number(tv.getBigUint64(eocd - 20 + 8, true));
    if (recOffset + 56 > src.size) throw bad(file, 'zip64 record points past the end of the file', 'zip64 locator');
    const rec = await src.read(recOffset, recOffset + 56);
    const rv = new DataView(rec.buffer, rec.byteOffset, rec.byteLength);
    if (rv.getUint32(0, true) !== EOCD64) throw bad(file, 'bad zip64 end-of-central-directory record', `byte ${recOffset}`);
    count = Number(rv.getBigUint64(32, true));
    cdSize = Number(rv.getBigUint64(40, true));
    cdOffset = Number(rv.getBigUint64(48, true));
  }
  if (cdOffset + cdSize > src.size) throw bad(file, `central directory [${cdOffset}, ${cdOffset + cdSize}) runs past the end of the file (${src.size} bytes)`, 'end-of-central-directory record');
  const cd = await src.read(cdOffset, cdOffset + cdSize);
  const cv = new DataView(cd.buffer, cd.byteOffset, cd.byteLength);
  const dec = new TextDecoder();
  const entries = new Map<string, ZipEntry>();
  let p = 0;
  for (let i = 0; i < count; i++) {
    if (p + 46 > cd.byteLength || cv.getUint32(p, true) !== CENTRAL) throw bad(file, `central directory entry ${i} is damaged`, `byte ${cdOffset + p}`);
    const method = cv.getUint16(p + 10, true);
    let compressedSize = cv.getUint32(p + 20, true);
    let size = cv.getUint32(p + 24, true);
    const nameLen = cv.getUint16(p + 28, true);
    const extraLen = cv.getUint16(p + 30, true);
    const commentLen = cv.getUint16(p + 32, true);
    let localOffset = cv.getUint32(p + 42, true);
    const name = dec.decode(cd.subarray(p + 46, p + 46 + nameLen));
    // zip64 extended information: the 64-bit values of the fields that read 0xffffffff, in order.
    let e = p + 46 + nameLen;
    const extraEnd = e + extraLen;
    if (extraEnd + commentLen > cd.byteLength) throw bad(file, `central directory entry ${i} runs past the directory`, `entry ${JSON.stringify(name.slice(0, 80))}`);
    while (e + 4 <= extraEnd) {
      const id = cv.getUint16(e, true);
      const len = cv.getUint16(e + 2, true);
      if (id === 0x0001) {
        let q = e + 4;
        const u64 = () => {
          if (q + 8 > Math.min(e + 4 + len, extraEnd)) throw bad(file, 'zip64 field is cut short', `entry ${JSON.stringify(name.slice(0, 80))}`);
          const v = Number(cv.getBigUint64(q, true));
          q += 8;
          return v;
        };
        if (size === 0xffffffff) size = u64();
        if (compressedSize === 0xffffffff) compressedSize = u64();
        if (localOffset === 0xffffffff) localOffset = u64();
      }
      e += 4 + len;
    }
    if (method !== 0 && method !== 8) throw bad(file, `uses compression method ${method}`, `entry ${JSON.stringify(name.slice(0, 80))}`);
    if (localOffset + 30 + compressedSize > src.size) throw bad(file, 'runs past the end of the file', `entry ${JSON.stringify(name.slice(0, 80))}`);
    if (method === 0 && size !== compressedSize) throw bad(file, `stored entry declares ${size} bytes but holds ${compressedSize}`, `entry ${JSON.stringify(name.slice(0, 80))}`);
    if (method === 8 && size > Math.max(ZIP_SMALL_ENTRY, compressedSize * ZIP_MAX_INFLATE_RATIO)) {
      throw bad(file, `entry ${name} would inflate ${compressedSize} bytes to ${size}, more than ${ZIP_MAX_INFLATE_RATIO} times (a zip bomb?); refused before inflating`, `entry ${JSON.stringify(name.slice(0, 80))}`);
    }
    entries.set(name, { name, method, compressedSize, size, localOffset });
    p = extraEnd + commentLen;
  }

  const dataStart = new Map<string, number>();
  const locate = async (entry: ZipEntry): Promise<number> => {
    const known = dataStart.get(entry.name);
    if (known !== undefined) return known;
    const h = await src.read(entry.localOffset, entry.localOffset + 30);
    const hv = new DataView(h.buffer, h.byteOffset, h.byteLength);
    if (h.byteLength < 30 || hv.getUint32(0, true) !== LOCAL) throw bad(file, 'local header is damaged', `entry ${entry.name}`);
    const start = entry.localOffset + 30 + hv.getUint16(26, true) + hv.getUint16(28, true);
    if (start + entry.compressedSize > src.size) throw bad(file, 'runs past the end of the file', `entry ${entry.name}`);
    dataStart.set(entry.name, start);
    return start;
  };

  return {
    file,
    entries,
    async read(entry, begin = 0, end = entry.size) {
      if (begin < 0 || end > entry.size || begin > end) {
        throw bad(file, `range [${begin}, ${end}) is outside the entry's ${entry.size} bytes`, `entry ${entry.name}`);
      }
      const start = await locate(entry);
      if (entry.method === 0) return src.read(start + begin, start + end);
      const packed = await src.read(start, start + entry.compressedSize);
      let out: Uint8Array;
      try {
        out = inflateSync(packed, { out: new Uint8Array(entry.size) });
      } catch (err) {
        throw bad(file, `does not inflate (${(err as Error).message})`, `entry ${entry.name}`);
      }
      if (out.byteLength !== entry.size) throw bad(file, `inflates to ${out.byteLength} bytes, not the ${entry.size} it declares`, `entry ${entry.name}`);
      return out.subarray(begin, end);
    },
  };
}
