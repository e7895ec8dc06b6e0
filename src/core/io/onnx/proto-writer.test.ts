/** The protobuf writer read back by the project's reader (../protobuf.ts), field by field. */
import { describe, expect, it } from 'vitest';
import { protoFields } from '../protobuf';
import { ProtoWriter } from './proto-writer';

describe('ProtoWriter', () => {
  it('writes varints (incl. 64-bit and negative int64), floats, strings, nested and packed fields as protobuf reads them', () => {
    const inner = new ProtoWriter().int(1, 7).string(2, 'é');
    const bytes = new ProtoWriter().int(1, 0).int(2, 300).int(3, 2 ** 40 + 5).float(4, 1.5).string(5, 'abc').message(6, inner).packedInts(7, [1, 128, 3]).int(8, -1).finish();
    const fields = [...protoFields(bytes)];
    expect(fields.map((f) => [f.field, f.wire])).toEqual([[1, 0], [2, 0], [3, 0], [4, 5], [5, 2], [6, 2], [7, 2], [8, 0]]);
    expect(fields[0].num).toBe(0);
    expect(fields[1].num).toBe(300);
    expect(fields[2].num).toBe(2 ** 40 + 5);
    expect(new Float32Array(new Uint32Array([fields[3].num]).buffer)[0]).toBe(1.5);
    expect(new TextDecoder().decode(fields[4].bytes)).toBe('abc');
    const nested = [...protoFields(fields[5].bytes)];
    expect(nested[0].num).toBe(7);
    expect(new TextDecoder().decode(nested[1].bytes)).toBe('é');
    expect([...fields[6].bytes]).toEqual([1, 0x80, 0x01, 3]);
    expect(fields[7].num).toBe(2 ** 64 - 1); // int64 −1: ten bytes of two's complement (read back as an unsigned double)
  });

  it('shares a nested message\'s payload and copies it once in finish()', () => {
    const payload = new Uint8Array(1000).fill(9);
    const inner = new ProtoWriter().bytes(1, payload);
    const outer = new ProtoWriter().message(1, inner).finish();
    const [f] = [...protoFields(outer)];
    const [g] = [...protoFields(f.bytes)];
    expect(g.bytes.byteLength).toBe(1000);
    expect(g.bytes.every((b) => b === 9)).toBe(true);
  });
});
