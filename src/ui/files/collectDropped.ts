/**
 * Turns a drop (files and whole folders) or an <input type="file"> selection into a flat list
 * of files with their relative paths. Folders are walked with the File and Directory Entries
 * API (DataTransferItem.webkitGetAsEntry), reading every batch of readEntries (Chromium hands
 * out at most 100 entries per call).
 */

export interface PickedFile {
  file: File;
  /** Path relative to what was dropped, e.g. "bert-tiny/config.json"; the name for loose files. */
  path: string;
}

/** The subset of the Entries API used here (lets tests pass plain objects). */
export interface EntryLike {
  isFile: boolean;
  isDirectory: boolean;
  name: string;
  fullPath?: string;
}
export interface FileEntryLike extends EntryLike {
  file(success: (f: File) => void, failure?: (e: unknown) => void): void;
}
export interface DirectoryEntryLike extends EntryLike {
  createReader(): { readEntries(success: (entries: EntryLike[]) => void, failure?: (e: unknown) => void): void };
}

/** Entries must be taken synchronously inside the drop handler; the walk can then be async. */
export function entriesFromDataTransfer(dt: DataTransfer): { entries: EntryLike[]; looseFiles: File[] } {
  const entries: EntryLike[] = [];
  const looseFiles: File[] = [];
  const items = dt.items;
  if (items && items.length > 0) {
    for (let i = 0; i < items.length; i++) {
      const item = items[i];
      if (item.kind !== 'file') continue;
      const entry = typeof item.webkitGetAsEntry === 'function' ? item.webkitGetAsEntry() : null;
      if (entry) entries.push(entry as unknown as EntryLike);
      else {
        const f = item.getAsFile();
        if (f) looseFiles.push(f);
      }
    }
  } else {
    for (let i = 0; i < dt.files.length; i++) looseFiles.push(dt.files[i]);
  }
  return { entries, looseFiles };
}

export async function walkEntries(entries: readonly EntryLike[], prefix = ''): Promise<PickedFile[]> {
  const out: PickedFile[] = [];
  for (const entry of entries) {
    const path = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isFile) {
      const file = await new Promise<File>((resolve, reject) => (entry as FileEntryLike).file(resolve, reject));
      out.push({ file, path });
    } else if (entry.isDirectory) {
      const children = await readAllEntries(entry as DirectoryEntryLike);
      children.sort((a, b) => a.name.localeCompare(b.name));
      out.push(...(await walkEntries(children, path)));
    }
  }
  return out;
}

async function readAllEntries(dir: DirectoryEntryLike): Promise<EntryLike[]> {
  const reader = dir.createReader();
  const all: EntryLike[] = [];
  for (;;) {
    const batch = await new Promise<EntryLike[]>((resolve, reject) => reader.readEntries(resolve, reject));
    if (batch.length === 0) return all;
    all.push(...batch);
  }
}

/** Files from <input type="file" multiple> or <input webkitdirectory>. */
export function pickedFromFileList(list: FileList | readonly File[]): PickedFile[] {
  const out: PickedFile[] = [];
  for (let i = 0; i < list.length; i++) {
    const file = list[i];
    out.push({ file, path: file.webkitRelativePath || file.name });
  }
  return out;
}

/** Drops hidden files (".DS_Store", "._x") and files inside hidden folders (".git/"). */
export function withoutHidden(files: readonly PickedFile[]): PickedFile[] {
  return files.filter((f) => !f.path.split('/').some((part) => part.startsWith('.')));
}
