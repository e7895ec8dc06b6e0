/**
 * Parameter counts of the "Trainable parameters" choice for the page's estimate, from core's
 * paramCounts (the model's own weight tables) and the settings' TrainableSpec. The model summary
 * lacks type_vocab_size and the activation: BERT's 2 token types are assumed (2·H parameters,
 * a rounding error beside the rest).
 */
import { DEFAULT_CONFIG, paramCounts, type BertConfig, type HeadSpec, type ParamCounts } from '../../core/model';
import { trainableSpecOf, type Settings } from '../../core/settings';
import { isSquadTask, type TaskName } from '../../core/data';
import type { ModelSummary } from '../../protocol/events';

export function headFor(task: TaskName | null, labels: number): HeadSpec {
  if (task === 'mlm') return { kind: 'mlm' };
  if (task !== null && isSquadTask(task)) return { kind: 'span' };
  if (task === 'sts-b') return { kind: 'regression' };
  const n = Math.max(2, labels);
  return { kind: 'classification', numLabels: n, labels: Array.from({ length: n }, (_, i) => String(i)) };
}

export function trainableCounts(model: ModelSummary, task: TaskName | null, labels: number, settings: Settings): ParamCounts {
  const config: BertConfig = {
    ...DEFAULT_CONFIG,
    vocabSize: model.vocabSize,
    hiddenSize: model.hiddenSize,
    numHiddenLayers: model.numLayers,
    numAttentionHeads: model.numHeads,
    intermediateSize: model.intermediateSize,
    maxPositionEmbeddings: model.maxPositions,
  };
  const spec = trainableSpecOf(settings);
  // A choice the settings check refuses (more frozen layers than the model has) counts as the most it can freeze.
  if (spec.kind === 'freeze') spec.layers = Math.min(spec.layers, model.numLayers);
  return paramCounts(config, headFor(task, labels), spec);
}
