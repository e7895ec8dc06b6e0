/**
 * The training kernels of src/core/kernels on WebGPU (headless Chromium, SwiftShader) against
 * their composed-op fallbacks, a 20-step seeded training curve on WebGPU against the same
 * run on WASM, and a WebGPU run resumed from a checkpoint against the same run straight through,
 * bit for bit (harness: e2e/harness/kernels-train.ts).
 *
 * Bounds (float32; the kernels sum in a different order than the references):
 *   scatter-add, gather gradient, column sums   |Δ| ≤ 1e-5 · max(1, max|reference|)
 *   scatter-add against the host's in-order sum, and against itself run again: 0 (bit for bit)
 *   optimizer params and Adam slots (5 steps)   |Δ| ≤ 2e-6 · max(1, max|reference|)
 *     (moments in one slab, and in several: a slab limit below one tensor's m + v)
 *   optimizer report [loss, ‖g‖, applied, Σg²]  |Δ| ≤ 1e-5 · max(1, max|reference|)
 *   the non-finite step (4 of 5) changes nothing, on both paths, and is not counted
 *   20-step loss curve, dropout off             |Δ| ≤ 1e-4 · |loss_wasm| per step
 *   matmul dYᵀ·X with K = 2048 and a [2, 96] / [8, 256] output (tfjs's split-K range, rerouted by
 *     matmul-no-split-k.ts) against the host's float64 sum: 1e-5 as above; run twice: 0
 *   tiled matmul (matmul-tiled.ts): the four transpose layouts read in place, plain, batched,
 *     broadcast and fused with a bias, vec4 and scalar variants, 64- and 32-tiles, edge sizes,
 *     against the host's float64 products: 1e-5 as above; every variant compiled; a Transpose by
 *     the identity (transpose-identity.ts): 0
 *   resumed run (cancel at 3, checkpoint, resume): every loss and every weight bit identical, and
 *     no split-K matmul compiled; the same for a span head at B·S = 16·128 (cancel at 2 of 5)
 */
import { expect, test, type Page } from '@playwright/test';
import { guardNetwork, openHarness } from './helpers';

test.describe.configure({ mode: 'serial' });

