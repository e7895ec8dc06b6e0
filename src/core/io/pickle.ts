/**
 * A restricted pickle reader for PyTorch state dicts (`data.pkl` inside `pytorch_model.bin`).
 *
 * It interprets only the opcodes a state dict uses and only these globals:
 *   collections.OrderedDict, torch._utils._rebuild_tensor_v2, torch._utils._rebuild_parameter,
 *   torch.{Float,Half,BFloat16,Double,Long,Int,Short,Char,Byte,Bool}Storage.
 * Any other global (os.system, builtins.eval, ...) or opcode is refused with a TabtuneError
 * naming it, before anything is called: nothing in the file can run code. The result is plain
 * data: Maps, arrays, numbers, strings, and TensorRef/StorageRef records.
 */
import { TabtuneError } from '../errors';

export type TorchStorageDtype = 'F32' | 'F16' | 'BF16' | 'F64' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';

const STORAGES: Record<string, TorchStorageDtype> = {
  FloatStorage: 'F32', HalfStorage: 'F16', BFloat16Storage: 'BF16', DoubleStorage: 'F64',
  LongStorage: 'I64', IntStorage: 'I32', ShortStorage: 'I16', CharStorage: 'I8', ByteStorage: 'U8', BoolStorage: 'BOOL',
};

export interface StorageRef { kind: 'storage'; dtype: TorchStorageDtype; key: string; location: string; numel: number }
export interface TensorRef { kind: 'tensor'; storage: StorageRef; offset: number; shape: number[]; stride: number[] }
interface GlobalRef { kind: 'global'; name: string }
interface MarkObj { kind: 'mark' }

export type PickleValue =
  | null | boolean | number | bigint | string
  | PickleValue[]
  | Map<PickleValue, PickleValue>
  | StorageRef | TensorRef | GlobalRef;

const MARK: MarkObj = { kind: 'mark' };
type StackItem = PickleValue | MarkObj;

const ALLOWED_GLOBALS = new Set([
  'collections.OrderedDict',
  'torch._utils._rebuild_tensor_v2',
  'torch._utils._rebuild_parameter',
  ...Object.keys(STORAGES).map((s) => `torch.${s}`),
]);

function isObj(v: unknown, kind: string): boolean {
  return !!v && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Map) && (v as { kind?: string }).kind === kind;
}

/** Unpickles `bytes` under the restrictions above. `file` names the input in errors. */
export function readRestrictedPickle(bytes: Uint8Array, file = 'data.pkl'): PickleValue {
  return readRestrictedPickleAt(bytes, 0, file).value;
}

/**
 * Unpickles the pickle starting at `start`; returns its value and the position after its STOP.
 * A pickle cut short by the end of `bytes` throws a TabtuneError with code 'pickle-truncated'.
 */
