// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { ErrorList, groupErrors } from './ErrorList';

afterEach(cleanup);

const tsvError = { id: 1, message: 'train.tsv, line 7: wrong number of columns (expected 5 tab-separated columns)', file: 'train.tsv', location: 'line 7', expected: '5 tab-separated columns', code: 'tsv-columns' };

describe('ErrorList', () => {
  it('announces errors in a role="alert" region naming file, place and what was expected', () => {
    render(<ErrorList errors={[tsvError]} onDismiss={() => undefined} />);
    const alert = screen.getByRole('alert');
    expect(alert.textContent).toContain(tsvError.message);
    expect(alert.textContent).toContain('Filetrain.tsv');
    expect(alert.textContent).toContain('Whereline 7');
    expect(alert.textContent).toContain('Expected5 tab-separated columns');
  });

  it('groups identical errors with a count and dismisses all of them at once', () => {
    const onDismiss = vi.fn();
    render(<ErrorList errors={[tsvError, { ...tsvError, id: 2 }, { id: 3, message: 'other', fatal: true, lastCheckpointStep: 40 }]} onDismiss={onDismiss} onDismissAll={() => undefined} />);
    expect(screen.getAllByTestId('error-item')).toHaveLength(2);
    expect(screen.getByText('×2')).toBeTruthy();
    expect(screen.getByText(/last checkpoint \(step 40\) is kept/)).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: `Dismiss error: ${tsvError.message}` }));
    expect(onDismiss).toHaveBeenCalledWith([1, 2]);
  });

  it('groupErrors keeps the newest occurrence last', () => {
    const g = groupErrors([{ id: 1, message: 'a' }, { id: 2, message: 'b' }, { id: 3, message: 'a' }]);
    expect(g.map((e) => [e.message, e.count, e.ids])).toEqual([
      ['b', 1, [2]],
      ['a', 2, [1, 3]],
    ]);
  });
});
