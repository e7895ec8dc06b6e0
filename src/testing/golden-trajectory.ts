/**
 * The optimizer trajectories of ../shared/fixtures/model/<case>/golden.json, and the
 * OptimizerConfig they were produced with. Pure (no Node APIs): used by the step tests in Node
 * and by the WebGPU parity harness in the browser.
 */
import { DEFAULT_OPTIMIZER, type OptimizerConfig, type OptimizerName } from '../core/train';

export interface GoldenTrajectory {
  hyper: { init_lr: number; num_train_steps: number; warmup: number; steps: number; clip_global_norm: number; weight_decay: number; beta1: number; beta2: number; epsilon: number };
  steps: { step: number; lr: number; loss: number; grad_global_norm: number }[];
}

/** bert-adam ran with Google's schedule, adamw with linear-from-peak (fixtures README). */
export function goldenOptimizerConfig(name: OptimizerName, t: GoldenTrajectory): OptimizerConfig {
  return {
    ...DEFAULT_OPTIMIZER,
    name,
    schedule: name === 'bert-adam' ? 'google' : 'linear',
    learningRate: t.hyper.init_lr,
    numTrainSteps: t.hyper.num_train_steps,
    numWarmupSteps: t.hyper.warmup,
    maxGradNorm: t.hyper.clip_global_norm,
    weightDecay: t.hyper.weight_decay,
    beta1: t.hyper.beta1,
    beta2: t.hyper.beta2,
    epsilon: t.hyper.epsilon,
  };
}
