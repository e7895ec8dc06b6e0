/**
 * bench/studio-ab: the two studios under test, each a production build (`vite build`, the tree's
 * own Vite and vite.config.ts) served by the tree's own `vite preview` on its own port. Same mode
 * for both builds.
 *   oldTree(spec, repoRoot, workDir)  /work/wt/old (default) or a path as given; with a git ref
 *                                     (`--old <ref>`): a detached `git worktree add` under workDir
 *                                     with node_modules hard-linked from this tree (removed by
 *                                     `dispose`); nothing is committed there
 *   buildAndServe(tree, outDir, port) builds into outDir (under /tmp) and starts the static server
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { waitForUrl } from '../common/wait-for-url.mjs';

export interface Tree {
  label: 'old' | 'new';
  dir: string;
  commit: string;
  /** Undo what oldTree created (a worktree); a no-op for a tree that was given. */
  dispose(): void;
}

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();
}

/** What the studio is built from; a commit that touches only bench/, e2e/ or docs does not change it. */
const APP_PATHS = ['src', 'index.html', 'public', 'vite.config.ts', 'package.json', 'package-lock.json'];

/** This tree; `commit` is the last commit that changed the app (plus "+dirty" with uncommitted app changes). */
export function currentTree(repoRoot: string): Tree {
  const commit = git(repoRoot, 'log', '-1', '--format=%h', '--', ...APP_PATHS);
  const dirty = git(repoRoot, 'status', '--porcelain', '--', ...APP_PATHS) !== '';
  return { label: 'new', dir: repoRoot, commit: dirty ? `${commit}+dirty` : commit, dispose: () => {} };
}

/** `spec`: a directory holding a checked-out tree with node_modules, or a git ref of this repository. */
export function oldTree(spec: string, repoRoot: string, workDir: string): Tree {
  const asDir = resolve(spec);
  if (existsSync(join(asDir, 'package.json'))) {
    if (!existsSync(join(asDir, 'node_modules', '.bin', 'vite'))) throw new Error(`studio-ab: ${asDir} has no node_modules/.bin/vite (the old tree needs its dependencies)`);
    return { label: 'old', dir: asDir, commit: git(asDir, 'rev-parse', '--short', 'HEAD'), dispose: () => {} };
  }
  let sha: string;
  try {
    sha = git(repoRoot, 'rev-parse', '--short', `${spec}^{commit}`);
  } catch {
    throw new Error(`studio-ab: --old ${spec} is neither a directory with package.json nor a commit of ${repoRoot}`);
  }
  const dir = join(workDir, `old-${sha}`);
  if (!existsSync(dir)) {
    mkdirSync(workDir, { recursive: true });
    git(repoRoot, 'worktree', 'add', '--detach', dir, sha);
    // Hard links: no copy of the bytes, and no npm install (these machines have no registry access for it).
    execFileSync('cp', ['-al', join(repoRoot, 'node_modules'), join(dir, 'node_modules')]);
  }
  return {
    label: 'old',
    dir,
    commit: sha,
    dispose: () => {
      git(repoRoot, 'worktree', 'remove', '--force', dir);
    },
  };
}


export interface Served {
  url: string;
  stop(): void;
}

export async function buildAndServe(tree: Tree, outDir: string, port: number): Promise<Served> {
  const vite = join(tree.dir, 'node_modules', '.bin', 'vite');
  process.stderr.write(`studio-ab: building ${tree.label} (${tree.commit}, ${tree.dir}) into ${outDir}\n`);
  try {
    execFileSync(vite, ['build', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'error'], { cwd: tree.dir, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string };
    throw new Error(`studio-ab: vite build failed in ${tree.dir}:\n${err.stdout ?? ''}${err.stderr ?? ''}`);
  }
  const child = spawn(vite, ['preview', '--outDir', outDir, '--port', String(port), '--strictPort', '--host', '127.0.0.1'], {
    cwd: tree.dir,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  await waitForUrl(url, 60_000);
  return { url, stop: () => void child.kill('SIGTERM') };
}
