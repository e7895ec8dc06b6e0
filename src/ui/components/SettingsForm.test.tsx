// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { defaultSettings } from '../../protocol/settings';
import { fieldsForTask } from '../../state/settings-fields';
import { SettingsForm } from './SettingsForm';

afterEach(cleanup);

describe('SettingsForm', () => {
  it('shows every field of the task with its label, flag and explanation', () => {
    render(<SettingsForm task="squad" settings={defaultSettings('squad')} onChange={() => undefined} onReset={() => undefined} />);
    for (const f of fieldsForTask('squad')) {
      const input = screen.getByLabelText(f.label);
      const help = document.getElementById(input.getAttribute('aria-describedby')?.split(' ')[0] ?? '');
      expect(help?.textContent).toContain(f.help);
      expect(help?.textContent).toContain(f.flag);
    }
    expect((screen.getByLabelText('Max sequence length') as HTMLInputElement).value).toBe('384');
    expect((screen.getByLabelText('Document stride') as HTMLInputElement).value).toBe('128');
    expect((screen.getByLabelText('Learning rate') as HTMLInputElement).value).toBe('5e-5');
  });

  it('hides SQuAD-only fields for a GLUE task', () => {
    render(<SettingsForm task="mrpc" settings={defaultSettings('mrpc')} onChange={() => undefined} onReset={() => undefined} />);
    expect(screen.queryByLabelText('Document stride')).toBeNull();
    expect((screen.getByLabelText('Max sequence length') as HTMLInputElement).value).toBe('128');
  });

  it('sends valid edits and explains invalid ones without sending them', () => {
    const onChange = vi.fn();
    render(<SettingsForm task="mrpc" settings={defaultSettings('mrpc')} onChange={onChange} onReset={() => undefined} />);
    const lr = screen.getByLabelText('Learning rate');
    fireEvent.change(lr, { target: { value: '3e-5' } });
    expect(onChange).toHaveBeenLastCalledWith({ learningRate: 3e-5 });
    onChange.mockClear();
    const batch = screen.getByLabelText('Batch size');
    fireEvent.change(batch, { target: { value: '0' } });
    expect(onChange).not.toHaveBeenCalled();
    expect(batch.getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByText('Batch size: at least 1')).toBeTruthy();
    fireEvent.change(screen.getByLabelText('Optimizer'), { target: { value: 'adamw' } });
    expect(onChange).toHaveBeenLastCalledWith({ optimizer: 'adamw' });
  });
});
