/**
 * The batch size against the pre-flight memory check: an over-budget batch is an issue naming the
 * measured peak and the limit (so Start is disabled with that reason); without a measurement, or
 * at another sequence length than measured, the check does not apply.
 */
import { describe, expect, it } from 'vitest';
import { largestBatchThatFits, resolveSettings, type MemoryCheck } from './validate';

const MiB = 2 ** 20;
// Fixed 100 MiB; 10 MiB per example; the step's peak may use 400 MiB: batch 30 fits, 31 does not.
const heap: MemoryCheck = { seqLength: 128, fixedBytes: 100 * MiB, bytesPerExample: 10 * MiB, limits: [{ name: 'the memory available', bytes: 400 * MiB }] };

describe('batch size against the measured step memory', () => {
  it('accepts a batch within the limit and refuses one over it, naming the measured peak, the limit and the largest batch that fits', () => {
    expect(resolveSettings({ task: 'mrpc', edits: { trainBatchSize: 30 }, context: { memory: heap } }).issues).toEqual([]);
    const r = resolveSettings({ task: 'mrpc', edits: { trainBatchSize: 32 }, context: { memory: heap } });
    expect(r.issues).toEqual([{
      key: 'trainBatchSize',
      message: "Batch size: at batch 32 and sequence length 128 a step's measured peak is 420 MiB, over the memory available of 400 MiB; use a batch size of at most 30 (and gradient accumulation for a larger effective batch)",
    }]);
  });

  it('checks a batch-scaled tensor against one GPU binding', () => {
    const gpu: MemoryCheck = { ...heap, limits: [{ name: 'maxStorageBufferBindingSize', bytes: 128 * MiB, tensor: { name: 'attention scores / probabilities', bytesPerExample: 3 * MiB } }] };
    expect(largestBatchThatFits(gpu)).toBe(42);
    const [issue] = resolveSettings({ task: 'mrpc', edits: { trainBatchSize: 64 }, context: { memory: gpu } }).issues;
    expect(issue.key).toBe('trainBatchSize');
    expect(issue.message).toContain('attention scores / probabilities need 192 MiB in one buffer, over maxStorageBufferBindingSize of 128 MiB');
    expect(issue.message).toContain("measured peak: 740 MiB");
    expect(issue.message).toContain('at most 42');
  });

  it('says so when even batch 1 does not fit', () => {
    const tight: MemoryCheck = { ...heap, limits: [{ name: 'the memory available', bytes: 105 * MiB }] };
    expect(resolveSettings({ task: 'mrpc', edits: { trainBatchSize: 1 }, context: { memory: tight } }).issues[0].message).toContain('even batch 1 does not fit');
  });

  it('does not apply at another sequence length than measured (a new measurement is needed)', () => {
    expect(resolveSettings({ task: 'mrpc', edits: { trainBatchSize: 64, maxSeqLength: 64 }, context: { memory: heap } }).issues).toEqual([]);
  });
});
