/**
 * An in-memory fake of the part of the File System API that src/platform/browser/opfs-files.ts
 * uses (directory and file handles, createWritable, createSyncAccessHandle, getFile slices), with
 * the browser's errors (NotFoundError, InvalidModificationError for a non-empty directory removed
 * without `recursive`, NoModificationAllowedError for a second sync handle on one file) and a
 * quota that fails a write with QuotaExceededError. For unit tests only.
 */
import type { OpfsDirectoryHandle, OpfsFileHandle, OpfsFileLike, OpfsSyncAccessHandle, OpfsWritable } from '../platform/browser/opfs-files';

function domError(name: string, message: string): Error {
  const e = new Error(message);
  e.name = name;
  return e;
}

interface FakeFile {
  bytes: Uint8Array;
  locked: boolean;
}

export interface FakeOpfs {
  root: OpfsDirectoryHandle;
  /** Bytes held by every file. */
  usedBytes(): number;
  /** Paths of every file ('dir/sub/file'). */
  paths(): string[];
  /** Writes beyond this many bytes in total fail (QuotaExceededError). */
  quota: number;
}

export function createFakeOpfs(options: { sync?: boolean; writable?: boolean; quota?: number } = {}): FakeOpfs {
  const sync = options.sync ?? true;
  const writable = options.writable ?? true;
  type Dir = Map<string, Dir | FakeFile>;
  const top: Dir = new Map();
  const fs: FakeOpfs = {
    root: null as unknown as OpfsDirectoryHandle,
    quota: options.quota ?? Infinity,
    usedBytes() {
      let n = 0;
      const walk = (d: Dir) => {
        for (const v of d.values()) {
          if (v instanceof Map) walk(v);
          else n += v.bytes.byteLength;
        }
      };
      walk(top);
      return n;
    },
    paths() {
      const out: string[] = [];
      const walk = (d: Dir, prefix: string) => {
        for (const [k, v] of d) {
          if (v instanceof Map) walk(v, `${prefix}${k}/`);
          else out.push(prefix + k);
        }
      };
      walk(top, '');
      return out.sort();
    },
  };
  const grow = (f: FakeFile, end: number): void => {
    if (end <= f.bytes.byteLength) return;
    if (fs.usedBytes() + (end - f.bytes.byteLength) > fs.quota) throw domError('QuotaExceededError', 'the quota is exceeded');
    const next = new Uint8Array(end);
    next.set(f.bytes);
    f.bytes = next;
  };
  const fileLike = (bytes: Uint8Array): OpfsFileLike => ({
    size: bytes.byteLength,
    slice: (b, e) => ({ arrayBuffer: async () => bytes.slice(b, e).buffer }),
  });
  const fileHandle = (name: string, f: FakeFile): OpfsFileHandle => {
    const h: OpfsFileHandle = {
      kind: 'file',
      name,
      async getFile() {
        if (f.locked) throw domError('NoModificationAllowedError', `${name} is open in a sync access handle`);
        return fileLike(f.bytes.slice());
      },
    };
    if (writable) {
      h.createWritable = async (): Promise<OpfsWritable> => {
        // Like the browser: writes go to a swap copy that replaces the file on close().
        const swap: FakeFile = { bytes: new Uint8Array(0), locked: false };
        let closed = false;
        return {
          async write(data) {
            if (closed) throw domError('TypeError', 'the stream is closed');
            grow(swap, swap.bytes.byteLength + data.byteLength);
            swap.bytes.set(data, swap.bytes.byteLength - data.byteLength);
          },
          async close() {
            closed = true;
            f.bytes = swap.bytes;
          },
          async abort() {
            closed = true;
          },
        };
      };
    }
    if (sync) {
      h.createSyncAccessHandle = async (): Promise<OpfsSyncAccessHandle> => {
        if (f.locked) throw domError('NoModificationAllowedError', `${name} already has an open sync access handle`);
        f.locked = true;
        return {
          write(data, { at }) {
            grow(f, at + data.byteLength);
            f.bytes.set(data, at);
            return data.byteLength;
          },
          truncate(size) {
            f.bytes = f.bytes.slice(0, size);
          },
          flush() {},
          close() {
            f.locked = false;
          },
        };
      };
    }
    return h;
  };
  const dirHandle = (name: string, d: Dir): OpfsDirectoryHandle => ({
    kind: 'directory',
    name,
    async getDirectoryHandle(child, o = {}) {
      let v = d.get(child);
      if (v === undefined) {
        if (!o.create) throw domError('NotFoundError', `no directory ${child}`);
        v = new Map();
        d.set(child, v);
      }
      if (!(v instanceof Map)) throw domError('TypeMismatchError', `${child} is a file`);
      return dirHandle(child, v);
    },
    async getFileHandle(child, o = {}) {
      let v = d.get(child);
      if (v === undefined) {
        if (!o.create) throw domError('NotFoundError', `no file ${child}`);
        v = { bytes: new Uint8Array(0), locked: false };
        d.set(child, v);
      }
      if (v instanceof Map) throw domError('TypeMismatchError', `${child} is a directory`);
      return fileHandle(child, v);
    },
    async removeEntry(child, o = {}) {
      const v = d.get(child);
      if (v === undefined) throw domError('NotFoundError', `no entry ${child}`);
      if (v instanceof Map && v.size > 0 && !o.recursive) throw domError('InvalidModificationError', `${child} is not empty`);
      d.delete(child);
    },
    async *keys() {
      for (const k of [...d.keys()]) yield k;
    },
  });
  fs.root = dirHandle('', top);
  return fs;
}
