/**
 * The Adam kernel's moment layout (slabs + offset table) and its split into dispatches: pure
 * bookkeeping, checked here; the kernel's arithmetic is checked on WebGPU against the composed
 * optimizer (e2e/kernels-train.spec.ts) and against PyTorch's steps (e2e/engine-webgpu.spec.ts).
 */
import { describe, expect, it } from 'vitest';
import { adamChunks, adamCode, adamWorkgroups, packAdamSlots, slotSize } from './adam';

describe('packAdamSlots', () => {
  it('puts every m and v side by side in one slab when they fit, each slot from a multiple of 4', () => {
    const l = packAdamSlots([6, 2, 4], 100);
    expect(l.slabSizes).toEqual([32]);
    expect(l.places).toEqual([
      { n: 6, mSlab: 0, mOff: 0, vSlab: 0, vOff: 8 },
      { n: 2, mSlab: 0, mOff: 16, vSlab: 0, vOff: 20 },
      { n: 4, mSlab: 0, mOff: 24, vSlab: 0, vOff: 28 },
    ]);
  });

  it('opens a new slab when a moment does not fit, and may split a tensor\'s m and v', () => {
    const l = packAdamSlots([8, 4, 3], 12);
    expect(l.slabSizes).toEqual([8, 12, 12]);
    expect(l.places).toEqual([
      { n: 8, mSlab: 0, mOff: 0, vSlab: 1, vOff: 0 },
      { n: 4, mSlab: 1, mOff: 8, vSlab: 2, vOff: 0 },
      { n: 3, mSlab: 2, mOff: 4, vSlab: 2, vOff: 8 },
    ]);
    // no overlap, nothing beyond a slab's end, every slot 4-aligned
    for (const p of l.places) {
      expect(p.mOff + slotSize(p.n)).toBeLessThanOrEqual(l.slabSizes[p.mSlab]);
      expect(p.vOff + slotSize(p.n)).toBeLessThanOrEqual(l.slabSizes[p.vSlab]);
      expect(p.mOff % 4 + p.vOff % 4).toBe(0);
    }
  });

  it('refuses a moment larger than the device can bind, naming the tensor and the limit', () => {
    expect(() => packAdamSlots([4, 20], 10)).toThrow(/m of tensor 1 of 20 values exceeds .*10 float32 values/);
  });
});

describe('adamChunks', () => {
  it('packs 4 tensors per dispatch on 10 storage bindings and 3 on 8 (one slab)', () => {
    const l = packAdamSlots(Array.from({ length: 41 }, (_, i) => 100 + i), 1e9);
    const ten = adamChunks(l, 10);
    expect(ten).toHaveLength(11);
    expect(ten.slice(0, 10).every((c) => c.tensors.length === 4 && c.slabs.length === 1)).toBe(true);
    expect(ten.flatMap((c) => c.tensors)).toEqual(Array.from({ length: 41 }, (_, i) => i));
    expect(adamChunks(l, 8)).toHaveLength(14);
  });

  it('counts every slab a dispatch binds', () => {
    const l = packAdamSlots([4, 2, 3], 12); // slots of 4: t0 {0}, t1 {0, 1}, t2 {1}
    expect(l.places.map((p) => [p.mSlab, p.vSlab])).toEqual([[0, 0], [0, 1], [1, 1]]);
    const c = adamChunks(l, 6); // 1 + slabs + 2·tensors ≤ 6
    expect(c).toEqual([{ tensors: [0], slabs: [0] }, { tensors: [1], slabs: [0, 1] }, { tensors: [2], slabs: [1] }]);
    expect(adamChunks(l, 9)).toEqual([{ tensors: [0, 1, 2], slabs: [0, 1] }]);
    expect(() => adamChunks(l, 4)).toThrow(/needs 5 storage bindings; the device has 4/);
  });

  it('writes a shader binding scal, the slabs (vec4), then p and g of each tensor (vec4 when n is a multiple of 4), uniforms last', () => {
    const code = adamCode([{ slabs: [0, 0], vec4: true }, { slabs: [0, 1], vec4: false }], 2);
    expect(code).toMatch(/@binding\(0\) var<storage, read> scal/);
    expect(code).toMatch(/@binding\(1\) var<storage, read_write> mv0: array<vec4<f32>>/);
    expect(code).toMatch(/@binding\(2\) var<storage, read_write> mv1: array<vec4<f32>>/);
    expect(code).toMatch(/@binding\(3\) var<storage, read_write> p0: array<vec4<f32>>[^]*@binding\(4\) var<storage, read> g0: array<vec4<f32>>/);
    expect(code).toMatch(/@binding\(5\) var<storage, read_write> p1: array<f32>[^]*@binding\(6\) var<storage, read> g1: array<f32>/);
    expect(code).toMatch(/@binding\(7\) var<uniform> u/);
    expect(code).toMatch(/mv1\[ov \+ i\] = vNew/);
    expect(code).toMatch(/if \(w < u.first1\) \{ update0\(w - u.first0[^]* else if \(w < u.end\) \{ update1\(w - u.first1/);
  });
});

describe('adamWorkgroups', () => {
  it('gives a tensor one workgroup per 4096 values (64 threads × 16 vec4), at least one', () => {
    expect([2, 128, 4096, 4097, 30522 * 128].map(adamWorkgroups)).toEqual([1, 1, 1, 2, 954]);
  });
});
