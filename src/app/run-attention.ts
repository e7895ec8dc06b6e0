/**
 * What keeps a user informed while training runs in a tab they are not looking at:
 *   - the page title shows the run's progress ("42% · Tabtune", "Paused 42% · Tabtune",
 *     "Finished · Tabtune");
 *   - a notification when training ends, if the user allowed notifications (asked only when they
 *     press "Notify me when training ends", never on load);
 *   - a Screen Wake Lock while training runs, where the browser has one (taken again when the tab
 *     becomes visible: the browser releases it when the tab is hidden).
 * The training itself runs in the worker, which the browser does not throttle when the tab is
 * hidden; nothing here is needed for it to go on.
 *
 *   const detach = attachRunAttention(store);   // App, once; returns the cleanup
 */
import type { StudioState } from '../state/slices';
import type { StudioStore } from '../state/store';

export const APP_TITLE = 'Tabtune';

type TitleInput = Pick<StudioState, 'status' | 'run' | 'lastStep'>;

/** The page title for a run's state; null when no run is shown (the page's own title then). */
export function runTitle(s: TitleInput, base = APP_TITLE): string | null {
  if (!s.run && s.status !== 'preparing') return null;
  const total = s.run?.totalSteps ?? 0;
  const step = s.lastStep?.step ?? s.run?.resumedFromStep ?? 0;
  const pct = total > 0 ? Math.min(100, Math.floor((100 * step) / total)) : 0;
  switch (s.status) {
    case 'preparing':
      return `Preparing · ${base}`;
    case 'training':
    case 'evaluating':
    case 'stopping':
      return `${pct}% · ${base}`;
    case 'paused':
      return `Paused ${pct}% · ${base}`;
    case 'finished':
      return `Finished · ${base}`;
    case 'stopped':
      return `Stopped · ${base}`;
    case 'failed':
      return `Failed · ${base}`;
    default:
      return null;
  }
}

const TRAINING = new Set<StudioState['status']>(['preparing', 'training', 'evaluating', 'stopping']);
const ENDED = new Set<StudioState['status']>(['finished', 'stopped', 'failed']);

/** The text of the end-of-training notification. */
export function endNotice(s: Pick<StudioState, 'status' | 'run' | 'finished'>): { title: string; body: string } {
  const name = s.run?.runName ?? 'Training';
  const metrics = s.finished ? Object.entries(s.finished.metrics).slice(0, 2).map(([k, v]) => `${k} ${Number.isInteger(v) ? v : v.toFixed(3)}`).join(', ') : '';
  const what = s.status === 'finished' ? 'finished' : s.status === 'stopped' ? 'stopped' : 'failed';
  return { title: `${name} ${what}`, body: `${s.finished ? `step ${s.finished.step}` : ''}${metrics ? ` · ${metrics}` : ''}`.replace(/^ · /, '') || 'Tabtune' };
}

interface WakeLockSentinelLike {
  released: boolean;
  release(): Promise<void>;
}

interface AttentionEnv {
  document: Document;
  /** navigator.wakeLock when the browser has it. */
  wakeLock?: { request(type: 'screen'): Promise<WakeLockSentinelLike> } | null;
  notify?: (title: string, body: string) => void;
}

function defaultNotify(title: string, body: string): void {
  if (typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
  try {
    new Notification(title, { body, tag: 'tabtune-run' });
  } catch {
    // some browsers only allow notifications from a service worker; the title still tells
  }
}

export function attachRunAttention(store: StudioStore, env: Partial<AttentionEnv> = {}): () => void {
  const doc = env.document ?? document;
  const nav = typeof navigator === 'undefined' ? undefined : (navigator as Navigator & { wakeLock?: AttentionEnv['wakeLock'] });
  const wakeLock = env.wakeLock === undefined ? (nav?.wakeLock ?? null) : env.wakeLock;
  const notify = env.notify ?? defaultNotify;
  const idleTitle = doc.title;
  let lock: WakeLockSentinelLike | null = null;
  let wanting = false;
  let prev = store.getState().status;

  const takeLock = (): void => {
    if (!wakeLock || lock || doc.visibilityState !== 'visible') return;
    wakeLock
      .request('screen')
      .then((l) => {
        if (!wanting) void l.release();
        else lock = l;
      })
      .catch(() => undefined); // refused (battery saver, permissions policy): training goes on
  };
  const dropLock = (): void => {
    const l = lock;
    lock = null;
    if (l && !l.released) void l.release().catch(() => undefined);
  };

  const update = (s: StudioState): void => {
    const title = runTitle(s) ?? idleTitle;
    if (doc.title !== title) doc.title = title;
    wanting = TRAINING.has(s.status) || s.status === 'paused';
    if (wanting) takeLock();
    else dropLock();
    if (ENDED.has(s.status) && (TRAINING.has(prev) || prev === 'paused')) {
      const n = endNotice(s);
      notify(n.title, n.body);
    }
    prev = s.status;
  };
  const onVisible = (): void => {
    if (lock?.released) lock = null;
    if (wanting) takeLock();
  };
  update(store.getState());
  const unsubscribe = store.subscribe((s) => update(s));
  doc.addEventListener('visibilitychange', onVisible);
  return () => {
    unsubscribe();
    doc.removeEventListener('visibilitychange', onVisible);
    dropLock();
    doc.title = idleTitle;
  };
}
