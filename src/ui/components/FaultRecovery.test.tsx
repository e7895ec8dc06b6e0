// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import type { RunRecord } from '../../core/io';
import { FaultRecovery, type FaultRecoveryProps } from './FaultRecovery';

afterEach(cleanup);

function record(id: string, patch: Partial<RunRecord> = {}): RunRecord {
  return {
    id, name: `run ${id}`, created: 1, updated: 1, task: 'mrpc', settings: {}, labels: [], fingerprint: 'f', fileNames: [], status: 'failed',
    isDemo: false, model: null, backend: 'webgpu', totalSteps: 12, lastStep: 5, lastLoss: 0.7, lastCheckpointStep: 4, evals: [], finalMetrics: null, error: null, ...patch,
  };
}

const base: FaultRecoveryProps = { status: 'failed', runId: 'a', runs: [record('a')], lockedRunIds: [], failure: null, workerReady: true, onResume: () => undefined };

describe('FaultRecovery', () => {
  it('after a lost GPU: says so and resumes the run from its checkpoint', () => {
    const resumed: string[] = [];
    render(<FaultRecovery {...base} failure={{ message: 'the GPU was lost', code: 'device-lost', lastCheckpointStep: 4 }} onResume={(id) => resumed.push(id)} />);
    expect(screen.getByTestId('fault-current').textContent).toContain('The GPU was lost. Its checkpoint at step 4 is kept.');
    fireEvent.click(screen.getByRole('button', { name: 'Resume from step 4' }));
    expect(resumed).toEqual(['a']);
  });

  it('waits for the new worker before offering Resume', () => {
    render(<FaultRecovery {...base} workerReady={false} failure={{ message: 'x', code: 'worker-crash', lastCheckpointStep: 4 }} />);
    expect(screen.getByRole('button', { name: 'Resume from step 4' })).toHaveProperty('disabled', true);
    expect(screen.getByTestId('fault-current').textContent).toContain('The training worker crashed');
  });

  it('says nothing for an ordinary failure with nothing to resume, or while training', () => {
    const { container, rerender } = render(<FaultRecovery {...base} runs={[record('a', { lastCheckpointStep: null })]} failure={{ message: 'bad file', lastCheckpointStep: null }} />);
    expect(container.textContent).toBe('');
    rerender(<FaultRecovery {...base} status="training" failure={{ message: 'the GPU was lost', code: 'device-lost', lastCheckpointStep: 4 }} />);
    expect(container.textContent).toBe('');
  });

  it("lists another tab's run read-only, Resume disabled with the reason", () => {
    render(<FaultRecovery {...base} status="idle" runId={null} runs={[record('b', { status: 'running', lastStep: 3 })]} lockedRunIds={['b']} />);
    const row = screen.getByTestId('run-read-only');
    expect(row.textContent).toContain('run b is running in another tab; here it is read-only (step 3/12, checkpoint at step 4)');
    expect(screen.getByRole('button', { name: 'Resume run run b: running in another tab' })).toHaveProperty('disabled', true);
    expect(screen.getByTestId('read-only-reason').textContent).toBe('running in another tab');
  });
});
