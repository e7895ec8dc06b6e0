// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import type { FileReport } from '../../protocol/events';
import { FileList } from './FileList';

afterEach(cleanup);

const files: FileReport[] = [
  { path: 'bert/config.json', size: 620, kind: 'hf-config', description: 'BERT config (2 layers, hidden 32)', accepted: true, use: 'model-config' },
  { path: 'train.tsv', size: 2_048_000, kind: 'glue-tsv', description: 'MRPC train set (3,668 pairs)', accepted: true, use: 'train-data' },
  { path: 'photo.jpg', size: 10, kind: 'unknown', description: 'Unknown file', accepted: false, use: null, reason: 'not a model, vocabulary or dataset file' },
];

describe('FileList', () => {
  it('lists each file with size, what it is and its use, or why it was rejected', () => {
    render(<FileList files={files} />);
    const items = screen.getAllByTestId('file-item');
    expect(items).toHaveLength(3);
    expect(items[0].textContent).toContain('bert/config.json');
    expect(items[0].textContent).toContain('620 B');
    expect(items[0].textContent).toContain('used as model configuration');
    expect(items[1].textContent).toContain('1.95 MB');
    expect(items[1].textContent).toContain('MRPC train set (3,668 pairs) · used as training data');
    expect(items[2].textContent).toContain('rejected: not a model, vocabulary or dataset file');
    expect(items[2].getAttribute('data-accepted')).toBe('false');
  });

  it('shows files still being read, and removes a file', () => {
    const onRemove = vi.fn();
    render(<FileList files={files.slice(0, 1)} pending={['bert/config.json', 'dev.tsv']} onRemove={onRemove} />);
    expect(screen.getAllByTestId('file-item-pending').map((e) => e.textContent)).toEqual(['…dev.tsvreading…']);
    fireEvent.click(screen.getByRole('button', { name: 'Remove bert/config.json' }));
    expect(onRemove).toHaveBeenCalledWith('bert/config.json');
  });
});
