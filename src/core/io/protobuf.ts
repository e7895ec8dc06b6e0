/**
 * A minimal protocol-buffers wire-format reader: enough to decode TensorFlow's BundleHeaderProto
 * and BundleEntryProto. Varints are read as JS numbers (exact below 2^53, which covers every offset).
 */
export class ProtobufError extends Error {}

export interface ProtoField {
  field: number;
  /** 0 varint, 1 fixed64, 2 length-delimited, 5 fixed32. */
  wire: 0 | 1 | 2 | 5;
  /** varint / fixed32 / fixed64 value (wire 0, 1, 5). */
  num: number;
  /** Payload (wire 2). */
  bytes: Uint8Array;
}

/** Reads a varint at `pos`; returns [value, next position]. */
export function readVarint(buf: Uint8Array, pos: number): [number, number] {
  let v = 0;
  for (let shift = 0; ; shift += 7) {
    if (pos >= buf.byteLength) throw new ProtobufError('varint runs past the end');
    if (shift > 63) throw new ProtobufError('varint longer than 10 bytes');
    const b = buf[pos++];
    v += (b & 0x7f) * 2 ** shift;
    if (!(b & 0x80)) return [v, pos];
  }
}

export function* protoFields(buf: Uint8Array): Generator<ProtoField> {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const empty = new Uint8Array(0);
  let pos = 0;
  while (pos < buf.byteLength) {
    const [key, p] = readVarint(buf, pos);
    pos = p;
    const field = Math.floor(key / 8);
    const wire = key % 8;
    if (wire === 0) {
      const [v, q] = readVarint(buf, pos);
      pos = q;
      yield { field, wire, num: v, bytes: empty };
    } else if (wire === 1) {
      if (pos + 8 > buf.byteLength) throw new ProtobufError('fixed64 runs past the end');
      const v = Number(view.getBigUint64(pos, true));
      pos += 8;
      yield { field, wire, num: v, bytes: empty };
    } else if (wire === 2) {
      const [len, q] = readVarint(buf, pos);
      if (q + len > buf.byteLength) throw new ProtobufError(`field ${field} of ${len} bytes runs past the end`);
      pos = q + len;
      yield { field, wire, num: 0, bytes: buf.subarray(q, q + len) };
    } else if (wire === 5) {
      if (pos + 4 > buf.byteLength) throw new ProtobufError('fixed32 runs past the end');
      const v = view.getUint32(pos, true);
      pos += 4;
      yield { field, wire, num: v, bytes: empty };
    } else {
      throw new ProtobufError(`unsupported wire type ${wire} for field ${field}`);
    }
  }
}
