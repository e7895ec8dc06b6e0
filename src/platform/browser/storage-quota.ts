/**
 * This origin's storage as the browser reports it: bytes used and available
 * (navigator.storage.estimate()), whether it is persistent (persisted()), and the request to
 * make it so (persist(): granted, the browser no longer evicts the kept runs and their files
 * under storage pressure). Each answers null where the browser has no StorageManager.
 */
export interface StorageUse {
  usage: number;
  quota: number;
  persisted: boolean;
}

function manager(): StorageManager | undefined {
  return (globalThis.navigator as Navigator | undefined)?.storage;
}

export async function storageUse(): Promise<StorageUse | null> {
  const m = manager();
  if (!m || typeof m.estimate !== 'function') return null;
  const e = await m.estimate();
  const persisted = typeof m.persisted === 'function' ? await m.persisted() : false;
  return { usage: e.usage ?? 0, quota: e.quota ?? 0, persisted };
}

/** Asks for persistent storage (once granted, it stays); true when it is persistent afterwards. */
export async function requestPersistence(): Promise<boolean> {
  const m = manager();
  if (!m || typeof m.persist !== 'function') return false;
  if (typeof m.persisted === 'function' && (await m.persisted())) return true;
  return m.persist();
}
