/** Both schedules against the per-step learning rates in tiny-odd's golden.json. */
import { describe, expect, it } from 'vitest';
import { readShared } from '../../testing/shared';
import { learningRateAt } from './schedule';

interface Traj { hyper: { init_lr: number; num_train_steps: number; warmup: number }; steps: { step: number; lr: number }[] }
const golden = JSON.parse(readShared('fixtures', 'model', 'tiny-odd', 'golden.json')) as { bertadam: Traj; adamw: Traj };

describe('learning-rate schedules', () => {
  it.each([
    ['google', golden.bertadam],
    ['linear', golden.adamw],
  ] as const)('%s matches every step of the fixture trajectory', (schedule, traj) => {
    const c = { learningRate: traj.hyper.init_lr, numTrainSteps: traj.hyper.num_train_steps, numWarmupSteps: traj.hyper.warmup, schedule };
    for (const s of traj.steps) expect(learningRateAt(c, s.step)).toBeCloseTo(s.lr, 12);
  });

  it('google decays to zero at the last step and stays there', () => {
    const c = { learningRate: 1, numTrainSteps: 10, numWarmupSteps: 0, schedule: 'google' as const };
    expect(learningRateAt(c, 0)).toBe(1);
    expect(learningRateAt(c, 10)).toBe(0);
    expect(learningRateAt(c, 12)).toBe(0);
  });

  it('linear peaks at the end of warmup and decays from the peak', () => {
    const c = { learningRate: 2, numTrainSteps: 12, numWarmupSteps: 4, schedule: 'linear' as const };
    expect(learningRateAt(c, 2)).toBe(1);
    expect(learningRateAt(c, 4)).toBe(2);
    expect(learningRateAt(c, 8)).toBe(1);
    expect(learningRateAt(c, 20)).toBe(0);
  });
});
