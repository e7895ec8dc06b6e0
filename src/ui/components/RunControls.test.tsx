// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { RunControls, type RunControlsProps } from './RunControls';
import { ColumnMapping } from './ColumnMapping';

afterEach(cleanup);

const props = (p: Partial<RunControlsProps>): RunControlsProps => ({
  status: 'idle', ready: true, onStart: vi.fn(), onPause: vi.fn(), onResume: vi.fn(), onStop: vi.fn(), onEvaluate: vi.fn(), ...p,
});

/** The text a screen reader reads as the button's description. */
function description(name: string): string | null {
  const b = screen.getByRole('button', { name });
  const id = b.getAttribute('aria-describedby');
  return id ? document.getElementById(id)!.textContent : null;
}

describe('RunControls', () => {
  it('says why each disabled control is disabled, as a tooltip and as its screen-reader description', () => {
    render(<RunControls {...props({ status: 'idle', ready: false, notReadyReason: 'still needed: a vocabulary' })} />);
    expect((screen.getByRole('button', { name: 'Start' }) as HTMLButtonElement).disabled).toBe(true);
    expect(description('Start')).toBe('Cannot start yet: still needed: a vocabulary');
    expect(screen.getByRole('button', { name: 'Start' }).getAttribute('title')).toBe('Cannot start yet: still needed: a vocabulary');
    expect(description('Pause')).toBe('No run is training');
    expect(description('Resume')).toBe('Only a paused run resumes');
    expect(description('Stop')).toBe('No run is in progress');
    expect(description('Evaluate now')).toBe('Train a model first');
  });

  it('offers Evaluate now when paused and after Stop, not while training', () => {
    const { rerender } = render(<RunControls {...props({ status: 'training' })} />);
    expect(description('Evaluate now')).toMatch(/^Pause \(or stop\) the run/);
    rerender(<RunControls {...props({ status: 'paused' })} />);
    expect((screen.getByRole('button', { name: 'Evaluate now' }) as HTMLButtonElement).disabled).toBe(false);
    expect(description('Evaluate now')).toBeNull();
    rerender(<RunControls {...props({ status: 'stopped', hasModel: true })} />);
    expect((screen.getByRole('button', { name: 'Evaluate now' }) as HTMLButtonElement).disabled).toBe(false);
  });

  it('moves focus to Start once a Stop has ended the run', () => {
    const { rerender } = render(<RunControls {...props({ status: 'training' })} />);
    const stop = screen.getByRole('button', { name: 'Stop' });
    stop.focus();
    fireEvent.click(stop);
    rerender(<RunControls {...props({ status: 'stopping' })} />);
    rerender(<RunControls {...props({ status: 'stopped', hasModel: true })} />);
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Start' }));
  });
});

describe('ColumnMapping', () => {
  it("starts from the session's guess and sends the user's choice of text A, text B and label", () => {
    const onChange = vi.fn();
    render(<ColumnMapping columns={['id', 'review', 'title', 'sentiment']} onChange={onChange} />);
    expect((screen.getByTestId('column-text-a') as HTMLSelectElement).value).toBe('id');
    expect((screen.getByTestId('column-text-b') as HTMLSelectElement).value).toBe('review');
    expect((screen.getByTestId('column-label') as HTMLSelectElement).value).toBe('sentiment');
    fireEvent.change(screen.getByTestId('column-text-a'), { target: { value: 'review' } });
    expect(onChange).toHaveBeenLastCalledWith({ textA: 'review', textB: 'review', label: 'sentiment' });
    expect(screen.queryByRole('alert')).toBeNull(); // the value shown is the session's, which has not answered yet
    cleanup();
    render(<ColumnMapping columns={['id', 'review', 'title', 'sentiment']} value={{ textA: 'review', textB: 'review', label: 'sentiment' }} onChange={onChange} />);
    expect(screen.getByRole('alert').textContent).toMatch(/one column is chosen for two roles/i);
    fireEvent.change(screen.getByTestId('column-text-b'), { target: { value: '' } });
    expect(onChange).toHaveBeenLastCalledWith({ textA: 'review', label: 'sentiment' });
  });
});
