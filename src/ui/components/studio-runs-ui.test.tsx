// @vitest-environment jsdom
/**
 * Issue 12's run views: the settings form shows a run's settings read-only with "New run from
 * these settings"; the run card says "no checkpoint yet" and which files are kept, and opens a
 * run; the files a run would keep and their size; Compare draws any metric.
 */
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import type { RunRecord } from '../../core/io';
import { defaultSettings, resolveSettings } from '../../core/settings';
import type { FileReport } from '../../protocol/events';
import { SettingsForm } from './SettingsForm';
import { RunsPanel } from './RunsPanel';
import { KeepFilesOption, filesToKeep } from './KeepFilesOption';
import { formatBytes } from '../format/numbers';

beforeAll(() => {
  window.matchMedia = ((q: string) => ({ matches: false, media: q, addEventListener() {}, removeEventListener() {} })) as unknown as typeof window.matchMedia;
});
afterEach(cleanup);

describe('SettingsForm with a run', () => {
  it("shows the run's settings, not the ones in force, read-only, and copies them on request", () => {
    const inForce = resolveSettings({ task: 'mrpc' });
    const runSettings = { ...defaultSettings('squad'), trainBatchSize: 12, learningRate: 3e-3, numTrainEpochs: 2 };
    const onCopy = vi.fn();
    const onChange = vi.fn();
    render(
      <SettingsForm
        task="mrpc"
        state={{ task: 'mrpc', settings: inForce.settings, edited: [], adapted: [], issues: [] }}
        onChange={onChange}
        onReset={() => undefined}
        run={{ name: 'Demo: generated questions', task: 'squad', settings: runSettings, onCopy }}
      />,
    );
    const box = screen.getByTestId('run-settings');
    expect(box.textContent).toContain('Settings of run Demo: generated questions, read-only');
    const batch = within(box).getByLabelText('Batch size') as HTMLInputElement;
    expect(batch.value).toBe('12');
    expect(batch.matches(':disabled')).toBe(true); // inside the disabled fieldset
    expect((within(box).getByLabelText('Learning rate') as HTMLInputElement).value).toBe('0.003');
    // The run's task decides the fields: SQuAD's are shown.
    expect(within(box).getByLabelText('Document stride')).toBeTruthy();
    expect(screen.queryByText('Reset to the defaults')).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'New run from these settings' }));
    expect(onCopy).toHaveBeenCalledTimes(1);
    expect(onChange).not.toHaveBeenCalled();
  });

  it('says why the copy waits while the run is active', () => {
    render(
      <SettingsForm task="mrpc" state={{ task: 'mrpc', settings: defaultSettings('mrpc'), edited: [], adapted: [], issues: [] }} onChange={() => undefined} onReset={() => undefined}
        run={{ name: 'r', task: 'mrpc', settings: defaultSettings('mrpc'), onCopy: () => undefined, copyDisabledReason: 'Available when the run has ended' }} />,
    );
    const button = screen.getByRole('button', { name: /New run from these settings/ }) as HTMLButtonElement;
    expect(button.disabled).toBe(true);
    expect(button.title).toBe('Available when the run has ended');
  });
});

function run(id: string, patch: Partial<RunRecord> = {}): RunRecord {
  return {
    id, name: `run ${id}`, created: 1, updated: 2, task: 'squad', settings: {}, labels: [], fingerprint: 'f', fileNames: [], status: 'interrupted', isDemo: false,
    model: null, backend: 'webgpu', totalSteps: 49, lastStep: 16, lastLoss: 2.5, lastCheckpointStep: null, evals: [], finalMetrics: null, error: null,
    ...patch,
  };
}

