#!/usr/bin/env node
// The `tabtune` command: runs the TypeScript CLI in src/cli through tsx's loader,
// so the same src/core modules serve the worker, the CLI and the tests without a build step.
import { register } from 'tsx/esm/api';
import { fileURLToPath } from 'node:url';

register();
const main = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
const { run } = await import(main);
process.exitCode = await run(process.argv.slice(2));
