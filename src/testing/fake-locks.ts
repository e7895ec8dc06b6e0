/**
 * An in-memory Web Locks API shared by several "tabs" (tests of state/run-lock.ts and the bridge):
 * exclusive locks only, `ifAvailable` grants at once or calls back with null, `query()` lists the
 * held locks of every tab. Each tab is a LockManagerLike over the same table.
 */
import type { LockManagerLike } from '../state/run-lock';

export function createFakeLockTable(): { tab(): LockManagerLike; heldNames(): string[] } {
  const held = new Set<string>();
  const tab = (): LockManagerLike => ({
    async request(name, options, callback) {
      if (held.has(name)) {
        if (options.ifAvailable) return callback(null);
        throw new Error('the fake lock table only supports ifAvailable requests');
      }
      held.add(name);
      try {
        return await callback({ name });
      } finally {
        held.delete(name);
      }
    },
    async query() {
      return { held: [...held].map((name) => ({ name })), pending: [] };
    },
  });
  return { tab, heldNames: () => [...held] };
}