describe('RunsPanel (kept runs)', () => {
  it('a run without a checkpoint says so and keeps its stored progress; kept files are listed', () => {
    const onOpen = vi.fn();
    render(
      <RunsPanel
        runs={[run('a'), run('b', { lastCheckpointStep: 8, keptFiles: ['m/config.json', 'train.json'] })]}
        activeRunId={null} busy={false} compareIds={[]} onCompareChange={vi.fn()} onRename={vi.fn()} onDelete={vi.fn()} onResume={vi.fn()}
        onOpen={onOpen} shownRunId="b" storageUse={{ usage: 5 * 1024 * 1024, quota: 1024 ** 3, persisted: true }}
      />,
    );
    const [a, b] = screen.getAllByTestId('run-item');
    expect(a.textContent).toContain('step 16/49');
    expect(within(a).getByTestId('run-checkpoint').textContent).toContain('no checkpoint yet');
    expect(within(a).getByTestId('run-files').textContent).toContain('Files not kept');
    expect(within(b).getByTestId('run-checkpoint').textContent).toContain('checkpoint at step 8');
    expect(within(b).getByTestId('run-files').textContent).toContain('Files kept in this browser: m/config.json, train.json');
    expect(b.textContent).toContain('Resume continues from its last checkpoint with its kept files');
    expect(b.getAttribute('data-shown')).toBe('true');
    expect(screen.getByTestId('storage-use').textContent).toContain('5.00 MB of 1.00 GB');
    expect(screen.getByTestId('storage-use').textContent).toContain('persistent');
    fireEvent.click(screen.getByRole('button', { name: 'Open run run a' }));
    expect(onOpen).toHaveBeenCalledWith('a');
  });

  it("says what the browser's storage holds of the kept files, not only what the record lists", () => {
    const kept = { lastCheckpointStep: 8, status: 'interrupted' as const, keptFiles: ['m/config.json', 'train.json'] };
    render(
      <RunsPanel
        runs={[run('k', kept), run('u', kept), run('m', kept)]}
        activeRunId={null} busy={false} compareIds={[]} onCompareChange={vi.fn()} onRename={vi.fn()} onDelete={vi.fn()} onResume={vi.fn()}
        keptStates={{ k: 'kept', u: 'unfinished', m: 'missing' }}
      />,
    );
    const [k, u, m] = screen.getAllByTestId('run-item');
    expect(within(k).getByTestId('run-files').getAttribute('data-kept')).toBe('kept');
    expect(k.textContent).toContain('Resume continues from its last checkpoint with its kept files');
    expect(within(u).getByTestId('run-files').getAttribute('data-kept')).toBe('unfinished');
    expect(within(u).getByTestId('run-files').textContent).toContain('The copy of its files in this browser is incomplete');
    expect(u.textContent).toContain('Drop the same files again, then resume it');
    expect(within(m).getByTestId('run-files').getAttribute('data-kept')).toBe('missing');
    expect(within(m).getByTestId('run-files').textContent).toContain("Its kept files are gone from this browser's storage");
    expect(m.textContent).not.toContain('Files kept in this browser');
  });
});

describe('KeepFilesOption', () => {
  const report = (path: string, size: number, use: FileReport['use'], accepted = true): FileReport => ({ path, size, kind: 'unknown', description: '', accepted, use });
  const files = [
    report('m/config.json', 600, 'model-config'), report('m/model.safetensors', 3 * 1024 * 1024, 'weights'), report('m/vocab.txt', 231_508, 'vocabulary'),
    report('m/special_tokens_map.json', 100, 'ignored'), report('train.json', 50_000, 'train-data'), report('test.tsv', 10, 'test-data'), report('x.bin', 5, null, false),
  ];

  it('lists the files a run trains on with their total size, and opts out', () => {
    expect(filesToKeep(files).map((f) => f.path)).toEqual(['m/config.json', 'm/model.safetensors', 'm/vocab.txt', 'train.json']);
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(3 * 1024 * 1024 + 282_108)).toBe('3.27 MB');
    const onChange = vi.fn();
    render(<KeepFilesOption files={files} keep onChange={onChange} available />);
    expect(screen.getByTestId('keep-files').textContent).toContain("Keep this run's 4 files (3.27 MB)");
    expect(within(screen.getByTestId('keep-files-list')).getAllByRole('listitem')).toHaveLength(4);
    fireEvent.click(screen.getByRole('checkbox'));
    expect(onChange).toHaveBeenCalledWith(false);
  });

  it('says so where the browser cannot keep files', () => {
    render(<KeepFilesOption files={files} keep onChange={() => undefined} available={false} />);
    expect(screen.getByText(/This browser cannot keep the files/)).toBeTruthy();
  });
});

describe('Compare: any metric', () => {
  it('offers the per-step series and every evaluation metric, and draws a metric at its evaluation steps', async () => {
    const { compareMetrics, metricPoints } = await import('./CompareChart');
    const runs = [
      { id: 'a', name: 'a', evals: [{ step: 4, epoch: 1, metrics: { f1: 40, exact_match: 30 } }, { step: 2, epoch: 0.5, metrics: { f1: 20, exact_match: 10 } }] },
      { id: 'b', name: 'b', evals: [{ step: 3, epoch: 1, metrics: { accuracy: 0.8 } }] },
    ];
    expect(compareMetrics(runs).map((m) => m.value)).toEqual(['step:loss', 'step:learningRate', 'step:gradNorm', 'step:examplesPerSec', 'eval:accuracy', 'eval:exact_match', 'eval:f1']);
    expect(metricPoints('eval:f1', [], runs[0].evals, 0.9)).toEqual({ steps: [2, 4], values: [20, 40] });
    expect(metricPoints('eval:f1', [], runs[1].evals, 0.9)).toEqual({ steps: [], values: [] });
    const steps = [1, 2].map((s) => ({ step: s, epoch: 0, loss: 3 - s, learningRate: s * 1e-3, gradNorm: 1, examplesPerSec: 10 * s, tokensPerSec: 0, memoryBytes: 0, numTensors: 0 }));
    expect(metricPoints('step:learningRate', steps, [], 0.9)).toEqual({ steps: [1, 2], values: [1e-3, 2e-3] });
    expect(metricPoints('step:examplesPerSec', steps, [], 0).values).toEqual([10, 20]);
  });
});
