import { describe, expect, it } from 'vitest';
import { createFakeLockTable } from '../testing/fake-locks';
import { createRunLocks, runLockName } from './run-lock';

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('run locks', () => {
  it('lets one tab hold a run; the other is refused and sees it held elsewhere until it is released', async () => {
    const table = createFakeLockTable();
    const a = createRunLocks(table.tab());
    const b = createRunLocks(table.tab());
    expect(await a.acquire('r1')).toBe(true);
    expect(a.holds('r1')).toBe(true);
    expect(table.heldNames()).toEqual([runLockName('r1')]);
    expect(await b.acquire('r1')).toBe(false);
    expect(b.holds('r1')).toBe(false);
    expect([...(await b.heldElsewhere())]).toEqual(['r1']);
    expect([...(await a.heldElsewhere())]).toEqual([]);
    // Another run is free for the second tab.
    expect(await b.acquire('r2')).toBe(true);
    expect([...(await a.heldElsewhere())]).toEqual(['r2']);

    a.release('r1');
    await tick();
    expect(table.heldNames()).toEqual([runLockName('r2')]);
    expect(await b.acquire('r1')).toBe(true);
    expect([...(await a.heldElsewhere())].sort()).toEqual(['r1', 'r2']);
  });

  it('re-acquiring a held run is a no-op; concurrent acquires share one request; releaseAll lets every lock go', async () => {
    const table = createFakeLockTable();
    const a = createRunLocks(table.tab());
    const [x, y] = await Promise.all([a.acquire('r'), a.acquire('r')]);
    expect([x, y]).toEqual([true, true]);
    expect(await a.acquire('r')).toBe(true);
    expect(await a.acquire('s')).toBe(true);
    a.releaseAll();
    await tick();
    expect(table.heldNames()).toEqual([]);
    a.release('never-held');
  });

  it('ignores locks that are not run locks, and works without a Web Locks API', async () => {
    const table = createFakeLockTable();
    const other = table.tab();
    void other.request('something-else', { ifAvailable: true }, () => new Promise(() => undefined));
    await tick();
    expect([...(await createRunLocks(table.tab()).heldElsewhere())]).toEqual([]);
    const none = createRunLocks(null);
    expect(await none.acquire('r')).toBe(true);
    expect(none.holds('r')).toBe(true);
    expect([...(await none.heldElsewhere())]).toEqual([]);
  });
});
