/**
 * Import boundaries, checked by `npm run lint:deps` (part of `npm test`):
 *  - core is pure: its production files import only core and npm packages, never the page,
 *    the worker, the CLI, the platform adapters, test helpers or Node's built-ins;
 *  - code outside core reaches core only through a module's index.ts (its public surface) or
 *    core/errors.ts;
 *  - production files never import test helpers.
 */
const TEST = '(\\.test\\.tsx?$|\\.spec\\.ts$)';
module.exports = {
  forbidden: [
    {
      name: 'core-is-pure',
      severity: 'error',
      comment: 'src/core runs unchanged in the worker, in Node and in tests: no page, worker, CLI, platform adapter or test helper imports.',
      from: { path: '^src/core/', pathNot: TEST },
      to: { path: '^(src/(?!core/)|bench/|e2e/)' },
    },
    {
      name: 'core-without-node-builtins',
      severity: 'error',
      comment: 'Node file access belongs in src/platform/node, behind core interfaces.',
      from: { path: '^src/core/', pathNot: TEST },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'core-through-its-index',
      severity: 'error',
      comment: "Outside core, import a core module through its index.ts (extend the barrel if a name is missing).",
      from: { pathNot: '^src/core/' },
      to: { path: '^src/core/[^/]+/', pathNot: '^src/core/[^/]+/index\\.ts$' },
    },
    {
      name: 'no-test-helpers-in-production',
      severity: 'error',
      comment: 'Test helpers live in src/testing or beside the tests; production code never imports them.',
      from: { path: '^src/', pathNot: `${TEST}|^src/testing/` },
      to: { path: '(^src/testing/|\\.testutil\\.ts$|\\.test\\.tsx?$)' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^node_modules|^dist|^test-results)' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { extensions: ['.ts', '.tsx', '.mjs', '.js', '.json'] },
  },
};
