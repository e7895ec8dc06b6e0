/**
 * step-record.ts on small hand-made records: the consistency checks catch dispatches outside
 * kernel calls and a profile that is not the calls' kernel list, compareCalls finds the first
 * differing call, and stepEstimate is roofline.ts over the profile with and without
 * tf.customGrad's wrapper entries.
 */
import { describe, expect, it } from 'vitest';
import { REFERENCE_GPU } from './reference-gpu';
import { kernelCost } from './roofline';
import { checkRecord, compareCalls, dispatchesByKernel, rooflineByKernel, splitProfile, stepEstimate, type StepRecord } from './step-record';

// x [4, 8] · W [16, 8]ᵀ + b as tfjs records it (a customGrad wrapper entry, then the kernel), an Add, a Reshape.
function record(): StepRecord {
  const mm = { name: '_FusedMatMul', inputShapes: [[4, 8], [16, 8], [16]], outputShapes: [[4, 16]] };
  const add = { name: 'Add', inputShapes: [[4, 16], [4, 16]], outputShapes: [[4, 16]] };
  const reshape = { name: 'Reshape', inputShapes: [[4, 16]], outputShapes: [[64]] };
  return {
    tree: '/old', build: 'old', preset: 'tiny', batch: 2, seq: 2, noop: true, warmupDispatches: 3, dispatches: 3, submits: 1, loss: 0, stepS: 0,
    calls: [
      { ...mm, dispatches: 1, depth: 0 },
      { ...add, dispatches: 2, depth: 0 },
      { ...reshape, dispatches: 0, depth: 0 },
    ],
    profile: [{ name: 'fusedMatMul__op', inputShapes: [[4, 8], [16, 8], [16]], outputShapes: [[4, 16]] }, mm, add, reshape],
  };
}

describe('step-record', () => {
  it('a consistent record has no problems', () => {
    expect(checkRecord(record())).toEqual([]);
  });

  it('names dispatches outside kernel calls and recorded calls missing from the profile', () => {
    const r = record();
    r.dispatches = 4;
    r.profile[2] = { ...r.profile[2], inputShapes: [[4, 16], [16]] }; // the Add's call is then missing from the profile
    const p = checkRecord(r, 'x.json');
    expect(p).toHaveLength(2);
    expect(p[0]).toContain('x.json: 4 dispatches in the step, 3 inside kernel calls');
    expect(p[1]).toContain("1 recorded kernel call(s) not in tf.profile's list, e.g. Add([4,16] [4,16]) 1×");
  });

  it('compareCalls finds the first call or profile entry that differs, and none between equal records', () => {
    const [a, b] = [record(), record()];
    expect(compareCalls(a, b)).toBeNull();
    b.calls[1].dispatches = 1;
    expect(compareCalls(a, b)).toEqual({ index: 1, a: 'Add([4,16] [4,16]) -> [4,16] depth 0, 2 dispatches', b: 'Add([4,16] [4,16]) -> [4,16] depth 0, 1 dispatches' });
    b.calls.pop();
    b.calls[1].dispatches = 2;
    expect(compareCalls(a, b)?.b).toBe('end');
    const c = record();
    c.profile[3] = { ...c.profile[3], outputShapes: [[4, 16]] };
    expect(compareCalls(a, c)).toEqual({ index: 3, a: 'profile: Reshape([4,16]) -> [64]', b: 'profile: Reshape([4,16]) -> [4,16]' });
  });

  it('splitProfile tells the recorded calls from the wrapper entries in any order', () => {
    const r = record();
    r.profile.reverse(); // tf.profile lists a nested kernel before its parent
    const { kernels, wrappers, missing } = splitProfile(r);
    expect(wrappers.map((k) => k.name)).toEqual(['fusedMatMul__op']);
    expect(kernels.map((k) => k.name)).toEqual(['Reshape', 'Add', '_FusedMatMul']);
    expect(missing).toEqual([]);
  });

  it('dispatchesByKernel sums calls and dispatches per kernel name', () => {
    expect(dispatchesByKernel(record())).toEqual([['Add', 1, 2], ['_FusedMatMul', 1, 1], ['Reshape', 1, 0]]);
  });

  it('stepEstimate is the roofline of the profile, with and without the wrapper entries', () => {
    const e = stepEstimate(record());
    // matmul: 2·4·16·8 = 1024 FLOP, (32 + 128 + 16 + 64) floats; Add: 64 FLOP, 192 floats; Reshape: 64 FLOP, 128 floats;
    // all three bound by bandwidth at these sizes. The wrapper entry repeats the matmul's shapes: 64 FLOP, 240 floats.
    expect(kernelCost(record().profile[1])).toEqual({ flops: 1024, bytes: 4 * 240 });
    expect(e.withoutWrappers.flops).toBe(1024 + 64 + 64);
    expect(e.withoutWrappers.bytes).toBe(4 * (240 + 192 + 128));
    expect(e.withoutWrappers.computeMs).toBeCloseTo((1000 * 4 * (240 + 192 + 128)) / REFERENCE_GPU.bytesPerS, 12);
    expect(e.asProfiled.bytes).toBe(e.withoutWrappers.bytes + 4 * 240);
    expect(e.asProfiled.stepMs[0]).toBeCloseTo(e.asProfiled.computeMs + (3 * REFERENCE_GPU.dispatchUs[0]) / 1000, 12);
    // Only the matmul and the Add dispatched: the Reshape (a view) is not charged.
    expect(e.dispatching.bytes).toBe(4 * (240 + 192));
    const by = rooflineByKernel(record().profile);
    expect(by.map(([n, c]) => [n, c])).toEqual([['_FusedMatMul', 1], ['fusedMatMul__op', 1], ['Add', 1], ['Reshape', 1]]);
    expect(by.reduce((a, [, , ms]) => a + ms, 0)).toBeCloseTo(e.asProfiled.computeMs, 12);
    expect(e.asProfiled.seqPerS[1]).toBeCloseTo(2 / (e.asProfiled.stepMs[1] / 1000), 9);
  });
});
