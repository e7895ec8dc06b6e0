/**
 * The Adam kernel's moment layout (slabs + offset table) and its split into dispatches: pure
 * bookkeeping, checked here; the kernel's arithmetic is checked on WebGPU against the composed
 * optimizer (e2e/kernels-train.spec.ts) and against PyTorch's steps (e2e/engine-webgpu.spec.ts).
 */
import { describe, expect, it } from 'vitest';
import { adamChunks, adamCode, packAdamSlots } from './adam';

describe('packAdamSlots', () => {
  it('puts every m and v side by side in one slab when they fit', () => {
    const l = packAdamSlots([6, 2, 4], 100);
    expect(l.slabSizes).toEqual([24]);
    expect(l.places).toEqual([
      { n: 6, mSlab: 0, mOff: 0, vSlab: 0, vOff: 6 },
      { n: 2, mSlab: 0, mOff: 12, vSlab: 0, vOff: 14 },
      { n: 4, mSlab: 0, mOff: 16, vSlab: 0, vOff: 20 },
    ]);
  });

  it('opens a new slab when a moment does not fit, and may split a tensor\'s m and v', () => {
    const l = packAdamSlots([6, 4, 3], 12);
    expect(l.slabSizes).toEqual([12, 11, 3]);
    expect(l.places).toEqual([
      { n: 6, mSlab: 0, mOff: 0, vSlab: 0, vOff: 6 },
      { n: 4, mSlab: 1, mOff: 0, vSlab: 1, vOff: 4 },
      { n: 3, mSlab: 1, mOff: 8, vSlab: 2, vOff: 0 },
    ]);
    // no overlap, nothing beyond a slab's end
    for (const p of l.places) {
      expect(p.mOff + p.n).toBeLessThanOrEqual(l.slabSizes[p.mSlab]);
      expect(p.vOff + p.n).toBeLessThanOrEqual(l.slabSizes[p.vSlab]);
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
    const l = packAdamSlots([6, 4, 3], 12); // slabs: t0 {0}, t1 {1}, t2 {1, 2}
    const c = adamChunks(l, 6); // 1 + slabs + 2·tensors ≤ 6
    expect(c).toEqual([{ tensors: [0], slabs: [0] }, { tensors: [1], slabs: [1] }, { tensors: [2], slabs: [1, 2] }]);
    expect(adamChunks(l, 9)).toEqual([{ tensors: [0, 1], slabs: [0, 1] }, { tensors: [2], slabs: [1, 2] }]);
    expect(() => adamChunks(l, 4)).toThrow(/needs 5 storage bindings; the device has 4/);
  });

  it('writes a shader binding scal, the slabs, then p and g of each tensor, uniforms last', () => {
    const code = adamCode([[0, 0], [0, 1]], 2);
    expect(code).toMatch(/@binding\(0\) var<storage, read> scal/);
    expect(code).toMatch(/@binding\(1\) var<storage, read_write> mv0/);
    expect(code).toMatch(/@binding\(2\) var<storage, read_write> mv1/);
    expect(code).toMatch(/@binding\(3\) var<storage, read_write> p0[^]*@binding\(4\) var<storage, read> g0/);
    expect(code).toMatch(/@binding\(7\) var<uniform> u/);
    expect(code).toMatch(/mv1\[ov \+ i\] = vNew/);
  });
});
