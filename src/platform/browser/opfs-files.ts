/**
 * A run's dropped files (model, vocabulary, datasets) kept in the Origin Private File System, so
 * the run resumes after a reload from the run list alone (core's RunFileStore interface,
 * core/io/run-storage.ts).
 *
 * Layout under the origin's OPFS root:
 *
 *   tabtune-runs/<runId>/f-<n>          the bytes of the run's n-th file (path order)
 *   tabtune-runs/<runId>/manifest.json  [{ path, size, file: 'f-<n>' }], written LAST
 *
 * A copy cut short (a reload mid-copy, a full disk) has no manifest, so it reads as "nothing
 * kept" (keptState: 'unfinished') and the next save or delete replaces it; the page frees such
 * leftovers of runs that were never recorded (src/state/kept-files.ts). Writes go through a sync access handle
 * (createSyncAccessHandle, dedicated workers: no copy through a stream) when the handle has it,
 * else through createWritable (the page); a file is copied in 4 MiB slices, never whole. Reads
 * are File slices (getFile().slice()).
 *
 * The handle types below are the part of the File System API used here, so the unit tests drive
 * the store with an in-memory fake (src/testing/opfs-fake.ts).
 */
import { sourceChunks, totalBytes, type KeptRunFile, type RunFileStore } from '../../core/io';
import type { ByteSource } from '../../core/io';

export interface OpfsWritable {
  write(data: Uint8Array): Promise<void>;
  close(): Promise<void>;
  abort?(reason?: unknown): Promise<void>;
}

export interface OpfsSyncAccessHandle {
  write(data: Uint8Array, options: { at: number }): number;
  truncate(size: number): void;
  flush(): void;
  close(): void;
}

export interface OpfsFileLike {
  readonly size: number;
  slice(begin: number, end: number): { arrayBuffer(): Promise<ArrayBuffer> };
}

export interface OpfsFileHandle {
  readonly kind: 'file';
  readonly name: string;
  getFile(): Promise<OpfsFileLike>;
  createWritable?(): Promise<OpfsWritable>;
  createSyncAccessHandle?(): Promise<OpfsSyncAccessHandle>;
}

export interface OpfsDirectoryHandle {
  readonly kind: 'directory';
  readonly name: string;
  getDirectoryHandle(name: string, options?: { create?: boolean }): Promise<OpfsDirectoryHandle>;
  getFileHandle(name: string, options?: { create?: boolean }): Promise<OpfsFileHandle>;
  removeEntry(name: string, options?: { recursive?: boolean }): Promise<void>;
  keys(): AsyncIterableIterator<string>;
}

export const OPFS_RUNS_DIR = 'tabtune-runs';
const MANIFEST = 'manifest.json';

interface ManifestEntry extends KeptRunFile {
  file: string;
}

function isNotFound(e: unknown): boolean {
  return (e as { name?: string } | null)?.name === 'NotFoundError';
}

/** The origin's OPFS root (undefined where the browser has none). */
export function opfsRoot(): Promise<OpfsDirectoryHandle> | undefined {
  const storage = (globalThis.navigator as Navigator | undefined)?.storage;
  if (!storage || typeof storage.getDirectory !== 'function') return undefined;
  return storage.getDirectory() as unknown as Promise<OpfsDirectoryHandle>;
}

/** Whether this browser has the Origin Private File System. */
export function hasOpfs(): boolean {
  const storage = (globalThis.navigator as Navigator | undefined)?.storage;
  return !!storage && typeof storage.getDirectory === 'function';
}

async function writeFile(handle: OpfsFileHandle, source: ByteSource, onBytes: (n: number) => void): Promise<void> {
  if (handle.createSyncAccessHandle) {
    const sync = await handle.createSyncAccessHandle();
    try {
      sync.truncate(0);
      let at = 0;
      for await (const chunk of sourceChunks(source)) {
        let written = 0;
        while (written < chunk.byteLength) written += sync.write(chunk.subarray(written), { at: at + written });
        at += chunk.byteLength;
        onBytes(chunk.byteLength);
      }
      sync.flush();
    } finally {
      sync.close();
    }
    return;
  }
  if (!handle.createWritable) throw new Error(`the Origin Private File System cannot write ${handle.name} in this browser`);
  const w = await handle.createWritable();
  try {
    for await (const chunk of sourceChunks(source)) {
      await w.write(chunk);
      onBytes(chunk.byteLength);
    }
  } catch (e) {
    await w.abort?.(e).catch(() => undefined);
    throw e;
  }
  await w.close();
}

