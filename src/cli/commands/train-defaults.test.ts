/**
 * The page and the CLI resolve the same defaults for every task (core/data/glue-tasks.ts's
 * TASK_NAMES): the page's values are the session's `settings` answer written into the store by
 * the bridge's applyEvent; the CLI's are `tabtune train --task T` with no setting flag, read by
 * its flag table and resolved the same way; `--help` prints each default it resolves.
 */
import { parseArgs } from 'node:util';
import { describe, expect, it } from 'vitest';
import { TASK_NAMES } from '../../core/data';
import { createSession, type SessionEvent } from '../../core/session';
import { resolveSettings, SETTINGS_SCHEMA, type Settings } from '../../core/settings';
import { applyEvent } from '../../state/apply-event';
import { createSeriesStore } from '../../state/series';
import { createStudioStore } from '../../state/store';
import { bytesSource } from '../../core/io';
import { readSharedBytes } from '../../testing/shared';
import { editsFromArgs, HELP, TRAIN_FLAGS } from './train';

/** What the page's form shows: the session's answer (with the tiny-uncased config dropped: 64 positions) through the bridge's applyEvent. */
async function pageDefaults(task: (typeof TASK_NAMES)[number], withModel = false): Promise<Settings> {
  const store = createStudioStore();
  const series = createSeriesStore();
  const events: SessionEvent[] = [];
  const session = createSession({ emit: (e) => events.push(e) });
  if (withModel) await session.addFiles([{ path: 'tiny-uncased/config.json', source: bytesSource(readSharedBytes('fixtures', 'model', 'tiny-uncased', 'config.json'), 'config.json') }]);
  await session.configure({ task });
  for (const e of events) applyEvent(store, series, e);
  session.dispose();
  expect(events.filter((e) => e.type === 'error')).toEqual([]);
  return store.getState().settings;
}

function cliDefaults(task: string, maxPositions?: number): Settings {
  const { values } = parseArgs({ args: ['--task', task, '--model', 'm', '--train', 't', '--out', 'o'], options: TRAIN_FLAGS, strict: true });
  return resolveSettings({ task: task as (typeof TASK_NAMES)[number], edits: editsFromArgs(values), context: { maxPositions } }).settings;
}

describe('page and CLI defaults', () => {
  it('agree for every task, with and without a model that cannot take the default sequence length', async () => {
    expect(TASK_NAMES.length).toBeGreaterThanOrEqual(13);
    for (const task of TASK_NAMES) {
      const page = await pageDefaults(task);
      expect(cliDefaults(task), task).toEqual(page);
      expect(cliDefaults(task, 64), `${task} (64 positions)`).toEqual(await pageDefaults(task, true));
      expect(page.trainBatchSize).toBe(32);
      expect(page.learningRate).toBe(5e-5);
      expect(page.numTrainEpochs).toBe(3);
      expect(page.maxSeqLength).toBe(task === 'squad' || task === 'squad2' ? 384 : 128);
      expect((await pageDefaults(task, true)).maxSeqLength).toBe(64);
    }
  });

  it("prints each setting's flag and default in --help as the page resolves it", async () => {
    const mrpc = await pageDefaults('mrpc');
    const squad = await pageDefaults('squad');
    for (const f of SETTINGS_SCHEMA) {
      const show = (v: unknown) => (Array.isArray(v) ? (v.length ? v.join(',') : 'none') : String(v));
      expect(HELP, f.key).toContain(`--${f.flag}`);
      expect(HELP, f.key).toContain(`default ${show(mrpc[f.key])} [`);
      if (show(squad[f.key]) !== show(mrpc[f.key])) expect(HELP, f.key).toContain(`squad ${show(squad[f.key])} [`);
    }
  });
});
