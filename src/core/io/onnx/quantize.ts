/**
 * Int8 dynamic quantization of a MatMul's constant weight, per output channel, as ONNX Runtime's
 * quantize_dynamic(per_channel=True, weight_type=QInt8) writes it (what transformers.js's
 * conversion script runs):
 *
 *   x_q, x_scale, x_zp = DynamicQuantizeLinear(x)          uint8, per tensor, computed at run time
 *   acc = MatMulInteger(x_q, W_q, x_zp, W_zp)              int32 [..., out]
 *   y   = Cast(acc, float) · (x_scale · W_scale)           W_scale [out]
 *
 * W_q = round(W / W_scale) in [−127, 127] with W_scale[c] = max|W[:, c]| / 127 (symmetric, so
 * W_zp = 0). Glossary: K input features, N output features; W is stored [K, N] (x·W).
 */
import type { OnnxGraph } from './onnx-graph';

export interface QuantizedWeight {
  /** int8 [K, N] (row-major, x·W orientation). */
  q: Int8Array;
  /** float32 [N]. */
  scale: Float32Array;
}

/** Per-column symmetric int8 quantization of a [K, N] float matrix. */
export function quantizePerColumn(w: Float32Array, K: number, N: number): QuantizedWeight {
  const absMax = new Float32Array(N);
  for (let k = 0; k < K; k++) {
    for (let n = 0; n < N; n++) {
      const a = Math.abs(w[k * N + n]);
      if (a > absMax[n]) absMax[n] = a;
    }
  }
  const scale = new Float32Array(N);
  for (let n = 0; n < N; n++) scale[n] = absMax[n] > 0 ? absMax[n] / 127 : 1;
  const q = new Int8Array(K * N);
  for (let k = 0; k < K; k++) {
    for (let n = 0; n < N; n++) {
      const v = Math.round(w[k * N + n] / scale[n]);
      q[k * N + n] = v > 127 ? 127 : v < -127 ? -127 : v;
    }
  }
  return { q, scale };
}

/**
 * Emits the quantized x·W into `g`: `x` is the float input's name, `w` the float [K, N] weight.
 * Returns the float output's name.
 */
export function quantizedMatMul(g: OnnxGraph, name: string, x: string, w: Float32Array, K: number, N: number): string {
  const { q, scale } = quantizePerColumn(w, K, N);
  const wq = g.initializer(`${name}_quantized`, { dtype: 'int8', dims: [K, N], data: q });
  const wScale = g.initializer(`${name}_scale`, { dtype: 'float32', dims: [N], data: scale });
  const wZp = g.initializer(`${name}_zero_point`, { dtype: 'int8', dims: [N], data: new Int8Array(N) });
  const [xq, xScale, xZp] = g.nodeN('DynamicQuantizeLinear', [x], 3);
  const acc = g.node('MatMulInteger', [xq, wq, xZp, wZp]); // int32 [..., N]
  const accF = g.node('Cast', [acc], { to: { int: 1 } }); // float [..., N]
  const s = g.node('Mul', [xScale, wScale]); // [N]
  return g.node('Mul', [accF, s]); // [..., N]
}
