import { describe, expect, it } from 'vitest';
import { crc32c, maskCrc, unmaskCrc } from './crc32c';
import { snappyUncompress } from './snappy';
import { protoFields, readVarint } from './protobuf';

const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);

describe('crc32c', () => {
  it('matches the Castagnoli check values', () => {
    expect(crc32c(bytes('123456789'))).toBe(0xe3069283);
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa); // RFC 3720 B.4: 32 bytes of zeros
    expect(crc32c(new Uint8Array(32).fill(0xff))).toBe(0x62a8ab43);
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i))).toBe(0x46dd794e);
    expect(crc32c(bytes('56789'), crc32c(bytes('1234')))).toBe(0xe3069283);
  });
  it('gives the same value on aligned words and unaligned bytes, every length', () => {
    const data = Uint8Array.from({ length: 100 }, (_, i) => (i * 37 + 11) & 0xff);
    const shifted = new Uint8Array(104);
    for (let len = 0; len <= 97; len++) {
      shifted.set(data.subarray(0, len), 1);
      expect(crc32c(shifted.subarray(1, 1 + len)), `length ${len}`).toBe(crc32c(data.subarray(0, len)));
    }
    expect(crc32c(data)).toBe(crc32c(data.slice(3).subarray(0, 0), crc32c(data)));
  });
  it('masks as LevelDB does and unmasks back', () => {
    const c = crc32c(bytes('hello'));
    expect(maskCrc(c)).toBe((((c >>> 15) | (c << 17)) + 0xa282ead8) >>> 0);
    expect(unmaskCrc(maskCrc(c))).toBe(c);
    expect(unmaskCrc(maskCrc(0xffffffff))).toBe(0xffffffff);
  });
});

describe('snappy', () => {
  it('decodes literals and 1-byte-offset overlapping copies', () => {
    // "abc" literal, copy 9 bytes from offset 3 (overlapping), "X" literal.
    expect(text(snappyUncompress(new Uint8Array([13, 0x08, 97, 98, 99, 0x15, 0x03, 0x00, 88])))).toBe('abcabcabcabcX');
  });
  it('decodes 2- and 4-byte-offset copies and long literals', () => {
    const lit = 'x'.repeat(70);
    // literal of 70 bytes: tag 60<<2 (one extra length byte = 69), then copy2 of 10 from offset 70, then copy4 of 5 from offset 1.
    const src = new Uint8Array([85, 60 << 2, 69, ...bytes(lit), ((10 - 1) << 2) | 2, 70, 0, ((5 - 1) << 2) | 3, 1, 0, 0, 0]);
    expect(text(snappyUncompress(src))).toBe('x'.repeat(85));
  });
  it('refuses bad input', () => {
    expect(() => snappyUncompress(new Uint8Array([5, 0x08, 97]))).toThrow(/literal runs past/);
    expect(() => snappyUncompress(new Uint8Array([8, 0x00, 97, 0x15, 0x05]))).toThrow(/bad copy/);
    expect(() => snappyUncompress(new Uint8Array([4, 0x00, 97]))).toThrow(/decoded 1 bytes, header says 4/);
  });
});

describe('protobuf', () => {
  it('reads varints, fixed32 and nested messages', () => {
    expect(readVarint(new Uint8Array([0xac, 0x02]), 0)).toEqual([300, 2]);
    expect(readVarint(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x1f]), 0)).toEqual([2 ** 33 - 1, 5]);
    const msg = new Uint8Array([0x08, 0x01, 0x12, 0x02, 0x10, 0x05, 0x35, 0x78, 0x56, 0x34, 0x12]);
    const f = [...protoFields(msg)];
    expect(f.map((x) => [x.field, x.wire, x.num])).toEqual([[1, 0, 1], [2, 2, 0], [6, 5, 0x12345678]]);
    expect([...protoFields(f[1].bytes)].map((x) => [x.field, x.num])).toEqual([[2, 5]]);
    expect(() => [...protoFields(new Uint8Array([0x12, 0x05, 0x01]))]).toThrow(/runs past the end/);
  });
});
