#!/usr/bin/env node
// Installs what `npm start` / `npm test` need on a fresh clone, using only Node:
//  - npm packages when node_modules is missing or older than package-lock.json;
//  - with --browser: Debian's Chromium (/usr/bin/chromium) for Playwright, via apt-get when
//    running as root; otherwise it says exactly what to install.
import { existsSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const wantBrowser = process.argv.includes('--browser');

function run(cmd, args, opts = {}) {
  process.stderr.write(`[ensure-deps] ${cmd} ${args.join(' ')}\n`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: root, ...opts });
  return r.status === 0;
}

function nodeModulesFresh() {
  const marker = join(root, 'node_modules', '.package-lock.json');
  const lock = join(root, 'package-lock.json');
  if (!existsSync(marker)) return false;
  if (!existsSync(lock)) return true;
  return statSync(marker).mtimeMs >= statSync(lock).mtimeMs - 1000;
}

const [major] = process.versions.node.split('.').map(Number);
if (major < 20) {
  console.error(`Tabtune needs Node.js 20 or newer; this is ${process.versions.node}.`);
  process.exit(1);
}

if (!nodeModulesFresh()) {
  const ok = existsSync(join(root, 'package-lock.json'))
    ? run('npm', ['ci', '--no-audit', '--no-fund'])
    : run('npm', ['install', '--no-audit', '--no-fund']);
  if (!ok) {
    console.error('[ensure-deps] npm could not install the packages (see above).');
    process.exit(1);
  }
}

export const CHROMIUM_CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

if (wantBrowser) {
  const found = process.env.CHROMIUM_PATH || CHROMIUM_CANDIDATES.find((p) => existsSync(p));
  if (!found) {
    const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
    if (isRoot && existsSync('/usr/bin/apt-get')) {
      const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
      if (!run('apt-get', ['update', '-qq'], { env }) || !run('apt-get', ['install', '-y', '-qq', 'chromium'], { env })) {
        console.error('[ensure-deps] apt-get could not install chromium.');
        process.exit(1);
      }
    } else {
      console.error(
        'The browser tests need Chromium at /usr/bin/chromium (Playwright cannot download its own browser here).\n' +
          'Install it with:  sudo apt-get install -y chromium\n' +
          'or point CHROMIUM_PATH at a Chromium/Chrome binary.',
      );
      process.exit(1);
    }
  }
}

// The torchrun job test (src/cli/commands/export-job.test.ts) needs Debian's PyTorch: as root
// with apt, install python3-torch (CPU, with torchrun and gloo) when no python3 imports torch.
if (wantBrowser) {
  const hasTorch = ['python3', '/usr/bin/python3'].some((py) => spawnSync(py, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0);
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!hasTorch && isRoot && existsSync('/usr/bin/apt-get')) {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    if (!run('apt-get', ['update', '-qq'], { env }) || !run('apt-get', ['install', '-y', '-qq', 'python3-torch'], { env })) {
      console.error('[ensure-deps] apt-get could not install python3-torch (needed by the torchrun job test).');
      process.exit(1);
    }
  } else if (!hasTorch) {
    console.error('[ensure-deps] note: no python3 with PyTorch; the torchrun job test needs it (sudo apt-get install -y python3-torch) and fails under CI=true without it.');
  }
}
