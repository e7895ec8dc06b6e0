/**
 * A Chromium started by a spec itself (not by Playwright), for what Playwright's own launch
 * cannot give: a page without CDP focus emulation (studio-hidden.spec.ts). Same binary and flags
 * as e2e/chromium.mjs, headless, a DevTools port, a throwaway profile.
 *
 * Shutdown is what makes this file worth having. Chromium is a tree of processes (zygotes, GPU
 * process, network and storage services, renderers) that all write into the profile. Killing
 * only the browser process leaves the others running until they notice; a GPU process busy in a
 * SwiftShader submit can take many seconds, and removing the profile meanwhile failed in CI with
 * ENOTEMPTY even with retries. So the browser is started as the leader of its own process group
 * (`detached`), asked to close through CDP (Browser.close: a clean exit that flushes the profile),
 * and then every process still in its group is killed and waited for (zombies excepted: a
 * container's PID 1 may never reap them) before the profile is removed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from '@playwright/test';
import { CHROMIUM_ARGS, chromiumPath } from './chromium.mjs';

export interface OwnChromium {
  /** http://127.0.0.1:<port>, for chromium.connectOverCDP. */
  endpoint: string;
  /**
   * Closes the browser (through `connected`'s CDP when given), waits for every process of it to
   * end, and removes its profile.
   */
  close(connected?: Browser | null): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Live (not zombie) processes whose process group is `pgid`, from /proc. */
function liveInGroup(pgid: number): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // ended while listed
    }
    // pid (comm) state ppid pgrp ...: comm may hold spaces and parentheses, so split after the last ')'.
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(pgrp) === pgid && state !== 'Z') pids.push(Number(entry));
  }
  return pids;
}

async function waitUntil(done: () => boolean, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(100)) if (done()) return true;
  return done();
}

export async function launchOwnChromium(extraArgs: string[] = []): Promise<OwnChromium> {
  const profile = mkdtempSync(join(tmpdir(), 'tabtune-chromium-'));
  const env = { ...process.env };
  // Headless: an X display the browser cannot reach would only make it look for one.
  delete env.DISPLAY;
  const exe = chromiumPath();
  if (!exe) throw new Error('no Chromium at /usr/bin/chromium (or CHROMIUM_PATH): npm test installs it (scripts/ensure-deps.mjs)');
  const child: ChildProcess = spawn(exe, [...CHROMIUM_ARGS, '--headless', ...extraArgs, '--remote-debugging-port=0', `--user-data-dir=${profile}`, 'about:blank'], {
    env,
    stdio: 'ignore',
    detached: true, // its own process group: the whole tree can be found and ended
  });
  const pgid = child.pid!;
  const exited = new Promise<void>((r) => (child.exitCode !== null ? r() : child.once('exit', () => r())));

  const close = async (connected?: Browser | null) => {
    if (connected && child.exitCode === null) {
      // A clean exit first: the browser flushes its profile and ends its children itself.
      try {
        const session = await connected.newBrowserCDPSession();
        await Promise.race([session.send('Browser.close'), sleep(5_000)]);
      } catch {
        // The connection is gone already (the browser closed it): the kill below ends what is left.
      }
      await Promise.race([exited, sleep(15_000)]);
    }
    await connected?.close().catch(() => undefined);
    if (liveInGroup(pgid).length > 0) {
      try {
        process.kill(-pgid, 'SIGKILL');
      } catch {
        // the group ended between the check and the kill
      }
    }
    if (!(await waitUntil(() => liveInGroup(pgid).length === 0, 30_000))) {
      throw new Error(`Chromium's processes ${liveInGroup(pgid).join(', ')} (group ${pgid}) did not end within 30 s of SIGKILL`);
    }
    rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
  };

  const portFile = join(profile, 'DevToolsActivePort');
  for (let i = 0; i < 300 && child.exitCode === null; i++) {
    if (existsSync(portFile)) {
      const port = readFileSync(portFile, 'utf8').split('\n')[0];
      if (/^\d+$/.test(port)) {
        return { endpoint: `http://127.0.0.1:${port}`, close };
      }
    }
    await sleep(100);
  }
  const code = child.exitCode;
  await close();
  throw new Error(`Chromium (${exe}) did not open its DevTools port (exit code ${code})`);
}
