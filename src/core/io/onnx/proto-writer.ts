/**
 * A minimal protocol-buffers wire-format writer (the counterpart of ../protobuf.ts): enough to
 * encode ONNX's ModelProto. Messages are built bottom-up: each field is appended as bytes, and a
 * nested message is its finished bytes written as a length-delimited field.
 *
 * Wire types: 0 varint (int32/int64/enum/bool), 2 length-delimited (string, bytes, message,
 * packed repeated), 5 fixed32 (float).
 */
export class ProtoWriter {
  private chunks: Uint8Array[] = [];
  private scratch: number[] = [];
  private length = 0;

  private flushScratch(): void {
    if (!this.scratch.length) return;
    const b = Uint8Array.from(this.scratch);
    this.chunks.push(b);
    this.length += b.byteLength;
    this.scratch = [];
  }

  private varint(v: number | bigint): void {
    // int64 fields: negatives are written as 10-byte two's complement, as protobuf does.
    let x = BigInt.asUintN(64, BigInt(v));
    while (x >= 0x80n) {
      this.scratch.push(Number(x & 0x7fn) | 0x80);
      x >>= 7n;
    }
    this.scratch.push(Number(x));
  }

  private key(field: number, wire: 0 | 1 | 2 | 5): void {
    this.varint(field * 8 + wire);
  }

  /** int32, int64, enum, bool. */
  int(field: number, v: number | bigint): this {
    this.key(field, 0);
    this.varint(v);
    return this;
  }

  float(field: number, v: number): this {
    this.key(field, 5);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, v, true);
    this.scratch.push(...b);
    return this;
  }

  bytes(field: number, payload: Uint8Array): this {
    this.key(field, 2);
    this.varint(payload.byteLength);
    this.flushScratch();
    this.chunks.push(payload);
    this.length += payload.byteLength;
    return this;
  }

  string(field: number, s: string): this {
    return this.bytes(field, new TextEncoder().encode(s));
  }

  /** A nested message; its chunks are shared, not copied (a model's weights are copied once, in finish()). */
  message(field: number, m: ProtoWriter): this {
    m.flushScratch();
    this.key(field, 2);
    this.varint(m.length);
    this.flushScratch();
    for (const c of m.chunks) this.chunks.push(c);
    this.length += m.length;
    return this;
  }

  /** Packed repeated varints (int64s). */
  packedInts(field: number, values: readonly (number | bigint)[]): this {
    const inner = new ProtoWriter();
    for (const v of values) inner.varint(v);
    return this.bytes(field, inner.finish());
  }

  /** Packed repeated floats. */
  packedFloats(field: number, values: readonly number[]): this {
    const b = new Uint8Array(values.length * 4);
    const view = new DataView(b.buffer);
    values.forEach((v, i) => view.setFloat32(i * 4, v, true));
    return this.bytes(field, b);
  }

  finish(): Uint8Array {
    this.flushScratch();
    if (this.chunks.length === 1) return this.chunks[0];
    const out = new Uint8Array(this.length);
    let off = 0;
    for (const c of this.chunks) {
      out.set(c, off);
      off += c.byteLength;
    }
    this.chunks = [out];
    return out;
  }
}