export function readRestrictedPickleAt(bytes: Uint8Array, start: number, file = 'data.pkl'): { value: PickleValue; end: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dec = new TextDecoder('utf-8');
  const stack: StackItem[] = [];
  const memo = new Map<number, PickleValue>();
  let pos = start;
  /** Offset of the opcode being interpreted (errors point at it). */
  let opPos = start;

  const fail = (problem: string, expected?: string, code = 'pickle-format'): never => {
    throw new TabtuneError(problem, { file, location: `byte ${opPos}`, expected, code });
  };
  const need = (n: number) => { if (pos + n > bytes.byteLength) fail('pickle ends in the middle of an opcode', 'a complete pickle ending in STOP', 'pickle-truncated'); };
  const u8 = () => { need(1); return bytes[pos++]; };
  const u16 = () => { need(2); const v = view.getUint16(pos, true); pos += 2; return v; };
  const u32 = () => { need(4); const v = view.getUint32(pos, true); pos += 4; return v; };
  const i32 = () => { need(4); const v = view.getInt32(pos, true); pos += 4; return v; };
  const take = (n: number) => { need(n); const s = bytes.subarray(pos, pos + n); pos += n; return s; };
  const line = () => {
    const end = bytes.indexOf(0x0a, pos);
    if (end < 0) fail('unterminated text line', undefined, 'pickle-truncated');
    const s = dec.decode(bytes.subarray(pos, end));
    pos = end + 1;
    return s;
  };
  const pop = (): PickleValue => {
    const v = stack.pop();
    if (v === undefined || v === MARK) fail('stack underflow');
    return v as PickleValue;
  };
  const top = (): PickleValue => {
    const v = stack[stack.length - 1];
    if (v === undefined || v === MARK) fail('stack underflow');
    return v as PickleValue;
  };
  const popMark = (): PickleValue[] => {
    let i = stack.length - 1;
    while (i >= 0 && stack[i] !== MARK) i--;
    if (i < 0) fail('no MARK on the stack');
    const items = stack.slice(i + 1) as PickleValue[];
    stack.length = i;
    return items;
  };
  const global = (module: string, name: string): GlobalRef => {
    const full = `${module}.${name}`;
    if (!ALLOWED_GLOBALS.has(full)) {
      fail(`refuses global ${full}: a state dict never needs it, and loading it could run code`,
        'only collections.OrderedDict, torch._utils._rebuild_tensor_v2 / _rebuild_parameter and torch.*Storage', 'pickle-global');
    }
    return { kind: 'global', name: full };
  };
  const setItems = (target: PickleValue, items: PickleValue[]) => {
    if (!(target instanceof Map)) fail('SETITEM(S) on something that is not a dict');
    if (items.length % 2) fail('odd number of items for SETITEMS');
    const m = target as Map<PickleValue, PickleValue>;
    for (let i = 0; i < items.length; i += 2) m.set(items[i], items[i + 1]);
  };
  const intArray = (v: PickleValue, what: string): number[] => {
    if (!Array.isArray(v) || !v.every((x) => typeof x === 'number' && Number.isInteger(x) && x >= 0)) fail(`${what} is not a tuple of non-negative integers`);
    return v as number[];
  };
  const reduce = (fn: PickleValue, args: PickleValue): PickleValue => {
    if (!isObj(fn, 'global')) fail('REDUCE on something that is not an allowed global');
    if (!Array.isArray(args)) fail('REDUCE arguments are not a tuple');
    const a = args as PickleValue[];
    switch ((fn as GlobalRef).name) {
      case 'collections.OrderedDict':
        if (a.length) fail('OrderedDict called with arguments');
        return new Map();
      case 'torch._utils._rebuild_tensor_v2': {
        const [storage, offset, size, stride] = a;
        if (!isObj(storage, 'storage')) fail('_rebuild_tensor_v2 without a storage');
        if (typeof offset !== 'number' || !Number.isInteger(offset) || offset < 0) fail('_rebuild_tensor_v2 storage offset is not a non-negative integer');
        const shape = intArray(size, 'tensor size');
        const strides = intArray(stride, 'tensor stride');
        if (shape.length !== strides.length) fail(`size ${JSON.stringify(shape)} and stride ${JSON.stringify(strides)} differ in rank`);
        return { kind: 'tensor', storage: storage as StorageRef, offset: offset as number, shape, stride: strides };
      }
      case 'torch._utils._rebuild_parameter':
        if (!isObj(a[0], 'tensor')) fail('_rebuild_parameter without a tensor');
        return a[0];
      default:
        return fail(`${(fn as GlobalRef).name} cannot be called`, undefined, 'pickle-global');
    }
  };

  for (;;) {
    if (pos >= bytes.byteLength) fail('pickle ends without STOP', 'a complete pickle ending in STOP', 'pickle-truncated');
    opPos = pos;
    const op = bytes[pos++];
    switch (op) {
      case 0x80: u8(); break; // PROTO
      case 0x95: take(8); break; // FRAME
      case 0x2e: { // STOP
        const v = pop();
        return { value: v, end: pos };
      }
      case 0x28: stack.push(MARK); break; // MARK
      case 0x7d: stack.push(new Map()); break; // EMPTY_DICT
      case 0x5d: stack.push([]); break; // EMPTY_LIST
      case 0x29: stack.push([]); break; // EMPTY_TUPLE
      case 0x74: stack.push(popMark()); break; // TUPLE
      case 0x85: { const a = pop(); stack.push([a]); break; } // TUPLE1
      case 0x86: { const b = pop(); const a = pop(); stack.push([a, b]); break; } // TUPLE2
      case 0x87: { const c = pop(); const b = pop(); const a = pop(); stack.push([a, b, c]); break; } // TUPLE3
      case 0x6c: stack.push(popMark()); break; // LIST
      case 0x64: { const items = popMark(); const m = new Map(); setItems(m, items); stack.push(m); break; } // DICT
      case 0x58: stack.push(dec.decode(take(u32()))); break; // BINUNICODE
      case 0x8c: stack.push(dec.decode(take(u8()))); break; // SHORT_BINUNICODE
      case 0x8d: { need(8); const n = Number(view.getBigUint64(pos, true)); pos += 8; stack.push(dec.decode(take(n))); break; } // BINUNICODE8
      case 0x55: stack.push(dec.decode(take(u8()))); break; // SHORT_BINSTRING
      case 0x54: stack.push(dec.decode(take(u32()))); break; // BINSTRING
      case 0x71: memo.set(u8(), top()); break; // BINPUT
      case 0x72: memo.set(u32(), top()); break; // LONG_BINPUT
      case 0x94: memo.set(memo.size, top()); break; // MEMOIZE
      case 0x68: case 0x6a: { // BINGET, LONG_BINGET
        const k = op === 0x68 ? u8() : u32();
        if (!memo.has(k)) fail(`memo key ${k} was never stored`);
        stack.push(memo.get(k)!);
        break;
      }
      case 0x63: { const module = line(); const name = line(); stack.push(global(module, name)); break; } // GLOBAL
      case 0x93: { // STACK_GLOBAL
        const name = pop(); const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') fail('STACK_GLOBAL needs two strings');
        stack.push(global(module as string, name as string));
        break;
      }
      case 0x4a: stack.push(i32()); break; // BININT
      case 0x4b: stack.push(u8()); break; // BININT1
      case 0x4d: stack.push(u16()); break; // BININT2
      case 0x8a: { // LONG1
        const n = u8();
        const b = take(n);
        let v = 0n;
        for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]);
        if (n && b[n - 1] & 0x80) v -= 1n << BigInt(8 * n);
        // Large values (the legacy torch.save magic number) stay exact as bigint.
        stack.push(v > BigInt(Number.MAX_SAFE_INTEGER) || v < -BigInt(Number.MAX_SAFE_INTEGER) ? v : Number(v));
        break;
      }
      case 0x47: { need(8); stack.push(view.getFloat64(pos, false)); pos += 8; break; } // BINFLOAT (big-endian)
      case 0x88: stack.push(true); break; // NEWTRUE
      case 0x89: stack.push(false); break; // NEWFALSE
      case 0x4e: stack.push(null); break; // NONE
      case 0x30: pop(); break; // POP
      case 0x31: popMark(); break; // POP_MARK
      case 0x32: stack.push(top()); break; // DUP
      case 0x52: { const args = pop(); const fn = pop(); stack.push(reduce(fn, args)); break; } // REDUCE
      case 0x62: { // BUILD: only setting attributes (e.g. _metadata) of a dict; the state is ignored.
        pop();
        if (!(top() instanceof Map)) fail('BUILD on something that is not a dict');
        break;
      }
      case 0x51: { // BINPERSID: ('storage', StorageType, key, location, numel)
        const pid = pop();
        if (!Array.isArray(pid) || pid.length < 5 || pid[0] !== 'storage' || !isObj(pid[1], 'global')) fail('persistent id is not a torch storage reference');
        const arr = pid as PickleValue[];
        const typeName = (arr[1] as GlobalRef).name.replace(/^torch\./, '');
        const dtype = STORAGES[typeName];
        if (!dtype) fail(`${(arr[1] as GlobalRef).name} is not a storage type`);
        if (typeof arr[2] !== 'string' || typeof arr[4] !== 'number') fail('storage reference without key or size');
        // The legacy (pre-1.6) format adds view metadata; storage views are not used by state dicts.
        if (arr.length > 5 && arr[5] !== null) fail('storage view references are not supported', 'plain storages (save the state dict again with torch.save)');
        stack.push({ kind: 'storage', dtype, key: arr[2] as string, location: String(arr[3]), numel: arr[4] as number });
        break;
      }
      case 0x73: { const v = pop(); const k = pop(); setItems(top(), [k, v]); break; } // SETITEM
      case 0x75: { const items = popMark(); setItems(top(), items); break; } // SETITEMS
      case 0x61: { const v = pop(); const l = top(); if (!Array.isArray(l)) fail('APPEND to something that is not a list'); (l as PickleValue[]).push(v); break; } // APPEND
      case 0x65: { // APPENDS (a loop: spreading 300k items into push() overflows the call stack)
        const items = popMark();
        const l = top();
        if (!Array.isArray(l)) fail('APPENDS to something that is not a list');
        for (let i = 0; i < items.length; i++) (l as PickleValue[]).push(items[i]);
        break;
      }
      default:
        fail(`refuses pickle opcode 0x${op.toString(16).padStart(2, '0')} (${JSON.stringify(String.fromCharCode(op))})`, 'only the opcodes of a PyTorch state dict', 'pickle-opcode');
    }
  }
}
