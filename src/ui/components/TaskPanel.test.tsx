// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, render, screen } from '@testing-library/react';
import { TaskPanel, skippedText } from './TaskPanel';
import type { TaskDetection } from '../../protocol/events';

afterEach(cleanup);

describe('TaskPanel', () => {
  it('shows the demo task (SQuAD v1.1, generated demo set) during a demo, with nothing dropped', () => {
    render(<TaskPanel detection={null} task="squad" demo overridden={false} onTaskChange={vi.fn()} disabled />);
    const select = screen.getByTestId('task-select') as HTMLSelectElement;
    expect(select.value).toBe('squad');
    expect(select.textContent).not.toContain('(drop a dataset)');
    expect(screen.getByTestId('task-help').textContent).toBe('SQuAD v1.1, generated demo set');
  });

  it('asks for a dataset when there is neither one nor a demo', () => {
    render(<TaskPanel detection={null} task={null} overridden={false} onTaskChange={vi.fn()} />);
    expect((screen.getByTestId('task-select') as HTMLSelectElement).value).toBe('');
    expect(screen.getByTestId('task-select').textContent).toContain('(drop a dataset)');
  });

  it('says how many bad rows were skipped beside the counts', () => {
    const detection: TaskDetection = {
      task: 'mrpc', reason: 'header', candidates: ['mrpc'], labels: ['0', '1'], counts: { train: 3, dev: 0, test: 0 }, skipped: { train: 2, dev: 0, test: 0 },
      model: null, ready: false, missing: [],
    };
    render(<TaskPanel detection={detection} task="mrpc" overridden={false} onTaskChange={vi.fn()} />);
    expect(screen.getByTestId('dataset-counts').textContent).toBe('3 training, 0 dev, 0 test examples · labels: 0, 1 · 2 bad rows skipped (see the log)');
    expect(skippedText({ train: 0, dev: 1, test: 0 })).toBe(' · 1 bad row skipped (see the log)');
    expect(skippedText(undefined)).toBe('');
  });
});