test.describe('training kernels on WebGPU', () => {
  let page: Page;
  let net: ReturnType<typeof guardNetwork>;

  test.beforeAll(async ({ browser }) => {
    page = await browser.newPage();
    net = guardNetwork(page);
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') console.log(`[page] ${m.text()}`);
    });
    await openHarness(page, 'kernels-train');
  });

  test.afterAll(async () => {
    net.assertOnlySameOrigin();
    await page.close();
  });

  test('WebGPU starts with the adapter limits recorded, two tfjs kernels replaced and its matmuls kept off split-K', async () => {
    const r = await page.evaluate(() => window.tabtuneTrainKernels!.init());
    console.log(JSON.stringify(r));
    expect(r.backend).toBe('webgpu');
    expect(r.limits!.maxStorageBufferBindingSize).toBeGreaterThanOrEqual(128 * 2 ** 20);
    expect(r.limits!.maxBufferSize).toBeGreaterThanOrEqual(r.limits!.maxStorageBufferBindingSize);
    expect(r.limits!.maxComputeWorkgroupStorageSize).toBeGreaterThanOrEqual(16384);
    expect(r.limits!.maxStorageBuffersPerShaderStage).toBeGreaterThanOrEqual(8);
    expect(r.replaced).toEqual([
      'UnsortedSegmentSum (scatter-add)',
      'Sum (leading axes: column sum)',
      'BatchMatMul (tiled program, no split-K)',
      '_FusedMatMul (tiled program, no split-K)',
      'Transpose (identity permutation: a view)',
    ]);
  });

  test('scatter-add, column sums and the optimizer kernels match their composed fallbacks', async () => {
    const diffs = await page.evaluate(() => window.tabtuneTrainKernels!.parity());
    for (const d of diffs) console.log(`${d.name}: max |Δ| ${d.maxAbsDiff.toExponential(2)} (scale ${d.scale.toExponential(2)}, ${d.count} values)`);
    expect(diffs.length).toBeGreaterThan(60);
    for (const d of diffs) {
      const rel = / exact: /.test(d.name) ? 0 : /step \d+ (a\.|big|LayerNorm)|slot/.test(d.name) ? 2e-6 : 1e-5;
      expect(d.maxAbsDiff, d.name).toBeLessThanOrEqual(rel * Math.max(1, d.scale));
    }
    for (const opt of ['bert-adam', 'adamw', 'bert-adam (slabs of 20500)', 'adamw (slabs of 20500)']) {
      expect(diffs.find((d) => d.name === `${opt} applied steps`)!.maxAbsDiff, `${opt}: 4 of 5 steps applied on both paths`).toBe(0);
    }
    expect(diffs.filter((d) => d.name.startsWith('tiled matmul')).length).toBe(13);
    // Each case ran on the tiled program, and together they compiled every variant they should.
    expect(await page.evaluate(() => window.tabtuneTrainKernels!.tiledPrograms())).toEqual(expect.arrayContaining([
      'tabtuneMatMulTiled_akbk_s_32_bias',
      'tabtuneMatMulTiled_akbk_v4_32',
      'tabtuneMatMulTiled_akbk_v4_32_bias',
      'tabtuneMatMulTiled_akbk_v4_64_bias',
      'tabtuneMatMulTiled_akbn_s_32',
      'tabtuneMatMulTiled_akbn_v4_64',
      'tabtuneMatMulTiled_ambk_s_32',
      'tabtuneMatMulTiled_ambk_v4_32',
      'tabtuneMatMulTiled_ambn_s_32',
      'tabtuneMatMulTiled_ambn_v4_32',
    ]));
  });

  test('20 seeded steps (dropout off) give the WASM loss curve within 1e-4 relative', async () => {
    const r = await page.evaluate(() => window.tabtuneTrainKernels!.curve(20));
    console.log(`webgpu ${r.webgpu.map((x) => x.toFixed(6)).join(' ')}\nwasm   ${r.wasm.map((x) => x.toFixed(6)).join(' ')}\nkernel dispatches per step ${r.kernelDispatches}`);
    expect(r.webgpu).toHaveLength(20);
    expect(r.wasm).toHaveLength(20);
    r.webgpu.forEach((l, i) => expect(Math.abs(l - r.wasm[i]), `step ${i + 1}: ${l} vs ${r.wasm[i]}`).toBeLessThanOrEqual(1e-4 * Math.abs(r.wasm[i])));
    expect(r.wasm[19]).toBeLessThan(r.wasm[0]); // it trains
    expect(r.kernelDispatches).toBeGreaterThan(0);
    expect(r.numTensorsFlat).toBe(true);
  });

  test('a run resumed from a checkpoint is bit for bit the run straight through (WebGPU, dropout on)', async () => {
    const r = await page.evaluate(() => window.tabtuneTrainKernels!.resume(3));
    console.log(`straight ${r.straight.join(' ')}\nresumed  ${r.resumed.join(' ')} (from step ${r.cut} of ${r.total})`);
    expect(r.total).toBeGreaterThan(r.cut + 2);
    expect(r.straight).toHaveLength(r.total);
    expect(r.resumed).toEqual(r.straight.slice(r.cut)); // the same float64 values of the same float32 losses
    expect(r.weightCount).toBeGreaterThan(20);
    expect(r.differingWeights).toEqual([]);
    expect(r.numTensorsFlat).toBe(true);
    expect(r.splitKPrograms).toEqual([]);
  });

  test('a span-head run (B·S = 2048: qa_outputs\' gradient in tfjs\'s split-K range) resumed is bit for bit the run straight through', async () => {
    const r = await page.evaluate(() => window.tabtuneTrainKernels!.resume(2, 'span'));
    console.log(`straight ${r.straight.join(' ')}\nresumed  ${r.resumed.join(' ')} (from step ${r.cut} of ${r.total})`);
    expect(r.total).toBeGreaterThan(r.cut + 2);
    expect(r.straight).toHaveLength(r.total);
    expect(r.resumed).toEqual(r.straight.slice(r.cut));
    expect(r.weightCount).toBeGreaterThan(15);
    expect(r.differingWeights).toEqual([]);
    expect(r.numTensorsFlat).toBe(true);
    expect(r.splitKPrograms).toEqual([]); // without matmul-no-split-k.ts: ['matMulSplitK_true_false_…']
  });
});
