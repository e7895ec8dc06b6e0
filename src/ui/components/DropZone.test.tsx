// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import type { PickedFile } from '../files/collectDropped';
import { DropZone } from './DropZone';

afterEach(cleanup);

const fileEntry = (name: string) => ({ isFile: true, isDirectory: false, name, file: (ok: (f: File) => void) => ok(new File([name], name)) });
const dirEntry = (name: string, children: unknown[]) => ({
  isFile: false,
  isDirectory: true,
  name,
  createReader: () => {
    let done = false;
    return { readEntries: (ok: (e: unknown[]) => void) => { ok(done ? [] : children); done = true; } };
  },
});

describe('DropZone', () => {
  it('has labelled "Choose files" and "Choose folder" inputs', () => {
    render(<DropZone onFiles={() => undefined} />);
    const files = screen.getByLabelText('Choose files') as HTMLInputElement;
    expect(files.type).toBe('file');
    expect(files.multiple).toBe(true);
    expect(screen.getByLabelText('Choose folder').hasAttribute('webkitdirectory')).toBe(true);
  });

  it('walks a dropped folder and skips hidden files', async () => {
    const onFiles = vi.fn<(f: PickedFile[]) => void>();
    render(<DropZone onFiles={onFiles} />);
    const items = [
      { kind: 'file', webkitGetAsEntry: () => dirEntry('bert', [fileEntry('config.json'), fileEntry('.DS_Store'), fileEntry('vocab.txt')]), getAsFile: () => null },
      { kind: 'file', webkitGetAsEntry: () => fileEntry('train.tsv'), getAsFile: () => null },
      { kind: 'string', webkitGetAsEntry: () => null, getAsFile: () => null },
    ];
    fireEvent.drop(screen.getByTestId('drop-zone'), { dataTransfer: { items, files: [] } });
    await waitFor(() => expect(onFiles).toHaveBeenCalledTimes(1));
    expect(onFiles.mock.calls[0][0].map((p) => p.path)).toEqual(['bert/config.json', 'bert/vocab.txt', 'train.tsv']);
  });

  it('passes files picked with the input', () => {
    const onFiles = vi.fn<(f: PickedFile[]) => void>();
    render(<DropZone onFiles={onFiles} />);
    const f = new File(['x'], 'dev.tsv');
    fireEvent.change(screen.getByLabelText('Choose files'), { target: { files: [f] } });
    expect(onFiles.mock.calls[0][0]).toEqual([{ file: f, path: 'dev.tsv' }]);
  });
});
