#!/usr/bin/env node
/**
 * Records a build's WebGPU training step kernel by kernel (old-build/page.ts) and writes it as
 * JSON: every tfjs kernel call (name, input/output shapes) with the dispatches it recorded, and
 * tf.profile's kernel list of a step. Made for the OLD build (a tree without src/core/kernels);
 * a tree with src/core/kernels is driven as its bench.ts does (WGSL training kernels on).
 *
 *   node bench/browser-train/old-build/run.mjs --tree /path/to/old-checkout --preset tiny --batch 8 [--seq 128] [--noop] --out step.json
 *
 * `--tree`: a checkout of the old commit with its own node_modules (read only: nothing is
 * written there). Vite (port BENCH_PORT, default 5196) runs from a fresh temporary root whose
 * node_modules is a link to the checkout's, so the old sources and their tfjs resolve to the
 * checkout's packages; this folder and the checkout are served through /@fs. Chromium as
 * bench/browser-train/run.mjs launches it (WebGPU on SwiftShader). `--noop`: dispatches counted,
 * not run (see page.ts). Prints the totals; exit 0 on success.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';
import { CHROMIUM_ARGS, chromiumPath } from '../../../e2e/chromium.mjs';
import { waitForUrl } from '../../common/wait-for-url.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const flag = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] && !process.argv[i + 1].startsWith('--') ? process.argv[i + 1] : fallback;
};
const tree = flag('tree') && resolve(flag('tree'));
const out = flag('out');
if (!tree || !existsSync(join(tree, 'src/core/train/step.ts')) || !existsSync(join(tree, 'node_modules/@tensorflow/tfjs-core'))) {
  throw new Error(`old-build/run.mjs: --tree must be a checkout with src/core/train/step.ts and node_modules (got ${tree})`);
}
if (!out) throw new Error('old-build/run.mjs: --out <file.json> is required');
const build = existsSync(join(tree, 'src/core/kernels')) ? 'current' : 'old';
const options = { preset: flag('preset', 'tiny'), batch: Number(flag('batch', '8')), seq: Number(flag('seq', '128')), noop: process.argv.includes('--noop') };


const root = mkdtempSync(join(tmpdir(), 'tabtune-old-build-'));
symlinkSync(join(tree, 'node_modules'), join(root, 'node_modules'));
writeFileSync(join(root, 'index.html'), '<!doctype html><title>old build</title>');
writeFileSync(
  join(root, 'vite.config.mjs'),
  `export default ${JSON.stringify({
    root,
    // Vite's dependency cache in the temporary root, not in the checkout's node_modules (read only).
    cacheDir: join(root, '.vite-cache'),
    server: { hmr: false, watch: { ignored: ['**/*'] }, fs: { strict: true, allow: [root, tree, HERE] } },
    optimizeDeps: { include: ['@tensorflow/tfjs-core', '@tensorflow/tfjs', '@tensorflow/tfjs-backend-webgpu', '@tensorflow/tfjs-backend-wasm', '@tensorflow/tfjs-backend-cpu', 'fflate'] },
    logLevel: 'warn',
  })};\n`,
);
const port = Number(process.env.BENCH_PORT ?? 5196);
const vite = spawn(join(tree, 'node_modules', '.bin', 'vite'), ['--config', join(root, 'vite.config.mjs'), '--port', String(port), '--strictPort', '--host', '127.0.0.1'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
const url = `http://127.0.0.1:${port}`;
const html = `<!doctype html><html><body><p>Status: <output id="status">loading</output></p><pre id="log"></pre><script type="module" src="/@fs${HERE}/page.ts"></script></body></html>`;
let browser;
try {
  await waitForUrl(url, 120_000);
  browser = await chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS, headless: true });
  const page = await browser.newPage();
  page.setDefaultTimeout(0);
  page.on('console', (m) => process.stderr.write(`[page] ${m.text()}\n`));
  page.on('pageerror', (e) => process.stderr.write(`[page error] ${e.message}\n`));
  await page.route('**/old-build.html*', (r) => r.fulfill({ status: 200, contentType: 'text/html', body: html }));
  await page.goto(`${url}/old-build.html?tree=${encodeURIComponent(tree)}&build=${build}`);
  for (let attempt = 1; ; attempt++) {
    await page.waitForFunction(() => !!window.oldBuild, null, { timeout: 300_000 });
    try {
      await page.evaluate(() => window.oldBuild.load());
      break;
    } catch (e) {
      // Vite found dependencies to pre-bundle on the first load and answered 504: reload once it has.
      if (attempt >= 4) throw e;
      await new Promise((r) => setTimeout(r, 5000));
      await page.reload();
    }
  }
  let r;
  try {
    r = await page.evaluate((o) => window.oldBuild.run(o), options);
  } catch (e) {
    // A late "outdated optimize dep" reload of Vite can break the page's module graph: once more on a fresh load.
    if (!/dynamically imported module|Outdated Optimize Dep/i.test(String(e))) throw e;
    await page.reload();
    await page.waitForFunction(() => !!window.oldBuild, null, { timeout: 300_000 });
    r = await page.evaluate((o) => window.oldBuild.run(o), options);
  }
  writeFileSync(out, JSON.stringify(r));
  console.log(`${build} build, ${r.preset} batch ${r.batch} seq ${r.seq}${r.noop ? ' (noop)' : ''}: ${r.dispatches} dispatches, ${r.submits} submits, ${r.calls.length} kernel calls (${r.calls.filter((c) => c.depth === 0).length} top-level); warm-up step ${r.warmupDispatches} dispatches; tf.profile ${r.profile.length} kernels; loss ${r.loss}; -> ${out}`);
} finally {
  await browser?.close();
  vite.kill('SIGTERM');
  rmSync(root, { recursive: true, force: true });
}
