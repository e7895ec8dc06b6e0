/**
 * Stop and Pause reach a run on the WASM backend within one step (issue 13 §3, "Stop that never
 * comes"). WASM steps run synchronously, so the commands are delivered the way the worker gets
 * them: as a message (a macrotask) posted when the first step event arrives. Before the loop
 * yielded to the event loop between steps, such a message was handled only after the whole run.
 * Tiny-uncased (64 positions) on 48 real MRPC rows, batch 4: 12 steps.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MessageChannel } from 'node:worker_threads';
import { initBackend } from '../backend/init';
import { bytesSource } from '../io/safetensors';
import { readShared, readSharedBytes } from '../../testing/shared';
import { createSession, type Session } from './session';
import type { SessionEvent, SessionEventOf, SessionEventType } from './events';
import type { SessionFile } from './files';

const enc = new TextEncoder();
const rows = (file: string, n: number) => readShared('datasets', 'glue', 'MRPC', file).split('\n').slice(0, n + 1).join('\n') + '\n';
const file = (path: string, bytes: Uint8Array): SessionFile => ({ path, source: bytesSource(bytes, path) });
const FILES: SessionFile[] = [
  file('tiny-uncased/config.json', readSharedBytes('fixtures', 'model', 'tiny-uncased', 'config.json')),
  file('tiny-uncased/model.safetensors', readSharedBytes('fixtures', 'model', 'tiny-uncased', 'model.safetensors')),
  file('tiny-uncased/vocab.txt', readSharedBytes('fixtures', 'vocab', 'bert-base-uncased.txt')),
  file('MRPC/train.tsv', enc.encode(rows('train.tsv', 48))),
  file('MRPC/dev.tsv', enc.encode(rows('dev.tsv', 4))),
];

/** A session whose commands arrive as messages on a port, as the worker's do. */
function harness(command: (port: { postMessage(m: 'stop' | 'pause' | 'resume'): void }, ev: SessionEvent) => void) {
  const events: SessionEvent[] = [];
  const channel = new MessageChannel();
  let session: Session = null!;
  session = createSession({
    emit: (e) => {
      events.push(e);
      command(channel.port2, e);
    },
    storage: null,
    preferredBackend: 'wasm',
  });
  channel.port1.on('message', (m: 'stop' | 'pause' | 'resume') => session[m]());
  return {
    session,
    events,
    of: <T extends SessionEventType>(type: T) => events.filter((e): e is SessionEventOf<T> => e.type === type),
    close: () => channel.port1.close(),
  };
}

const EDITS = { trainBatchSize: 4, numTrainEpochs: 1, maxSeqLength: 32, evalEverySteps: 0, saveCheckpointsSteps: 0 };

beforeAll(async () => {
  await initBackend('wasm');
});
const open: Array<() => void> = [];
afterAll(() => open.forEach((c) => c()));

describe('a WASM run gets Stop and Pause within one step', () => {
  it('stop sent as a message after step 1 ends the run by step 2', async () => {
    const t = harness((port, ev) => {
      if (ev.type === 'step' && ev.steps.some((s) => s.step === 1)) port.postMessage('stop');
    });
    open.push(t.close);
    await t.session.configure({ task: 'mrpc', edits: EDITS });
    await t.session.addFiles(FILES);
    await t.session.start({ runId: 'stop', runName: 'stop' });
    await t.session.idle();
    expect(t.of('error')).toEqual([]);
    expect(t.of('runStarted')[0].run.totalSteps).toBe(12);
    const steps = t.of('step').flatMap((e) => e.steps.map((s) => s.step));
    expect(steps[0]).toBe(1);
    expect(steps.length).toBeLessThanOrEqual(2);
    const finished = t.of('finished').at(-1)!;
    expect(finished.reason).toBe('stopped');
    expect(finished.step).toBeLessThanOrEqual(2);
  });

  it('pause sent as a message after step 1 holds the run by step 2; resume then runs it to the end', async () => {
    let pausedAt = -1;
    const t = harness((port, ev) => {
      if (ev.type === 'step' && ev.steps.some((s) => s.step === 1)) port.postMessage('pause');
      if (ev.type === 'log' && ev.message === 'paused') {
        pausedAt = Math.max(...t.of('step').flatMap((e) => e.steps.map((s) => s.step)));
        port.postMessage('resume');
      }
    });
    open.push(t.close);
    await t.session.configure({ task: 'mrpc', edits: EDITS });
    await t.session.addFiles(FILES);
    await t.session.start({ runId: 'pause', runName: 'pause' });
    await t.session.idle();
    expect(t.of('error')).toEqual([]);
    expect(pausedAt).toBeGreaterThanOrEqual(1);
    expect(pausedAt).toBeLessThanOrEqual(2);
    const logs = t.events.map((e) => (e.type === 'log' ? e.message : e.type === 'step' ? `step ${e.steps.map((s) => s.step).join(',')}` : null)).filter((x) => x !== null);
    // Nothing trains between "paused" and "resumed".
    const p = logs.indexOf('paused');
    expect(logs[p + 1]).toBe('resumed');
    expect(t.of('finished').at(-1)).toMatchObject({ reason: 'completed', step: 12 });
  });
});
