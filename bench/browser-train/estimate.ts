/**
 * Reference-GPU estimate of one training step from the step's kernel list, for any preset
 * (BERT-base included, which SwiftShader cannot profile at batch 8 in reasonable time):
 *
 *   npx tsx bench/browser-train/estimate.ts [--presets tiny,base] [--batch 8] [--seq 128] [--bindings 10]
 *
 * The list is the kernels this build issues for a classification step (forward, backward,
 * global-norm + Adam), each with its FLOPs and the bytes it reads and writes (fp32, every input
 * and output tensor once, the convention of bench.ts's profiled roofline); per-kernel dispatch
 * counts as issued (LayerNorm backward 2, scatter-add 2 with its zero fill, the optimizer's
 * ⌈T/(b−1)⌉ norm passes + 1 finalize + ⌈T/⌊(b−2)/2⌋⌉ Adam dispatches (moments in one slab,
 * adam.ts) on an adapter of b storage bindings per shader stage, `--bindings`, default 10 as
 * SwiftShader; WebGPU's default is 8; T trainable tensors); every matmul one dispatch (x·Wᵀ reads
 * W in place on Tabtune's tiled program, src/core/kernels/matmul-tiled.ts; the products left to
 * tfjs's few-workgroup programs are one dispatch too, kept off split-K).
 * Σ max(F/peak, B/bandwidth) + dispatches × overhead, REFERENCE_GPU.
 * Matmul FLOPs agree with params.ts's trainingStepFlops (checked at the end of each row). Checked
 * against tiny's profiled step (bench.ts --profile tiny): the dispatch count must match.
 * Glossary: B batch, S sequence, M = B·S rows, H hidden, I intermediate, N heads, D = H/N,
 * L layers, V vocabulary, P positions, T token types, C labels, A = B·N·S² score elements.
 */
import { PRESETS, trainingStepFlops, type BertConfig, type PresetName } from '../../src/core/model';
import { REFERENCE_GPU } from './reference-gpu';

interface K {
  name: string;
  flops: number;
  /** floats read + written */
  floats: number;
  dispatches: number;
  matmul?: boolean;
}

export function stepKernels(c: BertConfig, B: number, S: number, C = 2, bindings = 10): K[] {
  const H = c.hiddenSize;
  const I = c.intermediateSize;
  const N = c.numAttentionHeads;
  const D = H / N;
  const M = B * S;
  const A = B * N * S * S;
  const V = c.vocabSize;
  const P = c.maxPositionEmbeddings;
  const T = c.typeVocabSize;
  const ks: K[] = [];
  const k = (name: string, flops: number, floats: number, dispatches = 1, matmul = false) => ks.push({ name, flops, floats, dispatches, matmul });
  const mm = (name: string, m: number, n: number, kk: number, extra = 0) => k(name, 2 * m * n * kk, m * kk + kk * n + m * n + extra, 1, true);
  /** A dense forward x [m, kk] · Wᵀ (W [n, kk] read in place: no copy). */
  const dense = (name: string, m: number, n: number, kk: number, extra = 0) => mm(name, m, n, kk, extra);
  // Forward: attention mask (cast, 1 − m, ×(−10000)), embeddings.
  for (const n of ['Cast', 'Sub', 'Multiply']) k(n, B * S, 2 * B * S);
  k('GatherV2 words', 0, 2 * M * H + M);
  k('GatherV2 types', 0, 2 * M * H + M);
  k('LayerNorm (words + types + positions)', 8 * M * H, 3 * M * H + P * H + 2 * H);
  for (let l = 0; l < c.numHiddenLayers; l++) {
    for (const n of ['query', 'key', 'value']) dense(`dense ${n}`, M, H, H, H);
    k('HeadScores Q·Kᵀ', 2 * A * D, 2 * M * H + A, 1, true);
    k('AttentionSoftmax', 5 * A, 2 * A + B * S);
    k('HeadApply P·V', 2 * A * D, A + 2 * M * H, 1, true);
    dense('dense attention.output', M, H, H);
    k('LayerNorm (bias, dropout, residual)', 10 * M * H, 3 * M * H + 3 * H);
    dense('dense intermediate', M, I, H);
    k('BiasGelu', 10 * M * I, 2 * M * I + I);
    dense('dense output', M, H, I);
    k('LayerNorm (bias, dropout, residual)', 10 * M * H, 3 * M * H + 3 * H);
  }
  // Pooler, dropout, classifier, loss.
  k('Slice [CLS]', 0, 2 * B * H);
  dense('dense pooler', B, H, H, H);
  k('Tanh', B * H, 2 * B * H);
  k('Dropout', B * H, 2 * B * H);
  dense('dense classifier', B, C, H, C);
  k('CrossEntropy', 4 * B * C, B * C + B + 1);
  // Backward.
  k('CrossEntropyGrad', 6 * B * C, 2 * B * C + B + 1);
  mm('classifier dx', B, H, C);
  mm('classifier dW', C, H, B);
  k('Sum classifier db', B * C, B * C + C);
  k('Dropout grad', B * H, 2 * B * H);
  k('Tanh grad', 2 * B * H, 3 * B * H);
  mm('pooler dx', B, H, H);
  mm('pooler dW', H, H, B);
  k('Sum pooler db', B * H, B * H + H);
  k('Pad [CLS] grad', 0, B * H + M * H);
  for (let l = 0; l < c.numHiddenLayers; l++) {
    k('LayerNorm backward (dx, dh, partial dγ dβ db; partials summed)', 20 * M * H, 5 * M * H + 4 * H, 2);
    mm('output dx', M, I, H);
    mm('output dW', H, I, M);
    k('BiasGelu grad', 12 * M * I, 3 * M * I + I);
    k('Sum intermediate db', M * I, M * I + I);
    mm('intermediate dx', M, H, I);
    mm('intermediate dW', I, H, M);
    k('Add (residual grad)', M * H, 3 * M * H);
    k('LayerNorm backward (dx, dh, partial dγ dβ db; partials summed)', 20 * M * H, 5 * M * H + 4 * H, 2);
    mm('attention.output dx', M, H, H);
    mm('attention.output dW', H, H, M);
    k('HeadScores dP = dC·Vᵀ', 2 * A * D, 2 * M * H + A, 1, true);
    k('HeadApplyT dV = Pᵀ·dC', 2 * A * D, A + 2 * M * H, 1, true);
    k('AttentionSoftmax grad', 8 * A, 3 * A + B * S);
    k('HeadApply dQ = dS·K', 2 * A * D, A + 2 * M * H, 1, true);
    k('HeadApplyT dK = dSᵀ·Q', 2 * A * D, A + 2 * M * H, 1, true);
    for (const n of ['query', 'key', 'value']) {
      mm(`${n} dx`, M, H, H);
      mm(`${n} dW`, H, H, M);
      k(`Sum ${n} db`, M * H, M * H + H);
      k('Add (x grad)', M * H, 3 * M * H);
    }
  }
  k('LayerNorm backward (embeddings, positions)', 20 * M * H, 4 * M * H + 2 * P * H + 2 * H, 2);
  k('ScatterAdd words (zero fill + position links, chain sums)', M * H + M * M, V * H + 2 * M * H + 4 * M, 2);
  k('SegmentSum types (owner computes)', T * M * H, T * H + M * H + M, 1);
  // Optimizer over every trainable tensor.
  const tensors = 5 + 16 * c.numHiddenLayers + 2 + 2; // embeddings (3 tables + LN), layers, pooler, classifier
  const params = V * H + P * H + T * H + 2 * H + c.numHiddenLayers * (4 * H * H + 4 * H + 2 * H * I + I + H + 4 * H) + H * H + H + C * H + C;
  k('global norm (partials + finalize)', 2 * params, params, Math.ceil(tensors / (bindings - 1)) + 1);
  k('Adam (p, m, v in place)', 12 * params, 7 * params, Math.ceil(tensors / Math.floor((bindings - 2) / 2)));
  return ks;
}

