/**
 * The model-side WGSL kernels (src/core/kernels: dropout, LayerNorm with residual and dropout,
 * bias + GELU, the attention core) on WebGPU in headless Chromium (SwiftShader), each forward
 * and gradient against its composed-ops version on the same backend, on random inputs of
 * several shapes (rows and widths that are not multiples of the 64-thread workgroup).
 *
 * Harness page: e2e/harness/kernels-model.html (+ .ts), driven through `window.tabtuneKernels`.
 *
 * Bound: |kernel − composed| ≤ 2e-5 · max(1, max|composed tensor|). Both compute in float32 with
 * different summation orders (workgroup tree reductions against tfjs's reductions) and the
 * kernel's 1/√ against tfjs's inverseSqrt; largest error measured here in the test's log. The
 * dropout mask itself must agree bit for bit with the host Philox (the WASM/CPU fallback).
 *
 * The dispatch count runs BERT-Tiny at batch 2, seq 32 to stay small (TABTUNE_COUNT_SHAPE=8x128
 * for issue 8's shape, ~7 min here): tfjs and the kernels issue one dispatch per op, so the
 * count barely depends on the shape (tfjs picks a few programs by size: ±2).
 */
import { expect, test, type Page } from '@playwright/test';
import type { KernelDiff } from './harness/kernels-model';
import { guardNetwork, openHarness } from './helpers';

const RELATIVE_BOUND = 2e-5;

test.describe.configure({ mode: 'serial' });

test.describe('model-side WGSL kernels against composed tfjs ops on WebGPU', () => {
  let page: Page;
  let net: ReturnType<typeof guardNetwork>;
  /** WebGPU validation messages (an invalid bind group or pipeline poisons its whole submit). */
  const gpuErrors: string[] = [];

  test.beforeAll(async ({ browser }) => {
    page = await browser.newPage();
    net = guardNetwork(page);
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') console.log(`[page ${m.type()}] ${m.text()}`);
      if (/invalid|validat/i.test(m.text())) gpuErrors.push(m.text().split('\n')[0]);
    });
    await openHarness(page, 'kernels-model');
    const r = await page.evaluate(() => window.tabtuneKernels!.init());
    console.log(`backend ${r.backend}; adapter ${r.adapter}`);
    expect(r.backend).toBe('webgpu');
  });

  test.afterEach(() => {
    expect(gpuErrors, 'WebGPU validation errors').toEqual([]);
  });

  test.afterAll(async () => {
    net.assertOnlySameOrigin();
    await page.close();
  });

  test('the WGSL dropout mask equals the host Philox mask bit for bit', async () => {
    const r = await page.evaluate(() => window.tabtuneKernels!.maskCheck());
    console.log(`mask: ${r.kept}/${r.n} kept (rate 0.25), ${r.mismatches} mismatches`);
    expect(r.mismatches).toBe(0);
    expect(r.kept).toBe(r.keptExpected);
    expect(Math.abs(r.kept / r.n - 0.75)).toBeLessThan(0.03);
  });

  test('every kernel, forward and gradient, matches its composed version', async () => {
    const diffs: KernelDiff[] = await page.evaluate(() => window.tabtuneKernels!.parity());
    let worst = 0;
    for (const d of diffs) {
      const rel = d.maxAbsDiff / Math.max(1, d.maxAbs);
      worst = Math.max(worst, rel);
      console.log(`${d.name}: max |Δ| ${d.maxAbsDiff.toExponential(2)} (max |composed| ${d.maxAbs.toExponential(2)}, n ${d.count})`);
    }
    console.log(`worst |Δ| / max(1, max|composed|): ${worst.toExponential(2)}`);
    const kernels = new Set(diffs.map((d) => d.name.split(' ')[0]));
    expect([...kernels].sort()).toEqual(['attention', 'attention+dropout', 'biasGelu', 'crossEntropy', 'dropout', 'gelu', 'headContext', 'headScores', 'layerNorm'].sort());
    for (const d of diffs) {
      expect(d.count, `${d.name}: element count`).toBeGreaterThan(0);
      expect(d.maxAbsDiff, `${d.name}: max |Δ| ${d.maxAbsDiff} (max |composed| ${d.maxAbs})`).toBeLessThanOrEqual(RELATIVE_BOUND * Math.max(1, d.maxAbs));
    }
  });

  test('a seeded training pass with dropout gives the same loss and gradients on WebGPU and WASM', async () => {
    const r = await page.evaluate(() => window.tabtuneKernels!.seededAgreement());
    console.log(`seeded loss: webgpu ${r.loss.webgpu}, wasm ${r.loss.wasm}; ${r.gradients} gradients, max |Δ| / max|g| ${r.gradRelative.toExponential(2)}`);
    expect(Math.abs(r.loss.webgpu - r.loss.wasm)).toBeLessThanOrEqual(1e-5 * Math.abs(r.loss.wasm));
    expect(r.gradRelative).toBeLessThanOrEqual(1e-4);
  });

  test('kernels keep numTensors flat', async () => {
    const r = await page.evaluate(() => window.tabtuneKernels!.leakCheck());
    expect(r.after).toBe(r.before);
  });

  test('dispatches of one BERT-Tiny forward+backward, kernels on and off', async () => {
    const [B, S] = (process.env.TABTUNE_COUNT_SHAPE ?? '2x32').split('x').map(Number);
    const r = await page.evaluate(([b, s]) => window.tabtuneKernels!.countDispatches(b, s), [B, S]);
    console.log(`batch ${B}, seq ${S}`);
    for (const x of r) {
      console.log(`BERT-Tiny fwd+bwd, kernels ${x.kernels ? 'on' : 'off'}: ${x.dispatches} dispatches in ${x.submits} submits`);
      console.log(`  ${x.byProgram.map(([n, k]) => `${n} ${k}`).join(', ')}`);
    }
    const d = await page.evaluate(() => window.tabtuneKernels!.dropoutDispatches());
    console.log(`one forward dropout: tf.dropout ${d.tfDropout} dispatches, composed host mask ${d.composed}, WGSL kernel ${d.kernel}`);
    expect(d.kernel).toBe(1);
    const on = r.find((x) => x.kernels)!;
    const off = r.find((x) => !x.kernels)!;
    expect(on.dispatches).toBeGreaterThan(0);
    expect(on.dispatches).toBeLessThan(off.dispatches);
  });
});
