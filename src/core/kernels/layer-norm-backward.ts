/**
 * The backward of layer-norm.ts's kernel in two dispatches (it was four to six: h and the row
 * stats, dh, dγ, dβ, then dropout(dh) and Σ_batch dh for the positions, and the dense layer's
 * bias gradient Σ_rows dx as one more Sum):
 *
 *   h  = dropout(x + bias) + residual + positions[row mod S]   (every part but x optional)
 *   y  = (h − mean(h))·rstd·γ + β,  out = y or dropout(y)
 *   dy' = dy, or dropout(dy) when the dropout comes after (same key: same mask)
 *   g  = dy'·γ,  x̂ = (h − mean)·rstd
 *   dh = rstd·(g − mean(g) − x̂·mean(g·x̂))                     d(residual) = dh
 *   dx = dropout(dh) under the forward's key, or dh            d(bias) = Σ_rows dx
 *   dγ = Σ_rows dy'·x̂,  dβ = Σ_rows dy',  d(positions)[s] = Σ_b dh[b·S + s]
 *
 *   dispatch 1 "rows": G row groups, several per 64-thread workgroup (rowThreads(H) threads per
 *     group: 8 for H = 128, 8 groups per workgroup, as the forward); group g takes rows g, g + G, g + 2G, ...
 *     (with positions G = P, the table's rows, and rows g, g + S, ... for g < S: a workgroup owns
 *     every row of one position and writes d(positions)[g] whole, zero for g ≥ S; else G = ⌈M / 4⌉).
 *     Every thread runs the same number of row iterations (a group past its last row computes on
 *     row 0 and keeps nothing), so the reductions' barriers stay in uniform control flow.
 *     Per row it recomputes h and its stats (the
 *     dropout mask regenerated from the key; two reductions over the group's threads per row: the stats, then
 *     Σg and Σg·x̂ together), writes dx (and dh when it differs), and keeps
 *     per-column partial sums of dγ, dβ (and d(bias)) in registers; at the end it writes them
 *     as row g of partials [G, k·H].
 *   dispatch 2 "params": partials [G, k·H] summed over G into dγ, dβ (and d(bias)), each its
 *     own output tensor (no slices afterwards).
 * A thread holds ≤ 32 values of a row (4 consecutive columns per round, as the forward), so
 * H ≤ 2048 (wider rows run composed). Several outputs per kernel need gpu-dispatch.ts (a
 * WebGPUProgram writes one); registered as the tfjs kernel TabtuneLayerNormBackward.
 * Glossary: M rows (B·S), H hidden size, S sequence length, G row groups, k partial sections.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { dispatchWgsl, newOutput, runAsKernel, type Binding, type WebGPUBackendLike } from './gpu-dispatch';
import { PHILOX_WGSL, dropoutParams, type DropoutKey } from './philox';
import { rowGroupWgsl, rowLoop, rowThreads } from './run-program';

const WG = 64;
const MAX_PER_THREAD = 32;
const ROWS_PER_GROUP = 4;

export interface LayerNormGradParts {
  residual: boolean;
  positions: boolean;
  bias: boolean;
  dropBefore: boolean;
  dropAfter: boolean;
}

const UNIFORMS = `struct Uniforms { rows : i32, cols : i32, seqLen : i32, groups : i32, rowGroups : i32, step : i32, iters : i32, eps : f32, dropSeed : u32, dropCall : u32, dropThreshold : u32, dropScale : f32 };`;

function rowsCode(v: LayerNormGradParts, cols: number): { code: string; sections: number; slots: number } {
  const perRow = rowThreads(cols);
  const slots = WG / perRow; // row groups per workgroup
  const rounds = Math.ceil(cols / (4 * perRow));
  const writeDh = v.residual && v.dropBefore; // d(residual) = dh differs from dx only with dropout before
  const sections = v.bias ? 3 : 2;
  let b = 0;
  const decl: string[] = [];
  const bind = (name: string, write: boolean) => decl.push(`@group(0) @binding(${b++}) var<storage, ${write ? 'read_write' : 'read'}> ${name} : array<f32>;`);
  bind('dx', true);
  if (writeDh) bind('dh', true);
  if (v.positions) bind('dpos', true);
  bind('partials', true);
  bind('x', false);
  if (v.bias) bind('bias', false);
  if (v.residual) bind('residual', false);
  if (v.positions) bind('positions', false);
  bind('gamma', false);
  bind('dy', false);
  decl.push(`@group(0) @binding(${b}) var<uniform> uniforms : Uniforms;`);
  const loop = (body: string) => rowLoop(body, perRow, rounds);
  const code = `
${UNIFORMS}
${decl.join('\n')}
${PHILOX_WGSL}
${rowGroupWgsl(perRow, slots)}
fn hAt(i : i32, c : i32, row : i32) -> f32 {
  var v = x[i];
  ${v.bias ? 'v = v + bias[c];' : ''}
  ${v.dropBefore ? 'v = select(0.0, v * uniforms.dropScale, dropKeep(u32(i)));' : ''}
  ${v.residual ? 'v = v + residual[i];' : ''}
  ${v.positions ? 'v = v + positions[(row % uniforms.seqLen) * uniforms.cols + c];' : ''}
  return v;
}
fn dyAt(i : i32) -> f32 {
  ${v.dropAfter ? 'return select(0.0, dy[i] * uniforms.dropScale, dropKeep(u32(i)));' : 'return dy[i];'}
}
@compute @workgroup_size(${WG}, 1, 1)
fn main(@builtin(workgroup_id) wid : vec3<u32>, @builtin(num_workgroups) nwg : vec3<u32>, @builtin(local_invocation_index) tid : u32) {
  let lane = tid % ${perRow}u;
  let slot = tid / ${perRow}u;
  let firstG = i32(wid.y * nwg.x + wid.x) * ${slots}; // uniform over the workgroup
  let g = firstG + i32(slot);
  // A workgroup whose groups all take no rows (position-table rows ≥ S) skips the loop.
  let iters = select(0, uniforms.iters, firstG < uniforms.rowGroups);
  let cols = uniforms.cols;
  var hv : array<f32, ${4 * rounds}>;
  var gv : array<f32, ${4 * rounds}>;
  var pg : array<f32, ${4 * rounds}>;
  var pb : array<f32, ${4 * rounds}>;
  ${v.bias ? `var pd : array<f32, ${4 * rounds}>;` : ''}
  ${v.positions ? `var pp : array<f32, ${4 * rounds}>;` : ''}
  // The same trip count for every thread (the reductions' barriers need uniform control flow);
  // groups ≥ rowGroups (rows of a position table beyond S, or past the last group) take no rows:
  // zero gradient and partials.
  for (var it = 0; it < iters; it = it + 1) {
    let row0 = g + it * uniforms.step;
    let valid = g < uniforms.rowGroups && row0 < uniforms.rows;
    let row = select(0, row0, valid);
    let base = row * cols;
    var sum = 0.0;
    var cnt = 0.0;
    ${loop('let hval = hAt(base + c, c, row); hv[s] = hval; sum = sum + hval; cnt = cnt + 1.0;')}
    let own = select(0.0, sum / cnt, cnt > 0.0);
    var q = 0.0;
    ${loop('let d = hv[s] - own; q = q + d * d;')}
    let stats = rowStats(cnt, own, q, lane, slot); // the forward's mean and variance, one reduction
    let mean = stats.y;
    let rstd = 1.0 / sqrt(stats.z / f32(cols) + uniforms.eps);
    var acc = vec2<f32>(0.0, 0.0);
    ${loop(`let dyv = select(0.0, dyAt(base + c), valid);
        let xhat = (hv[s] - mean) * rstd;
        let gg = dyv * gamma[c];
        hv[s] = xhat;
        gv[s] = gg;
        pg[s] = pg[s] + dyv * xhat;
        pb[s] = pb[s] + dyv;
        acc = acc + vec2<f32>(gg, gg * xhat);`)}
    let sums = rowSum2(acc, lane, slot) / f32(cols);
    if (valid) {
      ${loop(`let dhv = rstd * (gv[s] - sums.x - hv[s] * sums.y);
        ${writeDh ? 'dh[base + c] = dhv;' : ''}
        ${v.dropBefore ? 'let dxv = select(0.0, dhv * uniforms.dropScale, dropKeep(u32(base + c)));' : 'let dxv = dhv;'}
        dx[base + c] = dxv;
        ${v.bias ? 'pd[s] = pd[s] + dxv;' : ''}
        ${v.positions ? 'pp[s] = pp[s] + dhv;' : ''}`)}
    }
  }
  if (g >= uniforms.groups) { return; }
  let pbase = g * ${sections} * cols;
  ${loop(`partials[pbase + c] = pg[s];
      partials[pbase + cols + c] = pb[s];
      ${v.bias ? 'partials[pbase + 2 * cols + c] = pd[s];' : ''}
      ${v.positions ? 'dpos[g * cols + c] = pp[s];' : ''}`)}
}`;
  return { code, sections, slots };
}

function paramsCode(sections: number): string {
  const outs = ['dgamma', 'dbeta', 'dbias'].slice(0, sections);
  return `
struct Uniforms { groups : u32, cols : u32, pad0 : u32, pad1 : u32 };
${outs.map((n, i) => `@group(0) @binding(${i}) var<storage, read_write> ${n} : array<f32>;`).join('\n')}
@group(0) @binding(${sections}) var<storage, read> partials : array<f32>;
@group(0) @binding(${sections + 1}) var<uniform> u : Uniforms;
var<workgroup> lanes : array<f32, 256>;
@compute @workgroup_size(32, 8, 1)
fn main(@builtin(workgroup_id) wg : vec3<u32>, @builtin(local_invocation_id) lid : vec3<u32>) {
  let c = wg.x * 32u + lid.x;
  let width = ${sections}u * u.cols;
  var t = 0.0;
  if (c < width) {
    for (var r = lid.y; r < u.groups; r = r + 8u) { t = t + partials[r * width + c]; }
  }
  lanes[lid.y * 32u + lid.x] = t;
  workgroupBarrier();
  if (lid.y == 0u && c < width) {
    var total = 0.0;
    for (var k = 0u; k < 8u; k = k + 1u) { total = total + lanes[k * 32u + lid.x]; }
    let section = c / u.cols;
    let col = c % u.cols;
    ${outs.map((n, i) => `if (section == ${i}u) { ${n}[col] = total; }`).join('\n    ')}
  }
}`;
}

/** True when the fused backward takes rows of width `cols` (else layer-norm.ts composes). */
export function layerNormBackwardFits(cols: number): boolean {
  return cols <= WG * MAX_PER_THREAD;
}