async function readJson(dir: OpfsDirectoryHandle, name: string): Promise<unknown> {
  const file = await (await dir.getFileHandle(name)).getFile();
  return JSON.parse(new TextDecoder().decode(await file.slice(0, file.size).arrayBuffer()));
}

function isManifest(v: unknown): v is ManifestEntry[] {
  return Array.isArray(v) && v.every((e) => e && typeof e.path === 'string' && typeof e.size === 'number' && typeof e.file === 'string');
}

/**
 * The RunFileStore over OPFS. `root` gives the OPFS root (default: navigator.storage.getDirectory());
 * it is asked once.
 */
export function createOpfsRunFileStore(root: () => Promise<OpfsDirectoryHandle> | undefined = opfsRoot): RunFileStore {
  let runsDir: Promise<OpfsDirectoryHandle> | null = null;
  const runs = (): Promise<OpfsDirectoryHandle> => {
    runsDir ??= (async () => {
      const r = root();
      if (!r) throw new Error('this browser has no Origin Private File System: dropped files cannot be kept');
      return (await r).getDirectoryHandle(OPFS_RUNS_DIR, { create: true });
    })();
    runsDir.catch(() => (runsDir = null));
    return runsDir;
  };
  const runDir = async (runId: string, create: boolean): Promise<OpfsDirectoryHandle | null> => {
    try {
      return await (await runs()).getDirectoryHandle(encodeURIComponent(runId), { create });
    } catch (e) {
      if (isNotFound(e)) return null;
      throw e;
    }
  };
  const manifest = async (runId: string): Promise<{ dir: OpfsDirectoryHandle; entries: ManifestEntry[] } | null> => {
    const dir = await runDir(runId, false);
    if (!dir) return null;
    let json: unknown;
    try {
      json = await readJson(dir, MANIFEST);
    } catch (e) {
      if (isNotFound(e) || e instanceof SyntaxError) return null; // an unfinished copy
      throw e;
    }
    return isManifest(json) ? { dir, entries: json } : null;
  };
  const deleteFiles = async (runId: string): Promise<void> => {
    try {
      await (await runs()).removeEntry(encodeURIComponent(runId), { recursive: true });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  };

  return {
    async saveFiles(runId, files, onProgress) {
      await deleteFiles(runId);
      const dir = (await runDir(runId, true))!;
      const sorted = [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
      const total = totalBytes(sorted.map((f) => f.source));
      const entries: ManifestEntry[] = [];
      let done = 0;
      try {
        for (let i = 0; i < sorted.length; i++) {
          const f = sorted[i];
          const name = `f-${i}`;
          await writeFile(await dir.getFileHandle(name, { create: true }), f.source, (n) => {
            done += n;
            onProgress?.(done, total);
          });
          entries.push({ path: f.path, size: f.source.size, file: name });
        }
        const json = new TextEncoder().encode(JSON.stringify(entries));
        await writeFile(await dir.getFileHandle(MANIFEST, { create: true }), { name: MANIFEST, size: json.byteLength, read: async (b, e) => json.subarray(b, e) }, () => undefined);
      } catch (e) {
        await deleteFiles(runId).catch(() => undefined);
        throw e;
      }
      return entries.map(({ path, size }) => ({ path, size }));
    },
    async listFiles(runId) {
      const m = await manifest(runId);
      return m ? m.entries.map(({ path, size }) => ({ path, size })) : [];
    },
    async openFiles(runId) {
      const m = await manifest(runId);
      if (!m) return [];
      const out: Array<{ path: string; source: ByteSource }> = [];
      for (const e of m.entries) {
        const file = await (await m.dir.getFileHandle(e.file)).getFile();
        if (file.size !== e.size) throw new Error(`the kept copy of ${e.path} has ${file.size} bytes, ${e.size} were written: the browser's storage lost part of it`);
        out.push({ path: e.path, source: { name: e.path, size: file.size, read: async (b, end) => new Uint8Array(await file.slice(b, end).arrayBuffer()) } });
      }
      return out;
    },
    deleteFiles,
    async listRuns() {
      const ids: string[] = [];
      for await (const k of (await runs()).keys()) ids.push(decodeURIComponent(k));
      return ids;
    },
    async keptState(runId) {
      if (await manifest(runId)) return 'kept';
      return (await runDir(runId, false)) ? 'unfinished' : 'missing';
    },
  };
}
