/**
 * Builders for hostile inputs crafted in tests (never copied from anywhere): a minimal pickle
 * writer for torch state dicts, and a torch.save-style zip around it.
 */
import { zipSync, type Zippable } from 'fflate';

const enc = new TextEncoder();

/** Pickle opcodes as bytes, assembled in order. */
export class PickleBuilder {
  private parts: number[] = [0x80, 0x02];

  op(...bytes: number[]): this {
    for (const b of bytes) this.parts.push(b);
    return this;
  }
  str(s: string): this {
    const b = enc.encode(s);
    if (b.length < 256) return this.op(0x8c, b.length, ...b);
    return this.op(0x58, b.length & 0xff, (b.length >> 8) & 0xff, (b.length >> 16) & 0xff, b.length >>> 24, ...b);
  }
  int(n: number): this {
    if (n >= 0 && n < 256) return this.op(0x4b, n);
    const v = new DataView(new ArrayBuffer(4));
    v.setInt32(0, n, true);
    return this.op(0x4a, ...new Uint8Array(v.buffer));
  }
  global(module: string, name: string): this {
    return this.op(0x63, ...enc.encode(`${module}\n${name}\n`));
  }
  mark(): this { return this.op(0x28); }
  tuple(): this { return this.op(0x74); }
  /** _rebuild_tensor_v2(storage(key, numel), offset, shape, stride) on the stack. */
  tensor(key: string, numel: number, offset: number, shape: number[], stride: number[]): this {
    this.global('torch._utils', '_rebuild_tensor_v2');
    this.mark();
    this.mark().str('storage').global('torch', 'FloatStorage').str(key).str('cpu').int(numel).tuple().op(0x51);
    this.int(offset);
    this.mark();
    for (const d of shape) this.int(d);
    this.tuple();
    this.mark();
    for (const d of stride) this.int(d);
    this.tuple();
    this.tuple();
    return this.op(0x52);
  }
  bytes(): Uint8Array {
    return new Uint8Array([...this.parts, 0x2e]);
  }
}

/** A torch.save zip: archive/data.pkl and archive/data/<key> entries (stored unless `level` given). */
export function torchZip(pickle: Uint8Array, storages: Record<string, Uint8Array>, level: 0 | 9 = 0): Uint8Array {
  const files: Zippable = { 'archive/data.pkl': [pickle, { level: 0 }] };
  for (const [k, v] of Object.entries(storages)) files[`archive/data/${k}`] = [v, { level }];
  return zipSync(files);
}
