// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { FillMaskDemo, joinPieces } from './FillMaskDemo';

afterEach(cleanup);

const cand = (token: string, score: number, id = 1) => ({ token, score, id });

describe('FillMaskDemo', () => {
  it('sends the sentence with its [MASK]s, and waits for a [MASK] before it can run', () => {
    const onFill = vi.fn();
    render(<FillMaskDemo onFill={onFill} result={null} pending={false} error={null} enabled />);
    const box = screen.getByLabelText(/A sentence with \[MASK\]/);
    fireEvent.change(box, { target: { value: 'no mask here' } });
    const button = screen.getByRole('button', { name: 'Fill the mask' }) as HTMLButtonElement;
    expect(button.disabled).toBe(true);
    fireEvent.click(screen.getByRole('button', { name: 'Add [MASK]' }));
    expect((box as HTMLTextAreaElement).value).toBe('no mask here [MASK]');
    fireEvent.click(button);
    expect(onFill).toHaveBeenCalledWith('no mask here [MASK]');
  });

  it('shows the top candidates of each mask with their probabilities, and the sentence filled with the best', () => {
    const result = {
      kind: 'fill-mask' as const,
      tokens: ['[CLS]', 'the', '[MASK]', 'was', '[MASK]', '.', '[SEP]'],
      masks: [
        { position: 2, candidates: [cand('patient', 0.6), cand('doctor', 0.2), cand('nurse', 0.1), cand('man', 0.05), cand('child', 0.01)] },
        { position: 4, candidates: [cand('discharged', 0.5), cand('sent', 0.3), cand('home', 0.1), cand('seen', 0.05), cand('admitted', 0.02)] },
      ],
    };
    render(<FillMaskDemo onFill={() => undefined} result={result} pending={false} error={null} enabled />);
    expect(screen.getByTestId('fill-mask-filled').textContent).toBe('the ⟨patient⟩ was ⟨discharged⟩.');
    const lists = screen.getAllByTestId('fill-mask-candidates');
    expect(lists).toHaveLength(2);
    const meters = within(lists[1]).getAllByRole('meter');
    expect(meters.map((m) => m.getAttribute('aria-label'))).toEqual(['discharged probability', 'sent probability', 'home probability', 'seen probability', 'admitted probability']);
    expect(meters[0].getAttribute('aria-valuenow')).toBe('0.5');
  });

  it('says why it is disabled, and shows an error from the session', () => {
    render(<FillMaskDemo onFill={() => undefined} result={null} pending={false} error={{ message: 'has no [MASK] token' }} enabled={false} disabledReason="Train on your text first" />);
    expect(screen.getByText('Train on your text first')).toBeTruthy();
    expect(screen.getByRole('alert').textContent).toBe('has no [MASK] token');
  });

  it('joins WordPieces back into text', () => {
    expect(joinPieces(['[CLS]', 'un', '##believ', '##able', ',', 'really', '!', '[SEP]'])).toBe('unbelievable, really!');
  });
});