export function estimate(c: BertConfig, B: number, S: number, bindings = 10) {
  const ks = stepKernels(c, B, S, 2, bindings);
  let computeS = 0;
  let flops = 0;
  let mmFlops = 0;
  let bytes = 0;
  let dispatches = 0;
  let mmS = 0;
  for (const x of ks) {
    const s = Math.max(x.flops / REFERENCE_GPU.flops, (4 * x.floats) / REFERENCE_GPU.bytesPerS);
    computeS += s;
    flops += x.flops;
    bytes += 4 * x.floats;
    dispatches += x.dispatches;
    if (x.matmul) {
      mmFlops += x.flops;
      mmS += s;
    }
  }
  const stepMs = REFERENCE_GPU.dispatchUs.map((us) => computeS * 1000 + (dispatches * us) / 1000) as [number, number];
  return { kernels: ks.length, dispatches, flops, mmFlops, paramsFlops: trainingStepFlops(c, 2, B, S), bytes, computeMs: computeS * 1000, matmulShare: mmS / computeS, stepMs, seqPerS: stepMs.map((ms) => B / (ms / 1000)) };
}

const isMain = typeof process !== 'undefined' && process.argv[1]?.endsWith('estimate.ts');
if (isMain) {
  const arg = (name: string, dflt: string) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? process.argv[i + 1] : dflt;
  };
  const B = Number(arg('batch', '8'));
  const S = Number(arg('seq', '128'));
  const bindings = Number(arg('bindings', '10'));
  console.log(`reference GPU: ${REFERENCE_GPU.name}, ${REFERENCE_GPU.flops / 1e12} TFLOP/s, ${REFERENCE_GPU.bytesPerS / 1e9} GB/s, ${REFERENCE_GPU.dispatchUs.join('-')} us per dispatch; batch ${B}, seq ${S}; ${bindings} storage bindings`);
  for (const name of arg('presets', 'tiny,base').split(',') as PresetName[]) {
    const e = estimate(PRESETS[name], B, S, bindings);
    console.log(
      `${name}: ${e.dispatches} dispatches (${e.kernels} kernels); ${(e.flops / 1e9).toFixed(1)} GFLOP (matmuls ${(e.mmFlops / 1e9).toFixed(1)}, params.ts ${(e.paramsFlops / 1e9).toFixed(1)}), ` +
        `${(e.bytes / 1e6).toFixed(0)} MB -> roofline ${e.computeMs.toFixed(1)} ms (matmuls ${(100 * e.matmulShare).toFixed(0)}%); ` +
        `+ dispatches -> ${e.stepMs[0].toFixed(1)}-${e.stepMs[1].toFixed(1)} ms/step, ${e.seqPerS[1].toFixed(0)}-${e.seqPerS[0].toFixed(0)} seq/s`,
    );
  }
}
