import { describe, expect, it } from 'vitest';
import { collectTransferables, isCommand, isWorkerEvent, postCommand, postEvent, type MessageTarget } from './messages';
import type { Command } from './commands';
import type { WorkerEvent } from './events';

function recorder(): MessageTarget & { sent: Array<{ message: unknown; transfer: Transferable[] }> } {
  const sent: Array<{ message: unknown; transfer: Transferable[] }> = [];
  return { sent, postMessage: (message, transfer) => sent.push({ message, transfer }) };
}

describe('collectTransferables', () => {
  it('finds every distinct ArrayBuffer in objects, arrays, maps and typed arrays, once each', () => {
    const a = new ArrayBuffer(8);
    const b = new ArrayBuffer(4);
    const c = new ArrayBuffer(2);
    const view = new Float32Array(b);
    const found = collectTransferables({ x: a, y: [a, view, { deep: new Map([['k', c]]) }], z: 'text', n: 1, nil: null });
    expect(found).toHaveLength(3);
    expect(new Set(found)).toEqual(new Set([a, b, c]));
  });

  it('skips empty buffers, Blobs and cycles', () => {
    const cyclic: Record<string, unknown> = { buf: new ArrayBuffer(0) };
    cyclic.self = cyclic;
    cyclic.blob = new Blob(['abc']);
    expect(collectTransferables(cyclic)).toEqual([]);
  });
});

describe('postCommand / postEvent', () => {
  it('transfers the file bytes of a loadFiles command', () => {
    const t = recorder();
    const bytes = new ArrayBuffer(16);
    const cmd: Command = { type: 'loadFiles', files: [{ path: 'train.tsv', data: bytes }, { path: 'vocab.txt', data: new Blob(['[CLS]']) }] };
    postCommand(t, cmd);
    expect(t.sent).toHaveLength(1);
    expect(t.sent[0].message).toBe(cmd);
    expect(t.sent[0].transfer).toEqual([bytes]);
  });

  it('transfers exported files and the zip', () => {
    const t = recorder();
    const f1 = new ArrayBuffer(10);
    const z = new ArrayBuffer(20);
    const ev: WorkerEvent = { type: 'exported', requestId: 3, files: [{ name: 'config.json', data: f1 }], zip: { name: 'm.zip', data: z } };
    postEvent(t, ev);
    expect(t.sent[0].transfer).toEqual([f1, z]);
  });
});

describe('isCommand / isWorkerEvent', () => {
  it('accepts every command type and rejects anything else', () => {
    const types = ['loadFiles', 'removeFile', 'configure', 'start', 'pause', 'resume', 'stop', 'evaluate', 'predict', 'export', 'resumeRun', 'demo', 'fineTuneNext'];
    for (const type of types) expect(isCommand({ type })).toBe(true);
    expect(isCommand({ type: 'format-disk' })).toBe(false);
    expect(isCommand(null)).toBe(false);
    expect(isCommand('start')).toBe(false);
    expect(isWorkerEvent({ type: 'ready' })).toBe(true);
    expect(isWorkerEvent(42)).toBe(false);
  });
});
