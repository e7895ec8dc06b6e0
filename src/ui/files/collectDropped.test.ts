import { describe, expect, it } from 'vitest';
import { pickedFromFileList, walkEntries, withoutHidden, type DirectoryEntryLike, type EntryLike, type FileEntryLike } from './collectDropped';

function fileEntry(name: string): FileEntryLike {
  return { isFile: true, isDirectory: false, name, file: (ok) => ok(new File([name], name)) };
}
/** A directory whose reader hands out entries in batches (Chromium gives at most 100 per call). */
function dirEntry(name: string, children: EntryLike[], batch = 2): DirectoryEntryLike {
  return {
    isFile: false,
    isDirectory: true,
    name,
    createReader() {
      let pos = 0;
      return {
        readEntries(ok) {
          const out = children.slice(pos, pos + batch);
          pos += out.length;
          setTimeout(() => ok(out), 0);
        },
      };
    },
  };
}

describe('walkEntries', () => {
  it('walks nested folders, reads every batch, keeps relative paths', async () => {
    const tree = [
      dirEntry('bert-tiny', [fileEntry('vocab.txt'), fileEntry('config.json'), fileEntry('model.safetensors'), dirEntry('extra', [fileEntry('notes.md')])]),
      fileEntry('train.tsv'),
    ];
    const files = await walkEntries(tree);
    expect(files.map((f) => f.path)).toEqual(['bert-tiny/config.json', 'bert-tiny/extra/notes.md', 'bert-tiny/model.safetensors', 'bert-tiny/vocab.txt', 'train.tsv']);
    expect(await files[4].file.text()).toBe('train.tsv');
  });

  it('reports a file that cannot be read', async () => {
    const broken: FileEntryLike = { isFile: true, isDirectory: false, name: 'x', file: (_ok, fail) => fail?.(new Error('permission denied')) };
    await expect(walkEntries([broken])).rejects.toThrow('permission denied');
  });
});

describe('file lists', () => {
  it('keeps webkitRelativePath from a folder picker and drops hidden files', () => {
    const a = new File(['a'], 'config.json');
    Object.defineProperty(a, 'webkitRelativePath', { value: 'bert/config.json' });
    const b = new File(['b'], 'train.tsv');
    const picked = pickedFromFileList([a, b]);
    expect(picked.map((p) => p.path)).toEqual(['bert/config.json', 'train.tsv']);
    const withHidden = [...picked, { file: b, path: 'bert/.DS_Store' }, { file: b, path: '.git/config' }];
    expect(withoutHidden(withHidden).map((p) => p.path)).toEqual(['bert/config.json', 'train.tsv']);
  });
});
