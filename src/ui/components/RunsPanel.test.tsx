// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import type { RunRecord } from '../../core/io';
import { RunsPanel, canResume } from './RunsPanel';

afterEach(cleanup);

function run(id: string, patch: Partial<RunRecord> = {}): RunRecord {
  return {
    id, name: `run ${id}`, created: 1, updated: 2, task: 'mrpc', settings: {}, labels: ['0', '1'], fingerprint: 'f', fileNames: [], status: 'finished', isDemo: false,
    model: null, backend: 'webgpu', totalSteps: 100, lastStep: 100, lastLoss: 0.3, lastCheckpointStep: 100, evals: [{ step: 100, epoch: 3, metrics: { accuracy: 0.8 } }], finalMetrics: { accuracy: 0.81 }, error: null,
    ...patch,
  };
}

function setup(runs: RunRecord[], compareIds: string[] = []) {
  const handlers = { onCompareChange: vi.fn(), onRename: vi.fn(), onDelete: vi.fn(), onResume: vi.fn() };
  render(<RunsPanel runs={runs} activeRunId={null} busy={false} compareIds={compareIds} {...handlers} />);
  return handlers;
}

describe('RunsPanel', () => {
  it('lists runs with status, progress and headline metric', () => {
    setup([run('a'), run('b', { status: 'interrupted', lastStep: 40, lastCheckpointStep: 40, name: 'second' })]);
    const items = screen.getAllByTestId('run-item');
    expect(items).toHaveLength(2);
    expect(items[0].textContent).toContain('step 100/100');
    expect(items[0].textContent).toContain('accuracy 0.81');
    expect(items[1].getAttribute('data-status')).toBe('interrupted');
    expect(items[1].textContent).toContain('checkpoint at step 40');
  });

  it('resumes only interrupted runs with a checkpoint', () => {
    expect(canResume(run('a'))).toBe(false);
    expect(canResume(run('b', { status: 'interrupted' }))).toBe(true);
    expect(canResume(run('c', { status: 'interrupted', lastCheckpointStep: null }))).toBe(false);
    expect(canResume(run('d', { status: 'interrupted', lastCheckpointStep: null, isDemo: true }))).toBe(true);
    const h = setup([run('b', { status: 'interrupted', name: 'second' })]);
    fireEvent.click(screen.getByRole('button', { name: 'Resume run second' }));
    expect(h.onResume).toHaveBeenCalledWith('b');
  });

  it('renames through a labelled text box', () => {
    const h = setup([run('a')]);
    fireEvent.click(screen.getByRole('button', { name: 'Rename run run a' }));
    const box = screen.getByLabelText('Run name');
    fireEvent.change(box, { target: { value: '  MRPC baseline ' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect(h.onRename).toHaveBeenCalledWith('a', 'MRPC baseline');
  });

  it('asks before deleting', () => {
    const h = setup([run('a')]);
    fireEvent.click(screen.getByRole('button', { name: 'Delete run run a' }));
    expect(h.onDelete).not.toHaveBeenCalled();
    fireEvent.click(screen.getByRole('button', { name: 'Confirm deleting run run a' }));
    expect(h.onDelete).toHaveBeenCalledWith('a');
  });

  it('keeps at most two runs for comparison', () => {
    const h = setup([run('a'), run('b'), run('c')], ['a', 'b']);
    const third = screen.getAllByTestId('run-item')[2];
    fireEvent.click(within(third).getByLabelText('Compare'));
    expect(h.onCompareChange).toHaveBeenCalledWith(['b', 'c']);
    const first = screen.getAllByTestId('run-item')[0];
    fireEvent.click(within(first).getByLabelText('Compare'));
    expect(h.onCompareChange).toHaveBeenLastCalledWith(['b']);
  });
});
