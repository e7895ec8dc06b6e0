/**
 * Snappy block decompression (the raw format LevelDB/TensorFlow tables use, not the framed one):
 * a varint uncompressed length, then literals and back-references (copies with 1, 2 or 4 byte offsets).
 */
export class SnappyError extends Error {}

/**
 * The most output one input byte can make: a 2-byte-offset copy (3 bytes) writes 64. A declared
 * length beyond this many times the input cannot be honest, so it is refused before allocating.
 */
export const SNAPPY_MAX_RATIO = 22;

/** `maxLength`: refuse a declared length above it (the caller's bound), besides the ratio bound. */
export function snappyUncompress(src: Uint8Array, maxLength = Number.MAX_SAFE_INTEGER): Uint8Array {
  let pos = 0;
  let len = 0;
  for (let shift = 0; ; shift += 7) {
    if (pos >= src.byteLength || shift > 28) throw new SnappyError('bad uncompressed length');
    const b = src[pos++];
    len += (b & 0x7f) * 2 ** shift;
    if (!(b & 0x80)) break;
  }
  if (len > src.byteLength * SNAPPY_MAX_RATIO || len > maxLength) {
    throw new SnappyError(`declared length ${len} cannot come from ${src.byteLength} compressed bytes${len > maxLength ? ` (limit ${maxLength})` : ''}`);
  }
  const out = new Uint8Array(len);
  let o = 0;
  while (pos < src.byteLength) {
    const tag = src[pos++];
    const type = tag & 3;
    if (type === 0) {
      let n = tag >>> 2;
      if (n >= 60) {
        const extra = n - 59;
        if (pos + extra > src.byteLength) throw new SnappyError('literal length runs past the input');
        n = 0;
        for (let i = 0; i < extra; i++) n += src[pos + i] * 2 ** (8 * i);
        pos += extra;
      }
      n += 1;
      if (pos + n > src.byteLength || o + n > len) throw new SnappyError('literal runs past the input or output');
      out.set(src.subarray(pos, pos + n), o);
      pos += n;
      o += n;
      continue;
    }
    let n: number;
    let offset: number;
    if (type === 1) {
      if (pos >= src.byteLength) throw new SnappyError('copy runs past the input');
      n = 4 + ((tag >>> 2) & 7);
      offset = ((tag >>> 5) << 8) | src[pos++];
    } else if (type === 2) {
      if (pos + 2 > src.byteLength) throw new SnappyError('copy runs past the input');
      n = 1 + (tag >>> 2);
      offset = src[pos] | (src[pos + 1] << 8);
      pos += 2;
    } else {
      if (pos + 4 > src.byteLength) throw new SnappyError('copy runs past the input');
      n = 1 + (tag >>> 2);
      offset = (src[pos] | (src[pos + 1] << 8) | (src[pos + 2] << 16) | (src[pos + 3] << 24)) >>> 0;
      pos += 4;
    }
    if (offset === 0 || offset > o || o + n > len) throw new SnappyError(`bad copy (offset ${offset}, length ${n}) at output byte ${o}`);
    // Byte by byte: copies may overlap their own output (run-length style).
    for (let i = 0; i < n; i++, o++) out[o] = out[o - offset];
  }
  if (o !== len) throw new SnappyError(`decoded ${o} bytes, header says ${len}`);
  return out;
}
