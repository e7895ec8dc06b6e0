#!/usr/bin/env node
/**
 * bench/browser-train: training throughput of the engine on WebGPU in headless Chromium.
 *
 *   node bench/browser-train/run.mjs [--presets tiny,mini] [--batch 8] [--seq 128] [--steps 3]
 *                                    [--backend webgpu] [--profile tiny] [--variant kernels|baseline]
 *                                    [--compare] [--check base] [--json]
 *   --compare   runs the baseline (tfjs's kernels, composed optimizer, one step at a time) and
 *               this build alternately in the same page, and prints both tables
 *   --check P   also runs one dropout-off step of preset P on WASM and compares the losses
 *               (default: base whenever base is among the presets; must agree within 1e-3)
 *   BENCH_URL=http://127.0.0.1:5173 node bench/browser-train/run.mjs   (reuse a running Vite)
 *
 * Starts Vite's dev server (unless BENCH_URL is set), launches Debian's Chromium headless with
 * WebGPU on SwiftShader (e2e/chromium.mjs, shared with playwright.config.ts), opens bench/browser-train/index.html and prints, for the page's
 * backend: training sequences/s for each preset at the given sequence length (warm-up step
 * excluded; median of the timed steps), achieved GFLOP/s with FLOPs/step = B·S·(6·P + 12·L·S·H)
 * (P = non-embedding weights that multiply activations), and the same backend's 1024×1024
 * matmul GFLOP/s measured in the same page. Exit 0 on success.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';
import { CHROMIUM_ARGS, chromiumPath } from '../../e2e/chromium.mjs';
import { waitForUrl } from '../common/wait-for-url.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const PAGE = '/bench/browser-train/index.html';

function flag(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] && !process.argv[i + 1].startsWith('--') ? process.argv[i + 1] : fallback;
}
const has = (name) => process.argv.includes(`--${name}`);


async function startVite() {
  const port = Number(process.env.BENCH_PORT ?? 5196);
  const vite = spawn(join(ROOT, 'node_modules', '.bin', 'vite'), ['--port', String(port), '--strictPort', '--host', '127.0.0.1'], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  await waitForUrl(url, 120_000);
  return { url, stop: () => vite.kill('SIGTERM') };
}

function table(headers, rows) {
  const cells = [headers, ...rows].map((r) => r.map(String));
  const w = headers.map((_, i) => Math.max(...cells.map((r) => r[i].length)));
  return cells.map((r, j) => r.map((c, i) => c.padStart(w[i])).join('  ') + (j === 0 ? '\n' + w.map((n) => '-'.repeat(n)).join('  ') : '')).join('\n');
}

async function main() {
  const presets = flag('presets', 'tiny,mini').split(',');
  const batchFlag = flag('batch', '8');
  const batch = Object.fromEntries(presets.map((p, i) => [p, Number(batchFlag.split(',')[i] ?? batchFlag.split(',')[0])]));
  const options = {
    backend: flag('backend', 'webgpu'),
    presets,
    batch,
    seq: Number(flag('seq', '128')),
    steps: Number(flag('steps', '3')),
    profile: has('profile') ? flag('profile', presets[0]).split(',') : [],
    check: flag('check', presets.includes('base') ? 'base' : '').split(',').filter(Boolean),
  };
  const variants = has('compare') ? ['baseline', 'kernels'] : [flag('variant', 'kernels')];
  const executablePath = chromiumPath();
  const server = process.env.BENCH_URL ? { url: process.env.BENCH_URL.replace(/\/$/, ''), stop: () => {} } : await startVite();
  const browser = await chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage();
    page.on('console', (m) => process.stderr.write(`[page] ${m.text()}\n`));
    page.on('pageerror', (e) => process.stderr.write(`[page error] ${e.message}\n`));
    // The page from disk without Vite's client: no reload when someone edits the tree mid-run.
    await page.route(`**${PAGE}`, (route) => route.fulfill({ status: 200, contentType: 'text/html', body: readFileSync(join(ROOT, PAGE)) }));
    await page.goto(server.url + PAGE, { timeout: 300_000 }); // Vite's first transform is slow on a loaded machine
    await page.waitForFunction(() => !!window.tabtuneBench, null, { timeout: 120_000 });
    const t0 = Date.now();
    const reports = [];
    let failed = false;
    for (const variant of variants) {
    const r = await page.evaluate((o) => window.tabtuneBench.run(o), { ...options, variant });
    reports.push(r);
    const m = r.matmul;
    const ref = r.reference;
    console.log(`\n=== variant ${r.variant}${r.variant === 'baseline' ? " (tfjs's kernels, composed optimizer, one step at a time: the build before issue 8)" : ' (WGSL training kernels, a step in flight)'} ===`);
    console.log(`backend: ${r.backend}${r.adapter ? ` (adapter ${r.adapter})` : ''}${r.fallbacks.length ? `; fallbacks: ${r.fallbacks.map((f) => `${f.name}: ${f.reason}`).join('; ')}` : ''}`);
    console.log(`browser: ${browser.version()}; machine: ${(await import('node:os')).cpus().length} cores, load ${(await import('node:os')).loadavg().map((x) => x.toFixed(1)).join(' ')}`);
    console.log(`matmul ${m.size}x${m.size} (same page): best ${m.bestGflops.toFixed(2)} GFLOP/s, median ${m.medianGflops.toFixed(2)} GFLOP/s`);
    const tm = r.tfjsMatmul;
    if (tm) console.log(`matmul ${tm.size}x${tm.size} on tfjs's own program (same page, Tabtune's kernels off): best ${tm.bestGflops.toFixed(2)} GFLOP/s; step GFLOP/s as % of it: ${r.rows.map((x) => `${x.preset} ${((100 * x.gflops) / tm.bestGflops).toFixed(0)}%`).join(', ')}`);
    console.log('FLOPs/step = B*S*(6*P + 12*L*S*H) (core/model/params.ts), P = non-embedding matmul weights; warm-up step excluded, median of timed steps\n');
    console.log(
      table(
        ['preset', 'L/H/I', 'batch', 'seq', 'P (M)', 'GFLOP/step', 'first step s', 'step s', 'seq/s', 'GFLOP/s', '% of matmul', 'dispatches/step', 'submits/step'],
        r.rows.map((x) => [x.preset, x.shape, x.batch, x.seq, x.paramsM.toFixed(2), x.gflopPerStep.toFixed(2), x.firstStepS.toFixed(1), x.stepS.toFixed(2), x.seqPerS.toFixed(2), x.gflops.toFixed(2), `${((100 * x.gflops) / m.bestGflops).toFixed(0)}%`, x.dispatchesPerStep ?? 'n/a', x.submitsPerStep ?? 'n/a']),
      ),
    );
    for (const x of r.rows) {
      if (!x.numTensorsFlat) console.log(`warning: ${x.preset}: tf.memory().numTensors grew over the timed steps`);
      if (x.check) {
        const ok = x.check.absDiff <= 1e-3;
        failed ||= !ok;
        console.log(`check ${x.preset} (dropout off, one step): ${r.backend} loss ${x.check.loss.toFixed(6)}, wasm loss ${x.check.wasmLoss.toFixed(6)}, |diff| ${x.check.absDiff.toExponential(2)} ${ok ? '<= 1e-3: OK' : '> 1e-3: FAILED'}`);
      }
      if (!x.profile) continue;
      const p = x.profile;
      console.log(`\nprofile ${x.preset}: one step = ${p.dispatches ?? 'n/a'} GPU dispatches in ${p.submits ?? 'n/a'} queue submits; ${p.kernels} tfjs kernels (tf.profile)`);
      console.log(`  wall time: forward ${p.forwardS.toFixed(2)} s, forward+backward ${p.forwardBackwardS.toFixed(2)} s, full step ${x.stepS.toFixed(2)} s (median above)`);
      console.log(`  profiled step: ${p.profiledStepS.toFixed(2)} s wall, ${(p.kernelMs / 1000).toFixed(2)} s summed kernel time; matmuls ${(100 * p.matmulShare).toFixed(0)}% of GPU time`);
      if (p.dispatchesByKernel?.length) console.log(`  dispatches by kernel (calls/dispatches): ${p.dispatchesByKernel.map(([n, c, d]) => `${n} ${c}/${d}`).join(', ')}`);
      console.log(`  kernels (count, ms): ${p.topKernels.map(([n, c, ms]) => `${n} ${c}× ${ms.toFixed(0)}`).join(', ')}`);
      console.log('  costliest calls (kernel(input shapes) count× ms):');
      for (const [n, c, ms] of p.topCalls) console.log(`    ${n} ${c}× ${ms.toFixed(0)}`);
      const e = p.reference;
      console.log(`  reference GPU estimate (${ref.name}: ${ref.flops / 1e12} TFLOP/s, ${ref.bytesPerS / 1e9} GB/s, ${ref.dispatchUs[0]}-${ref.dispatchUs[1]} us per dispatch):`);
      console.log(`    kernels: ${(e.flops / 1e9).toFixed(2)} GFLOP, ${(e.bytes / 1e6).toFixed(1)} MB moved -> ${e.computeMs.toFixed(2)} ms roofline; + ${p.dispatches} dispatches -> ${e.stepMs[0].toFixed(1)}-${e.stepMs[1].toFixed(1)} ms/step, ${e.seqPerS[1].toFixed(0)}-${e.seqPerS[0].toFixed(0)} seq/s`);
    }
    }
    if (has('json')) console.log(JSON.stringify(reports));
    if (failed) throw new Error('a WASM check failed');
    console.log(`\n(page time ${((Date.now() - t0) / 1000).toFixed(0)} s)`);
  } finally {
    await browser.close();
    server.stop();
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
