/**
 * The run list's truth about kept files (issue 12, part 4). A run record lists the files it
 * kept, but what counts is what the browser's storage (OPFS) still holds, so the page asks the
 * store itself:
 *
 *   keptFilesStates   for each run that recorded kept files: 'kept' (Resume reads them back),
 *                     'unfinished' (a copy cut short) or 'missing' (the site's data was cleared
 *                     or evicted); the run card says which, never "kept" for files that are gone.
 *   freeUnrecordedCopies  copies of dropped files whose run was never recorded (the tab was
 *                     reloaded or closed while the files were being kept, before the run began):
 *                     freed at load, each under its run's Web Lock, so a copy another tab is making
 *                     right now (it holds that lock) is left alone. Returns the freed run ids,
 *                     which the page says in its log.
 * Called by bridge.ts only.
 */
import type { KeptFilesState, RunFileStore, RunRecord } from '../core/io';

export async function keptFilesStates(store: RunFileStore, runs: readonly RunRecord[]): Promise<Record<string, KeptFilesState>> {
  const out: Record<string, KeptFilesState> = {};
  for (const r of runs) {
    if ((r.keptFiles?.length ?? 0) === 0) continue;
    try {
      out[r.id] = await store.keptState(r.id);
    } catch {
      // Unreadable now (a file open elsewhere): no claim either way, the card says what the record says.
    }
  }
  return out;
}

/**
 * `claim` takes the run's lock (false: another tab, or this one, holds it: it may be copying);
 * `release` lets it go after the delete.
 */
export async function freeUnrecordedCopies(
  store: RunFileStore,
  recorded: ReadonlySet<string>,
  claim: (runId: string) => Promise<boolean>,
  release: (runId: string) => void,
): Promise<string[]> {
  const freed: string[] = [];
  for (const id of await store.listRuns()) {
    if (recorded.has(id) || !(await claim(id))) continue;
    try {
      await store.deleteFiles(id);
      freed.push(id);
    } finally {
      release(id);
    }
  }
  return freed;
}
