/**
 * Test helper: resolves `../shared` (ground truth beside the repository) and fails with a
 * clear message when it is missing. Tests reference fixtures by path; nothing is copied.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const SHARED = resolve(REPO_ROOT, '../shared');

export function sharedPath(...parts: string[]): string {
  const p = resolve(SHARED, ...parts);
  if (!existsSync(p)) {
    throw new Error(`missing ground-truth file ${p}: the tests expect ../shared (fixtures and datasets) beside the repository`);
  }
  return p;
}

export function readShared(...parts: string[]): string {
  return readFileSync(sharedPath(...parts), 'utf8');
}

export function readSharedBytes(...parts: string[]): Uint8Array {
  return new Uint8Array(readFileSync(sharedPath(...parts)));
}

export function readJsonl<T = unknown>(...parts: string[]): T[] {
  return readShared(...parts)
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as T);
}
