/**
 * ONNX's protobuf messages (onnx/onnx.proto, IR version 8) and a small graph builder.
 *
 *   const g = new OnnxGraph('bert');
 *   g.input('input_ids', 'int64', ['batch_size', 'sequence_length']);
 *   const w = g.initializer('w', 'float32', [H, H], data);     // a constant
 *   const y = g.node('MatMul', [x, w]);                         // returns the output name
 *   g.output(y, 'float32', ['batch_size', 'sequence_length', H]);
 *   const bytes = g.toModel({ opset: 17 });
 *
 * Field numbers (onnx.proto): ModelProto ir_version 1, producer_name 2, producer_version 3,
 * graph 7, opset_import 8; GraphProto node 1, name 2, initializer 5, input 11, output 12;
 * NodeProto input 1, output 2, name 3, op_type 4, attribute 5, domain 7; AttributeProto name 1,
 * f 2, i 3, t 5, ints 8, type 20; TensorProto dims 1, data_type 2, name 8, raw_data 9;
 * ValueInfoProto name 1, type 2; TypeProto tensor_type 1 (elem_type 1, shape 2);
 * TensorShapeProto dim 1 (dim_value 1, dim_param 2); OperatorSetIdProto domain 1, version 2.
 */
import { ProtoWriter } from './proto-writer';

export type OnnxDtype = 'float32' | 'uint8' | 'int8' | 'int32' | 'int64' | 'bool';

/** TensorProto.DataType. */
const DTYPE_CODE: Record<OnnxDtype, number> = { float32: 1, uint8: 2, int8: 3, int32: 6, int64: 7, bool: 9 };

/** AttributeProto.AttributeType. */
const ATTR_FLOAT = 1;
const ATTR_INT = 2;
const ATTR_TENSOR = 4;
const ATTR_INTS = 7;

export type AttrValue = number | { int: number } | { ints: number[] } | { tensor: ConstTensor };

export interface ConstTensor {
  dtype: OnnxDtype;
  dims: readonly number[];
  data: Float32Array | Int8Array | Uint8Array | Int32Array | BigInt64Array;
}

/** A dimension: a number, or a name for a dynamic axis. */
export type Dim = number | string;

function tensorProto(name: string, t: ConstTensor): ProtoWriter {
  const w = new ProtoWriter();
  for (const d of t.dims) w.int(1, d);
  w.int(2, DTYPE_CODE[t.dtype]);
  w.string(8, name);
  // raw_data is little-endian, as every platform Tabtune runs on stores typed arrays.
  w.bytes(9, new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
  return w;
}

function valueInfo(name: string, dtype: OnnxDtype, dims: readonly Dim[]): ProtoWriter {
  const shape = new ProtoWriter();
  for (const d of dims) shape.message(1, typeof d === 'number' ? new ProtoWriter().int(1, d) : new ProtoWriter().string(2, d));
  const tensorType = new ProtoWriter().int(1, DTYPE_CODE[dtype]).message(2, shape);
  return new ProtoWriter().string(1, name).message(2, new ProtoWriter().message(1, tensorType));
}

function attribute(name: string, v: AttrValue): ProtoWriter {
  const w = new ProtoWriter().string(1, name);
  if (typeof v === 'number') return w.float(2, v).int(20, ATTR_FLOAT);
  if ('int' in v) return w.int(3, v.int).int(20, ATTR_INT);
  if ('ints' in v) return w.packedInts(8, v.ints).int(20, ATTR_INTS);
  return w.message(5, tensorProto('', v.tensor)).int(20, ATTR_TENSOR);
}

export class OnnxGraph {
  private nodes: ProtoWriter[] = [];
  private inits: ProtoWriter[] = [];
  private inputs: ProtoWriter[] = [];
  private outputs: ProtoWriter[] = [];
  private counter = 0;
  private names = new Set<string>();

  constructor(readonly name: string) {}

  private unique(base: string): string {
    let n = base;
    while (this.names.has(n)) n = `${base}_${++this.counter}`;
    this.names.add(n);
    return n;
  }

  input(name: string, dtype: OnnxDtype, dims: readonly Dim[]): string {
    this.names.add(name);
    this.inputs.push(valueInfo(name, dtype, dims));
    return name;
  }

  output(name: string, dtype: OnnxDtype, dims: readonly Dim[]): void {
    this.outputs.push(valueInfo(name, dtype, dims));
  }

  initializer(name: string, t: ConstTensor): string {
    const n = this.unique(name);
    this.inits.push(tensorProto(n, t));
    return n;
  }

  /** A float32 / int64 constant initializer from plain numbers. */
  constFloat(name: string, values: number[], dims: readonly number[] = [values.length]): string {
    return this.initializer(name, { dtype: 'float32', dims, data: Float32Array.from(values) });
  }

  constInt64(name: string, values: number[], dims: readonly number[] = [values.length]): string {
    return this.initializer(name, { dtype: 'int64', dims, data: BigInt64Array.from(values.map((v) => BigInt(v))) });
  }

  /** Adds a node; returns its output names (one unless `numOutputs` says more). */
  nodeN(op: string, inputs: readonly string[], numOutputs: number, attrs: Record<string, AttrValue> = {}, outputNames?: readonly string[]): string[] {
    const base = `${op}_${this.nodes.length}`;
    const outs = outputNames ? outputNames.map((o) => (this.names.add(o), o)) : Array.from({ length: numOutputs }, (_, i) => this.unique(`${base}_out${i}`));
    const w = new ProtoWriter();
    for (const i of inputs) w.string(1, i);
    for (const o of outs) w.string(2, o);
    w.string(3, base).string(4, op);
    for (const [k, v] of Object.entries(attrs)) w.message(5, attribute(k, v));
    this.nodes.push(w);
    return outs;
  }

  node(op: string, inputs: readonly string[], attrs: Record<string, AttrValue> = {}, outputName?: string): string {
    return this.nodeN(op, inputs, 1, attrs, outputName ? [outputName] : undefined)[0];
  }

  toModel(options: { opset: number; producer?: string; docString?: string }): Uint8Array {
    const graph = new ProtoWriter();
    for (const n of this.nodes) graph.message(1, n);
    graph.string(2, this.name);
    for (const t of this.inits) graph.message(5, t);
    if (options.docString) graph.string(10, options.docString);
    for (const i of this.inputs) graph.message(11, i);
    for (const o of this.outputs) graph.message(12, o);
    return new ProtoWriter()
      .int(1, 8) // ir_version 8 (ONNX 1.12+, opset 17)
      .string(2, options.producer ?? 'tabtune')
      .string(3, '0.1.0')
      .message(7, graph)
      .message(8, new ProtoWriter().string(1, '').int(2, options.opset))
      .finish();
  }
}
