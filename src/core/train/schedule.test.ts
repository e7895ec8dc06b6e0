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

  it('constant holds the rate after warmup (every step of the LoRA fixture trajectory without warmup)', () => {
    const lora = JSON.parse(readShared('fixtures', 'mlm-lora', 'tiny-odd', 'golden-lora.json')) as { adamw: { lr: number; steps: { step: number; lr: number }[] } };
    const c = { learningRate: lora.adamw.lr, numTrainSteps: 3, numWarmupSteps: 0, schedule: 'constant' as const };
    for (const s of lora.adamw.steps) expect(learningRateAt(c, s.step - 1)).toBe(s.lr);
    const w = { learningRate: 2, numTrainSteps: 10, numWarmupSteps: 4, schedule: 'constant' as const };
    expect([0, 2, 4, 9, 50].map((k) => learningRateAt(w, k))).toEqual([0, 1, 2, 2, 2]);
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
