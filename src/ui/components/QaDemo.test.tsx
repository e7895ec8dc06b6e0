// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { QaDemo } from './QaDemo';

afterEach(cleanup);

const context = 'The Vltava flows through Prague. Prague was founded in 870.';
const answer = (text: string, start: number, probability: number) => ({ text, start, end: start + text.length, probability, startLogit: 3, endLogit: 2 });

describe('QaDemo', () => {
  it('sends the labelled Context and Question when "Answer" is pressed', () => {
    const onAsk = vi.fn();
    render(<QaDemo onAsk={onAsk} result={null} resultContext={null} pending={false} error={null} enabled />);
    const button = screen.getByRole('button', { name: 'Answer' });
    expect((button as HTMLButtonElement).disabled).toBe(true);
    fireEvent.change(screen.getByLabelText('Context'), { target: { value: context } });
    fireEvent.change(screen.getByLabelText('Question'), { target: { value: 'Which river flows through Prague?' } });
    fireEvent.click(button);
    expect(onAsk).toHaveBeenCalledWith(context, 'Which river flows through Prague?');
  });

  it('marks the answer span in the context with its probability and the n-best list', () => {
    const best = answer('Vltava', 4, 0.82);
    render(
      <QaDemo
        onAsk={() => undefined}
        result={{ kind: 'qa', best, nbest: [best, answer('870', 55, 0.1)], windows: 1 }}
        resultContext={context}
        pending={false}
        error={null}
        enabled
      />,
    );
    const mark = screen.getByTestId('answer-mark');
    expect(mark.tagName).toBe('MARK');
    expect(mark.textContent).toBe('Vltava');
    expect(mark.parentElement?.textContent).toBe(context);
    expect(screen.getByTestId('qa-answer').textContent).toBe('Vltava');
    expect(screen.getByTestId('qa-result').querySelector('p')?.textContent).toContain('(82% · 1 window)');
    const rows = screen.getByTestId('nbest-table').querySelectorAll('tbody tr');
    expect(rows).toHaveLength(2);
    expect(rows[1].textContent).toContain('870');
  });

  it('says so when there is no answer, and is disabled without a model', () => {
    render(<QaDemo onAsk={() => undefined} result={{ kind: 'qa', best: null, nbest: [], windows: 2 }} resultContext={context} pending={false} error={null} enabled={false} disabledReason="Train a model first." />);
    expect(screen.queryByTestId('answer-mark')).toBeNull();
    expect(screen.getByTestId('qa-answer').textContent).toMatch(/no answer/);
    expect(screen.getByText('Train a model first.')).toBeTruthy();
  });

  it('fills the boxes from a held-out demo question', () => {
    render(
      <QaDemo
        onAsk={() => undefined}
        result={null}
        resultContext={null}
        pending={false}
        error={null}
        enabled
        suggestions={[{ qasId: 'd1', context: 'Ana was born in 1901.', question: 'When was Ana born?', answer: '1901' }]}
      />,
    );
    expect((screen.getByLabelText('Context') as HTMLTextAreaElement).value).toBe('Ana was born in 1901.');
    expect((screen.getByLabelText('Question') as HTMLInputElement).value).toBe('When was Ana born?');
  });
});
