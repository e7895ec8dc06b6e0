/**
 * The demo model's starting weights: a BERT from scratch (DEMO_MODEL_CONFIG), every encoder
 * weight initialised as BERT does (truncated normal σ = initializer_range, zero biases,
 * LayerNorm 1) from a seed. The heads are initialised by createBertModel itself.
 */
import { initialWeight } from '../model/init';
import { encoderParamShapes } from '../model/params';
import type { BertConfig } from '../model/config';
import type { WeightMap } from '../model/types';
import { DEMO_MODEL_CONFIG } from './demo-qa';

export function demoInitialWeights(seed: number, config: BertConfig = DEMO_MODEL_CONFIG): WeightMap {
  const weights: WeightMap = new Map();
  for (const [name, shape] of encoderParamShapes(config)) weights.set(name, initialWeight(name, shape, config.initializerRange, seed));
  return weights;
}