export interface LayerNormGradInputs {
  dy: tf.Tensor2D;
  x: tf.Tensor2D;
  gamma: tf.Tensor;
  bias?: tf.Tensor | null;
  residual?: tf.Tensor2D | null;
  positions?: tf.Tensor2D | null;
  /** Rows of `positions` in use (default all). */
  seqLen?: number;
  dropout: DropoutKey | null;
  dropoutAfter: boolean;
  eps: number;
}

export interface LayerNormGrads {
  /** d(x): the gradient of the dense output (through the dropout before, when there is one). */
  dx: tf.Tensor2D;
  /** d(residual) (dh; the same tensor as dx without dropout before). */
  dResidual: tf.Tensor2D | null;
  dPositions: tf.Tensor2D | null;
  dGamma: tf.Tensor1D;
  dBeta: tf.Tensor1D;
  dBias: tf.Tensor1D | null;
}

/** The two-dispatch backward on the WebGPU backend (the caller checked layerNormBackwardFits). */
export function layerNormBackwardWebGPU(a: LayerNormGradInputs): LayerNormGrads {
  const [rows, cols] = a.x.shape;
  const v: LayerNormGradParts = {
    residual: !!a.residual,
    positions: !!a.positions,
    bias: !!a.bias,
    dropBefore: !!a.dropout && !a.dropoutAfter,
    dropAfter: !!a.dropout && a.dropoutAfter,
  };
  const P = a.positions ? a.positions.shape[0] : 1; // rows of the position table
  const S = a.positions ? (a.seqLen ?? P) : 1; // of which in use
  const groups = a.positions ? P : Math.max(1, Math.ceil(rows / ROWS_PER_GROUP));
  const rowGroups = a.positions ? S : groups; // groups that take rows
  const step = a.positions ? S : groups;
  const { code, sections, slots } = rowsCode(v, cols);
  const iters = a.positions ? rows / S : Math.ceil(rows / groups);
  const workgroups = Math.ceil(groups / slots);
  const drop = a.dropout ? dropoutParams(a.dropout) : null;
  const writeDh = v.residual && v.dropBefore;
  const inputs: tf.NamedTensorMap = { dy: a.dy, x: a.x, gamma: a.gamma };
  if (a.bias) inputs.bias = a.bias;
  if (a.residual) inputs.residual = a.residual;
  if (a.positions) inputs.positions = a.positions;
  const name = `TabtuneLayerNormBackward`;
  const outs = runAsKernel(name, inputs, (backend: WebGPUBackendLike) => {
    const dx = newOutput(backend, [rows, cols]);
    const dh = writeDh ? newOutput(backend, [rows, cols]) : null;
    const dpos = v.positions ? newOutput(backend, [P, cols]) : null;
    const partials = newOutput(backend, [groups, sections * cols]);
    const bindings: Binding[] = [{ tensor: dx, write: true }];
    if (dh) bindings.push({ tensor: dh, write: true });
    if (dpos) bindings.push({ tensor: dpos, write: true });
    bindings.push({ tensor: partials, write: true }, { tensor: a.x });
    if (a.bias) bindings.push({ tensor: a.bias });
    if (a.residual) bindings.push({ tensor: a.residual });
    if (a.positions) bindings.push({ tensor: a.positions });
    bindings.push({ tensor: a.gamma }, { tensor: a.dy });
    const wx = Math.min(workgroups, 65535);
    dispatchWgsl(backend, {
      name: `${name}Rows`,
      code,
      bindings,
      uniforms: [
        { type: 'int32', value: rows },
        { type: 'int32', value: cols },
        { type: 'int32', value: S },
        { type: 'int32', value: groups },
        { type: 'int32', value: rowGroups },
        { type: 'int32', value: step },
        { type: 'int32', value: iters },
        { type: 'float32', value: a.eps },
        { type: 'uint32', value: a.dropout ? a.dropout.seed >>> 0 : 0 },
        { type: 'uint32', value: a.dropout ? a.dropout.call >>> 0 : 0 },
        { type: 'uint32', value: drop ? drop.threshold : 0 },
        { type: 'float32', value: drop ? drop.scale : 1 },
      ],
      workgroups: [wx, Math.ceil(workgroups / wx)],
    });
    const params = ['dgamma', 'dbeta', 'dbias'].slice(0, sections).map(() => newOutput(backend, [cols]));
    dispatchWgsl(backend, {
      name: `${name}Params`,
      code: paramsCode(sections),
      bindings: [...params.map((t) => ({ tensor: t, write: true })), { tensor: partials }],
      uniforms: [{ type: 'uint32', value: groups }, { type: 'uint32', value: cols }],
      workgroups: [Math.ceil((sections * cols) / 32)],
    });
    (backend as unknown as { disposeData(id: unknown): void }).disposeData(partials.dataId);
    return [dx, ...(dh ? [dh] : []), ...(dpos ? [dpos] : []), ...params];
  });
  let i = 0;
  const dx = outs[i++] as tf.Tensor2D;
  const dResidual = a.residual ? (writeDh ? (outs[i++] as tf.Tensor2D) : dx) : null;
  const dPositions = a.positions ? (outs[i++] as tf.Tensor2D) : null;
  const dGamma = outs[i++] as tf.Tensor1D;
  const dBeta = outs[i++] as tf.Tensor1D;
  const dBias = a.bias ? (outs[i++] as tf.Tensor1D) : null;
  return { dx, dResidual, dPositions, dGamma, dBeta, dBias };
}
