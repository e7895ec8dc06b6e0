// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { HardestExamples } from './HardestExamples';
import { PredictionTable } from './PredictionTable';
import type { PredictionRow } from '../results/predictionRows';

afterEach(cleanup);

const rows: PredictionRow[] = Array.from({ length: 23 }, (_, i) => ({
  id: `ex-${i}`,
  input: `text ${i}`,
  gold: i % 3 === 0 ? 'pos' : 'neg',
  predicted: 'neg',
  loss: i / 10,
  textA: `text ${i}`,
}));

describe('PredictionTable', () => {
  it('shows a page, then adds pages on "Show more" until every row is shown', () => {
    render(<PredictionTable rows={rows} testId="t" rowTestId="r" showInput showGold firstPage={10} morePage={10} />);
    expect(screen.getAllByTestId('r')).toHaveLength(10);
    fireEvent.click(screen.getByRole('button', { name: 'Show 10 more' }));
    expect(screen.getAllByTestId('r')).toHaveLength(20);
    fireEvent.click(screen.getByRole('button', { name: 'Show 3 more' }));
    expect(screen.getAllByTestId('r')).toHaveLength(23);
    expect(screen.queryByRole('button', { name: /more/ })).toBeNull();
  });

  it('draws only the columns asked for, marks right and wrong predictions, and names an empty answer', () => {
    const squad: PredictionRow[] = [{ id: 'q1', predicted: '' }, { id: 'q2', predicted: 'Paris' }];
    render(<PredictionTable rows={squad} testId="t" showInput={false} showGold={false} firstPage={10} morePage={10} />);
    const headers = within(screen.getByTestId('t')).getAllByRole('columnheader').map((h) => h.textContent);
    expect(headers).toEqual(['Id', 'Predicted']);
    expect(screen.getByText('no answer').tagName).toBe('EM');
    cleanup();
    render(<PredictionTable rows={rows.slice(0, 2)} testId="t" rowTestId="r" showInput showGold showLoss firstPage={10} morePage={10} />);
    const [ex0, ex1] = screen.getAllByTestId('r');
    expect(within(ex1).getAllByRole('cell')[3].style.color).toBe('var(--ok)'); // ex-1: gold neg, predicted neg
    expect(within(ex0).getAllByRole('cell')[3].style.color).toBe('var(--bad)'); // ex-0: gold pos, predicted neg
    expect(within(ex0).getAllByRole('cell')[4].textContent).toBe('0.000');
  });

  it('offers "Look inside" only for rows that carry their texts', () => {
    const onInspect = vi.fn();
    render(<PredictionTable rows={[rows[0], { id: 'no-text', gold: 'pos', predicted: 'neg' }]} testId="t" showInput showGold onInspect={onInspect} firstPage={10} morePage={10} />);
    const buttons = screen.getAllByRole('button', { name: /Look inside example/ });
    expect(buttons).toHaveLength(1);
    fireEvent.click(buttons[0]);
    expect(onInspect).toHaveBeenCalledWith(rows[0]);
  });
});

describe('HardestExamples', () => {
  it('lists the highest-loss examples first, ten at a time, and a cell narrows them to its pairs', () => {
    const onClearCell = vi.fn();
    const { rerender } = render(<HardestExamples rows={rows} cell={null} onClearCell={onClearCell} />);
    const losses = screen.getAllByTestId('hardest-row').map((r) => Number(within(r).getAllByRole('cell')[4].textContent));
    expect(losses).toEqual([...losses].sort((a, b) => b - a));
    expect(losses).toHaveLength(10);
    expect(losses[0]).toBeCloseTo(2.2);
    rerender(<HardestExamples rows={rows} cell={{ gold: 'pos', predicted: 'neg' }} onClearCell={onClearCell} />);
    const cellRows = screen.getAllByTestId('hardest-row');
    expect(cellRows).toHaveLength(8); // ids 0, 3, ..., 21
    for (const r of cellRows) expect([r.dataset.gold, r.dataset.predicted]).toEqual(['pos', 'neg']);
    fireEvent.click(screen.getByRole('button', { name: 'Show all examples' }));
    expect(onClearCell).toHaveBeenCalled();
  });
});
