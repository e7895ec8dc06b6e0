// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { defaultSettings, fieldsForTask, resolveSettings } from '../../core/settings';
import type { SettingsState } from '../../protocol';
import { SettingsForm } from './SettingsForm';

afterEach(cleanup);

const state = (task: 'squad' | 'mrpc', maxPositions?: number): SettingsState => {
  const r = resolveSettings({ task, context: { maxPositions } });
  return { task, settings: r.settings, edited: r.edited, adapted: r.adapted, issues: r.issues };
};

describe('SettingsForm', () => {
  it("shows every field of the task from the settings table: label, flag, explanation, default and its source", () => {
    render(<SettingsForm task="squad" state={state('squad')} onChange={() => undefined} onReset={() => undefined} />);
    for (const f of fieldsForTask('squad')) {
      const input = screen.getByLabelText(f.label);
      const help = document.getElementById(input.getAttribute('aria-describedby')?.split(' ')[0] ?? '');
      expect(help?.textContent).toContain(f.help);
      expect(help?.textContent).toContain(`--${f.flag}`);
    }
    expect((screen.getByLabelText('Max sequence length') as HTMLInputElement).value).toBe('384');
    expect(document.getElementById(screen.getByLabelText('Max sequence length').getAttribute('aria-describedby')!)?.textContent).toContain('Default 384 (run_squad.py --max_seq_length=384)');
    expect((screen.getByLabelText('Document stride') as HTMLInputElement).value).toBe('128');
    expect((screen.getByLabelText('Learning rate') as HTMLInputElement).value).toBe('5e-5');
  });

  it('hides SQuAD-only fields for a GLUE task', () => {
    render(<SettingsForm task="mrpc" state={state('mrpc')} onChange={() => undefined} onReset={() => undefined} />);
    expect(screen.queryByLabelText('Document stride')).toBeNull();
    expect((screen.getByLabelText('Max sequence length') as HTMLInputElement).value).toBe('128');
  });

  it("says when a default was set for the model, and shows the session's problems under their field", () => {
    const { rerender } = render(<SettingsForm task="mrpc" state={state('mrpc', 64)} onChange={() => undefined} onReset={() => undefined} />);
    expect((screen.getByLabelText('Max sequence length') as HTMLInputElement).value).toBe('64');
    expect(screen.getByTestId('setting-adapted').textContent).toMatch(/Set to 64 for this model: the model has 64 positions/);
    const r = resolveSettings({ task: 'mrpc', edits: { maxSeqLength: 128 }, context: { maxPositions: 64 } });
    rerender(<SettingsForm task="mrpc" state={{ task: 'mrpc', settings: r.settings, edited: r.edited, adapted: r.adapted, issues: r.issues }} onChange={() => undefined} onReset={() => undefined} />);
    expect(screen.getByLabelText('Max sequence length').getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByText(/128 exceeds the model's 64 positions/)).toBeTruthy();
  });

  it('sends valid edits and explains invalid ones without sending them, telling the page Start must wait', () => {
    const onChange = vi.fn();
    const onDraftError = vi.fn();
    render(<SettingsForm task="mrpc" state={state('mrpc')} onChange={onChange} onReset={() => undefined} onDraftError={onDraftError} />);
    const lr = screen.getByLabelText('Learning rate');
    fireEvent.change(lr, { target: { value: '3e-5' } });
    expect(onChange).toHaveBeenLastCalledWith({ learningRate: 3e-5 });
    onChange.mockClear();
    const batch = screen.getByLabelText('Batch size');
    fireEvent.change(batch, { target: { value: '0' } });
    expect(onChange).not.toHaveBeenCalled();
    expect(batch.getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByText('Batch size: expected at least 1')).toBeTruthy();
    expect(onDraftError).toHaveBeenLastCalledWith('Batch size: expected at least 1');
    fireEvent.change(batch, { target: { value: '16' } });
    expect(onDraftError).toHaveBeenLastCalledWith(null);
    expect(onChange).toHaveBeenLastCalledWith({ trainBatchSize: 16 });
    fireEvent.change(screen.getByLabelText('Optimizer'), { target: { value: 'adamw' } });
    expect(onChange).toHaveBeenLastCalledWith({ optimizer: 'adamw' });
    expect(defaultSettings('mrpc').optimizer).toBe('bert-adam');
  });
});
