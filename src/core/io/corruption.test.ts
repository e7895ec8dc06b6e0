/**
 * Every single-byte corruption or truncation of a real checkpoint's metadata either loads the
 * same tensors (the byte was padding) or fails with a TabtuneError: never a crash, never other values.
 */
import { describe, expect, it } from 'vitest';
import { listTfBundle } from './tf-bundle';
import { listTorchBin } from './torch-bin';
import { readRestrictedPickle } from './pickle';
import { openZip } from './zip-reader';
import { readVarint } from './protobuf';
import { bytesSource } from './safetensors';
import { readSharedBytes } from '../../testing/shared';
import { isTabtuneError } from '../errors';

async function outcome(run: () => Promise<unknown>): Promise<'ok' | 'error'> {
  try {
    await run();
    return 'ok';
  } catch (e) {
    if (!isTabtuneError(e)) throw e;
    return 'error';
  }
}

describe('corruption', () => {
  it.each(['counter', 'half_plus_two_cpu', 'half_plus_two_mkl', 'half_plus_two_tf2_cpu'])('every flipped byte of %s/variables.index is caught or harmless', async (dir) => {
    const index = readSharedBytes('fixtures/tf-checkpoint', dir, 'variables.index');
    const data = bytesSource(readSharedBytes('fixtures/tf-checkpoint', dir, 'variables.data-00000-of-00001'), 'variables.data-00000-of-00001');
    const values = async (idx: Uint8Array) => {
      const b = await listTfBundle(bytesSource(idx, 'variables.index'), [data]);
      return Promise.all(b.tensors.map(async (t) => [t.name, Array.from((await t.read()).data)]));
    };
    const good = await values(index);
    // The metaindex block and its handle (unused by checkpoints, never read) and the footer's zero
    // padding may change harmlessly.
    const footer = index.byteLength - 48;
    let p = 0;
    let metaHandleEnd = 0;
    const handles: number[] = [];
    for (let k = 0; k < 4; k++) {
      const [v, q] = readVarint(index, footer + p);
      handles.push(v);
      p = q - footer;
      if (k === 1) metaHandleEnd = p;
    }
    const harmless = (i: number) => (i >= handles[0] && i < handles[0] + handles[1] + 5) || (i >= footer && i < footer + metaHandleEnd) || (i >= footer + p && i < footer + 40);
    let caught = 0;
    for (let i = 0; i < index.byteLength; i++) {
      const bad = index.slice();
      bad[i] ^= 0x5a;
      let got: unknown;
      const r = await outcome(async () => { got = await values(bad); });
      if (r === 'ok') {
        expect(got, `byte ${i}`).toEqual(good);
        expect(harmless(i), `byte ${i} changed without an error`).toBe(true);
      } else caught++;
    }
    expect(caught).toBeGreaterThan(index.byteLength / 2);
    for (let n = 0; n < index.byteLength; n++) {
      expect(await outcome(() => values(index.subarray(0, n))), `truncated to ${n}`).toBe('error');
    }
  });

  it('every truncation of a state-dict pickle is a TabtuneError', async () => {
    const zip = await openZip(bytesSource(readSharedBytes('fixtures/model/tiny-odd/pytorch_model.bin'), 'pytorch_model.bin'));
    const pkl = await zip.read(zip.entries.get('pytorch_model/data.pkl')!);
    for (let n = 0; n < pkl.byteLength; n += 23) {
      let err: unknown;
      try { readRestrictedPickle(pkl.subarray(0, n)); } catch (e) { err = e; }
      expect(isTabtuneError(err) && err.code, `truncated to ${n}`).toBe('pickle-truncated');
    }
  });

  it('every truncation of pytorch_model.bin is caught at listing or reading', async () => {
    const bin = readSharedBytes('fixtures/model/tiny-odd/pytorch_model.bin');
    for (let n = 0; n < bin.byteLength; n += 997) {
      const r = await outcome(async () => {
        const ck = await listTorchBin(bytesSource(bin.subarray(0, n), 'pytorch_model.bin'));
        for (const t of ck.tensors) await t.read();
      });
      expect(r, `truncated to ${n}`).toBe('error');
    }
  });
});
